package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import io.playlens.account.MediaRegistry;
import io.playlens.account.PlayerKey;
import io.playlens.account.PlayerKeys;
import io.playlens.enrich.EnrichmentPipeline;
import io.playlens.enrich.EnrichmentStep.Drop;
import io.playlens.enrich.EnrichmentStep.Keep;
import io.playlens.enrich.EnrichmentStep.Outcome;
import io.playlens.enrich.Visit;
import io.playlens.ingest.ContextCache;
import io.playlens.ingest.IngestMetrics;
import io.playlens.ingest.IngestQueue;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.FieldError;
import io.playlens.store.ContextRow;
import io.playlens.store.EventRow;
import io.playlens.store.RowIds;
import io.playlens.store.SessionContext;
import io.playlens.store.StoredBeacon;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The write path after parsing: player key → account, clock-skew correction, enrichment, and the
 * hand-off to the group committer. Everything that can refuse a beacon runs before anything is
 * queued, so a refused beacon stores nothing.
 */
public final class Collector {
  static final Duration MAX_FUTURE = Duration.ofDays(1);

  /** Older than the longest retention (365 days) plus slack: such events could never be read. */
  static final Duration MAX_PAST = Duration.ofDays(400);

  private final PlayerKeys playerKeys;
  private final MediaRegistry media;
  private final EnrichmentPipeline pipeline;
  private final IngestQueue queue;
  private final IngestMetrics metrics;
  private final ContextCache contexts;
  private final Clock clock;

