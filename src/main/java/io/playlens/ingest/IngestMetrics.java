package io.playlens.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.playlens.enrich.DropReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The ingest path's counters and timers, exported on {@code /metrics}. */
public final class IngestMetrics {
  private final MeterRegistry registry;
  private final Counter accepted;
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Counter batches;
  private final Counter commitFailures;
  private final Timer commitLatency;

  public IngestMetrics(MeterRegistry registry, IngestQueue queue) {
    this.registry = registry;
    this.accepted =
        Counter.builder("playlens.events.accepted")
            .description("Events committed to the store")
            .register(registry);
    for (DropReason reason : DropReason.values()) {
      dropped.put(
          reason,
          Counter.builder("playlens.events.dropped")
              .description("Events dropped by enrichment, by reason")
              .tag("reason", reason.wireName())
              .register(registry));
    }
    this.batches =
        Counter.builder("playlens.batches.committed")
            .description("Group commits (one store transaction each)")
            .register(registry);
    this.commitFailures =
        Counter.builder("playlens.batches.failed")
            .description("Group commits the store refused; their requests got 503")
            .register(registry);
    this.commitLatency =
        Timer.builder("playlens.commit.latency")
            .description("Time to write and commit one group of events")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    Gauge.builder("playlens.ingest.queue.depth", queue, IngestQueue::depth)
        .description("Events waiting for the group committer")
        .register(registry);
    Gauge.builder("playlens.ingest.queue.capacity", queue, IngestQueue::capacity)
        .description("Events the ingest queue holds before answering 503")
        .register(registry);
  }

  public void accepted(int events) {
    accepted.increment(events);
  }

  public void dropped(DropReason reason, int events) {
    dropped.get(reason).increment(events);
  }

  /** A beacon refused before enrichment: bad input, unknown key, full queue. */
  public void rejected(String reason) {
    rejected(reason, 1);
  }

  /** {@code beacons} refused for the same reason at once (e.g. expired in one watchdog round). */
  public void rejected(String reason, int beacons) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("playlens.beacons.rejected")
                    .description("Beacons refused with a 4xx or 503, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment(beacons);
  }

  void committed(Duration latency) {
    batches.increment();
    commitLatency.record(latency);
  }

  void commitFailed() {
    commitFailures.increment();
  }
}
