package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.playlens.account.PlayerKey;
import io.playlens.enrich.DropReason;
import io.playlens.ingest.IngestMetrics;
import io.playlens.ingest.IngestQueue;
import io.playlens.server.ClientError;
import io.playlens.server.Unavailable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/collect}: reads the body (JSON, or the text/plain that sendBeacon sends), hands
 * it to the collector, and answers 202 only once the events are committed.
 */
public final class CollectEndpoint {
  private static final long COMMIT_WAIT_SECONDS = 10;
  private static final long COMMITTING_WAIT_SECONDS = 60;

  private final BeaconParser parser;
  private final Collector collector;
  private final TrustedProxies proxies;
  private final IngestMetrics metrics;

  public CollectEndpoint(
      BeaconParser parser, Collector collector, TrustedProxies proxies, IngestMetrics metrics) {
    this.parser = requireNonNull(parser, "parser is null");
    this.collector = requireNonNull(collector, "collector is null");
    this.proxies = requireNonNull(proxies, "proxies is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** CORS preflight: the key is in the body, so the origin is checked on the POST itself. */
  public void preflight(Context ctx) {
    String origin = ctx.header("Origin");
    ctx.header("Access-Control-Allow-Origin", origin == null ? "*" : origin);
    ctx.header("Access-Control-Allow-Methods", "POST, OPTIONS");
    ctx.header("Access-Control-Allow-Headers", "Content-Type");
    ctx.header("Access-Control-Max-Age", "86400");
    ctx.header("Vary", "Origin");
    ctx.status(204);
  }

  public void collect(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin != null) {
      // Every answer is readable by the page, refusals too: a tracker that could not see its 400
      // or 403 would take it for a network failure and retry it forever. What may be stored is
      // decided by the key's origin list below, not by this header.
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Vary", "Origin");
    }
    byte[] body = readBody(ctx);
    Beacon beacon;
    try {
      beacon = parser.parse(body);
    } catch (ClientError e) {
      metrics.rejected("invalid");
      throw e;
    }
    PlayerKey key = collector.authorise(beacon, origin);
    InetAddress ip = proxies.clientAddress(ctx);
    Collector.Client client = new Collector.Client(ip, ctx.userAgent(), origin);
    CollectResult result;
    try {
      result = await(collector.collect(beacon, key, client));
    } catch (IngestQueue.Rejected e) {
      throw new Unavailable(e.getMessage() + "; retry shortly", 1);
    }
    ctx.status(202).contentType("application/json").result(answer(result));
  }

  /** {@code {"accepted":N,"dropped":{"bot":M}}}, written by hand: it is on the hottest path. */
  static String answer(CollectResult result) {
    StringBuilder json = new StringBuilder(48).append("{\"accepted\":").append(result.accepted());
    json.append(",\"dropped\":{");
    boolean first = true;
    for (Map.Entry<DropReason, Integer> entry : result.dropped().entrySet()) {
      json.append(first ? "" : ",").append('"').append(entry.getKey().wireName()).append("\":");
      json.append(entry.getValue());
      first = false;
    }
    return json.append("}}").toString();
  }

  /**
   * Waits for the commit. A client that is told 503 must be able to retry without storing twice: on
   * timeout the submission is withdrawn if still queued; if a committer already has it, the answer
   * waits for that commit instead.
   */
  private CollectResult await(Collector.Submission submission) {
    try {
      try {
        return submission.result().get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        if (collector.withdraw(submission)) {
          throw new Unavailable(
              "the store is slow to commit; nothing was stored, retry shortly", 2);
        }
        return submission.result().get(COMMITTING_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | CancellationException e) {
      throw new Unavailable("the store could not commit the events; retry shortly", 1);
    } catch (TimeoutException e) {
      throw new Unavailable("the store is slow to commit; retry shortly", 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("the server is shutting down; retry shortly", 1);
    }
  }

  private static byte[] readBody(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > BeaconParser.MAX_BODY_BYTES) {
      throw tooLarge();
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes(BeaconParser.MAX_BODY_BYTES + 1);
      if (body.length > BeaconParser.MAX_BODY_BYTES) {
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new ClientError(400, "could not read the request body: " + e.getMessage());
    }
  }

  private static ClientError tooLarge() {
    return new ClientError(
        413, "body too large: at most " + BeaconParser.MAX_BODY_BYTES + " bytes per beacon");
  }
}