  public Collector(
      PlayerKeys playerKeys,
      MediaRegistry media,
      EnrichmentPipeline pipeline,
      IngestQueue queue,
      IngestMetrics metrics,
      ContextCache contexts,
      Clock clock) {
    this.playerKeys = requireNonNull(playerKeys, "playerKeys is null");
    this.media = requireNonNull(media, "media is null");
    this.pipeline = requireNonNull(pipeline, "pipeline is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.contexts = requireNonNull(contexts, "contexts is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The sender of a beacon, as the HTTP layer saw it. */
  public record Client(InetAddress ip, String userAgent, String origin) {
    public Client {
      requireNonNull(ip, "ip is null");
    }
  }

  /**
   * Resolves the player key and checks the origin and the account's state; throws 401/403 client
   * errors.
   */
  public PlayerKey authorise(Beacon beacon, String origin) {
    PlayerKeys.Resolved resolved =
        playerKeys
            .resolve(beacon.key())
            .orElseThrow(
                () -> {
                  metrics.rejected("unknown_key");
                  return new ClientError(401, "unknown or revoked player key");
                });
    if (!resolved.account().active()) {
      metrics.rejected("suspended");
      throw new ClientError(403, "the account of this player key is suspended");
    }
    PlayerKey key = resolved.key();
    if (origin != null && !key.allowsOrigin(origin)) {
      metrics.rejected("origin");
      throw new ClientError(403, "origin " + origin + " is not allowed for this player key");
    }
    return key;
  }

  /**
   * Enriches and queues the beacon's events. The future completes when they are committed, or fails
   * when the committer gave up on them ({@link IngestQueue.Expired}, {@link
   * io.playlens.ingest.GroupCommitter.CommitTimedOut}).
   *
   * @throws IngestQueue.Rejected when the queue is full or closing
   */
  public CompletableFuture<CollectResult> collect(Beacon beacon, PlayerKey key, Client client)
      throws IngestQueue.Rejected {
    return collect(beacon, key, client, clock.instant(), true);
  }

  /**
   * As {@link #collect(Beacon, PlayerKey, Client)}, received at a given time (history written by
   * {@code generate} and the demo), and waiting for its commit however long the queue is.
   */
  public CompletableFuture<CollectResult> collect(
      Beacon beacon, PlayerKey key, Client client, Instant receivedAt) throws IngestQueue.Rejected {
    return collect(beacon, key, client, receivedAt, false);
  }

  private CompletableFuture<CollectResult> collect(
      Beacon beacon, PlayerKey key, Client client, Instant receivedAt, boolean expires)
      throws IngestQueue.Rejected {
    Duration skew =
        beacon.sentAt() == null ? Duration.ZERO : Duration.between(beacon.sentAt(), receivedAt);
    List<Instant> times = correctedTimes(beacon, skew, receivedAt);
    Outcome outcome = pipeline.run(Visit.of(client.ip(), client.userAgent()));
    return switch (outcome) {
      case Drop drop -> {
        metrics.dropped(drop.reason(), beacon.events().size());
        yield CompletableFuture.completedFuture(
            new CollectResult(0, Map.of(drop.reason(), beacon.events().size())));
      }
      case Keep keep -> {
        MediaInfo info = beacon.media();
        media.seen(key, info.id(), info.title(), info.duration(), info.type(), info.tags());
        SessionContext context = context(beacon, key, keep.visit());
        ContextCache.Lookup known = contexts.lookup(context);
        UUID contextId = known.storedId();
        ContextRow newContext = null;
        Runnable afterCommit = null;
        if (contextId == null) {
          contextId = RowIds.next(receivedAt.toEpochMilli());
          newContext = new ContextRow(contextId, receivedAt, context);
          afterCommit = known.rememberOnCommit(contextId);
        }
        StoredBeacon stored =
            new StoredBeacon(newContext, events(beacon, key, contextId, times, receivedAt));
        int accepted = stored.events().size();
        try {
          yield queue
              .submit(stored, afterCommit, expires)
              .thenApply(done -> new CollectResult(accepted, Map.of()));
        } catch (IngestQueue.Rejected e) {
          metrics.rejected("queue_full");
          throw e;
        }
      }
    };
  }

  private List<Instant> correctedTimes(Beacon beacon, Duration skew, Instant receivedAt) {
    List<Instant> times = new ArrayList<>(beacon.events().size());
    List<FieldError> errors = new ArrayList<>();
    Instant latest = receivedAt.plus(MAX_FUTURE);
    Instant earliest = receivedAt.minus(MAX_PAST);
    for (int i = 0; i < beacon.events().size(); i++) {
      Instant at = beacon.events().get(i).at();
      Instant corrected = at == null ? receivedAt : at.plus(skew);
      String outside =
          corrected.isAfter(latest)
              ? "a day in the future"
              : corrected.isBefore(earliest) ? MAX_PAST.toDays() + " days in the past" : null;
      if (outside != null) {
        errors.add(
            new FieldError(
                "events[" + i + "].at",
                "is more than " + outside + " (after correcting by sentAt)"));
      }
      times.add(corrected);
    }
    if (!errors.isEmpty()) {
      metrics.rejected("invalid");
      throw new ClientError(400, "invalid beacon", errors);
    }
    return times;
  }

  private static SessionContext context(Beacon beacon, PlayerKey key, Visit visit) {
    MediaInfo media = beacon.media();
    return new SessionContext(
        key.account(),
        key.environment().wireName(),
        beacon.session(),
        beacon.viewer(),
        media.id(),
        media.duration(),
        media.type() == null ? "video" : media.type(),
        media.title(),
        media.tags(),
        beacon.pageUrl(),
        beacon.referrer(),
        beacon.email(),
        visit.storedIp(),
        visit.place().country(),
        visit.place().region(),
        visit.place().city(),
        visit.place().latitude(),
        visit.place().longitude(),
        visit.place().continent(),
        visit.organisation(),
        visit.device().type(),
        visit.device().os(),
        visit.device().osVersion(),
        visit.device().browser(),
        visit.device().browserVersion(),
        visit.userAgent());
  }

  private static List<EventRow> events(
      Beacon beacon, PlayerKey key, UUID contextId, List<Instant> times, Instant receivedAt) {
    String environment = key.environment().wireName();
    MediaInfo media = beacon.media();
    List<EventRow> rows = new ArrayList<>(beacon.events().size());
    for (int i = 0; i < beacon.events().size(); i++) {
      BeaconEvent event = beacon.events().get(i);
      rows.add(
          new EventRow(
              key.account(),
              environment,
              media.id(),
              beacon.session(),
              contextId,
              event.type().wireName(),
              event.at(),
              times.get(i),
              receivedAt,
              event.position(),
              event.from(),
              event.to(),
              event.startupMs(),
              event.durationMs(),
              event.code(),
              event.message()));
    }
    return rows;
  }
}
