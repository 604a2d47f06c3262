package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import io.playlens.account.MetadataException;
import io.playlens.account.PlayerKey;
import io.playlens.api.ApiStyle;
import io.playlens.enrich.DropReason;
import io.playlens.ingest.GroupCommitter;
import io.playlens.ingest.IngestMetrics;
import io.playlens.ingest.IngestQueue;
import io.playlens.server.ClientError;
import io.playlens.server.Unavailable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/collect}: reads the body (JSON, or the text/plain that sendBeacon sends), hands
 * it to the collector, and answers 202 only once the events are committed.
 */
public final class CollectEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CollectEndpoint.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** How much of a body over the limit is read and dropped before the 413 (see tooLarge). */
  private static final long DRAIN_BYTES = 1 << 20;

  private final BeaconParser parser;
  private final Collector collector;
  private final TrustedProxies proxies;
  private final IngestMetrics metrics;
  private final ExecutorService answers;

  public CollectEndpoint(
      BeaconParser parser, Collector collector, TrustedProxies proxies, IngestMetrics metrics) {
    this.parser = requireNonNull(parser, "parser is null");
    this.collector = requireNonNull(collector, "collector is null");
    this.proxies = requireNonNull(proxies, "proxies is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.answers =
        Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
            Thread.ofPlatform().daemon().name("playlens-answer-", 0).factory());
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

  /**
   * Answers one beacon on Jetty's core API: the request never enters the servlet layer or Javalin,
   * whose per-request work was most of this route's HTTP cost (see {@link CollectHandler}). Every
   * outcome, refusals included, is written here and completes {@code callback}.
   *
   * <p>The request's thread does not wait for the commit: it queues the events and returns, and the
   * answer threads write the 202 once the commit's future completes (or the 503 of a failed or
   * expired commit). No thread is parked and woken again per beacon, and the committers hand the
   * answers on rather than write them, so the next commit starts at once. Jetty writes without
   * blocking: a slow client holds no thread up.
   */
  void collect(Request request, Response response, Callback callback) {
    HttpFields headers = request.getHeaders();
    String origin = headers.get(HttpHeader.ORIGIN);
    if (origin != null) {
      // Every answer is readable by the page, refusals too: a tracker that could not see its 400
      // or 403 would take it for a network failure and retry it forever. What may be stored is
      // decided by the key's origin list below, not by this header.
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      response.getHeaders().put(HttpHeader.VARY, "Origin");
    }
    CompletableFuture<CollectResult> committed;
    try {
      committed = submit(request, headers, origin);
    } catch (RuntimeException e) {
      refuse(headers, response, callback, e);
      return;
    }
    committed.whenCompleteAsync(
        (result, failure) -> {
          try {
            if (failure == null) {
              write(response, callback, 202, answer(result).getBytes(StandardCharsets.UTF_8));
            } else {
              refuse(headers, response, callback, unavailable(failure));
            }
          } catch (Throwable e) {
            // Nothing may escape: the future would swallow it and leave the request unanswered.
            failed(headers, response, callback, e);
          }
        },
        this::answer);
  }

  /**
   * Runs an answer on the answer threads, or here once they are shut down (the server's last
   * moments): every request is answered, or its connection closed, never left hanging.
   */
  private void answer(Runnable task) {
    try {
      answers.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** Stops the answer threads once the answers handed to them are written (up to 5 s). */
  @Override
  public void close() {
    answers.shutdown();
    try {
      if (!answers.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("Answers to beacons were still being written after 5 s; left to the JVM's exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * An answer that could not be written: Playlens' 500 if nothing has gone out yet (as on the
   * request's own thread), else the request is failed and Jetty ends the connection. Never left
   * waiting.
   */
  private static void failed(
      HttpFields headers, Response response, Callback callback, Throwable failure) {
    if (failure instanceof RuntimeException unexpected && !response.isCommitted()) {
      try {
        refuse(headers, response, callback, unexpected);
        return;
      } catch (RuntimeException again) {
        failure.addSuppressed(again);
      }
    }
    LOG.error("Answering POST /v1/collect failed", failure);
    callback.failed(failure);
  }

  /** Writes the error answer for what {@code failure} says went wrong. */
  private static void refuse(
      HttpFields headers, Response response, Callback callback, RuntimeException failure) {
    int status;
    byte[] answer;
    switch (failure) {
      case ClientError e -> {
        if (e.status() == 401 && headers.get("X-Playlens-Environment") == null) {
          response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "PlayerKey realm=\"playlens\"");
        }
        status = e.status();
        answer = errorBody(e.getMessage(), e.fieldErrors());
      }
      case Unavailable e -> {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds());
        status = 503;
        answer = errorBody(e.getMessage(), List.of());
      }
      case MetadataException e -> {
        LOG.error("Metadata store failure on POST /v1/collect", e);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, 1);
        status = 503;
        answer = errorBody(ApiStyle.METADATA_UNAVAILABLE, List.of());
      }
      default -> {
        LOG.error("Unhandled error on POST /v1/collect", failure);
        status = 500;
        answer = errorBody(ApiStyle.INTERNAL_ERROR, List.of());
      }
    }
    write(response, callback, status, answer);
  }

  private static void write(Response response, Callback callback, int status, byte[] answer) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
    response.write(true, ByteBuffer.wrap(answer), callback);
  }

  /**
   * Reads, checks, enriches and queues the beacon; the future completes once its events are
   * committed.
   */
  private CompletableFuture<CollectResult> submit(
      Request request, HttpFields headers, String origin) {
    byte[] body = readBody(request);
    Beacon beacon;
    try {
      beacon = parser.parse(body);
    } catch (ClientError e) {
      metrics.rejected("invalid");
      throw e;
    }
    PlayerKey key = collector.authorise(beacon, origin);
    InetAddress ip = proxies.clientAddress(peer(request), forwardedFor(headers));
    Collector.Client client = new Collector.Client(ip, headers.get(HttpHeader.USER_AGENT), origin);
    try {
      return collector.collect(beacon, key, client);
    } catch (IngestQueue.Rejected e) {
      throw unavailable(e);
    }
  }

  private static InetAddress peer(Request request) {
    if (request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress socket
        && socket.getAddress() != null) {
      return socket.getAddress();
    }
    return TrustedProxies.UNKNOWN_PEER;
  }

  private static String forwardedFor(HttpFields headers) {
    if (!headers.contains(HttpHeader.X_FORWARDED_FOR)) {
      return null; // most beacons: no list to build
    }
    return String.join(",", headers.getValuesList(HttpHeader.X_FORWARDED_FOR));
  }

  /** Playlens' own error body (see {@link ApiStyle#playlensBody}), as bytes. */
  private static byte[] errorBody(String message, List<ClientError.FieldError> fieldErrors) {
    try {
      return JSON.writeValueAsBytes(ApiStyle.playlensBody(message, fieldErrors));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error body", e);
    }
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
   * The 503 for a commit that did not happen: the committer's watchdog ends every wait (see {@link
   * GroupCommitter}), so no request sets a timer of its own. A client told 503 may retry: an
   * expired submission was taken out of the queue and nothing of it is stored.
   */
  private static Unavailable unavailable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
    return switch (cause) {
      case IngestQueue.Expired expired ->
          new Unavailable("the store is slow to commit; nothing was stored, retry shortly", 2);
      case GroupCommitter.CommitTimedOut timedOut ->
          new Unavailable("the store is slow to commit; retry shortly", 2);
      case IngestQueue.Rejected rejected ->
          new Unavailable(rejected.getMessage() + "; retry shortly", 1);
      case null, default ->
          new Unavailable("the store could not commit the events; retry shortly", 1);
    };
  }

  private static byte[] readBody(Request request) {
    long declared = request.getLength();
    try (InputStream in = Content.Source.asInputStream(request)) {
      if (declared > BeaconParser.MAX_BODY_BYTES) {
        // A client waiting for "100 Continue" has sent none of the body: refuse it at once.
        boolean waits =
            request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
        throw waits ? tooLarge() : tooLarge(in, declared);
      }
      if (declared >= 0) {
        // Exactly the declared length, in one array of that size; Jetty stops the stream there.
        byte[] body = in.readNBytes((int) declared);
        if (body.length < declared) {
          throw new ClientError(
              400, "the body ended after " + body.length + " of " + declared + " bytes");
        }
        return body;
      }
      byte[] body = in.readNBytes(BeaconParser.MAX_BODY_BYTES + 1);
      if (body.length > BeaconParser.MAX_BODY_BYTES) {
        throw tooLarge(in, DRAIN_BYTES);
      }
      return body;
    } catch (IOException e) {
      throw new ClientError(400, "could not read the request body: " + e.getMessage());
    }
  }

  /**
   * The 413, once the {@code unread} rest of the body (up to that much, when its length is unknown)
   * is read and dropped if it is at most {@code DRAIN_BYTES}: a connection closed with unread bytes
   * in its buffer is reset, and the client may then lose the answer before reading it. A larger
   * body is left unread and its connection closed by Jetty.
   */
  private static ClientError tooLarge(InputStream in, long unread) {
    if (unread <= DRAIN_BYTES) {
      byte[] buffer = new byte[8192];
      long left = unread;
      try {
        int read;
        while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
          left -= read;
        }
      } catch (IOException e) {
        // The client stalled or went away: the 413 stands, if it can still be told.
      }
    }
    return tooLarge();
  }

  private static ClientError tooLarge() {
    return new ClientError(
        413, "body too large: at most " + BeaconParser.MAX_BODY_BYTES + " bytes per beacon");
  }
}
