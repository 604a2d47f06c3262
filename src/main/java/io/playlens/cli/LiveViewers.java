package io.playlens.cli;

import static java.util.Objects.requireNonNull;

import io.playlens.account.PlayerKey;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.Collector;
import io.playlens.ingest.IngestQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While the demo serves: a handful of simulated viewers watching right now, their events sent
 * through the collection pipeline as they happen, so the dashboard's "watching now" and its newest
 * views move by themselves.
 */
final class LiveViewers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveViewers.class);
  private static final Duration TICK = Duration.ofSeconds(2);

  private final Collector collector;
  private final PlayerKey key;
  private final Clock clock;
  private final SessionSimulator simulator;
  private final Random random = new Random();
  private final List<Watching> watching = new ArrayList<>();
  private final Thread thread;
  private int target = 6;

  /** A simulated session and how many of its events have been sent. */
  private static final class Watching {
    final SessionSimulator.Session session;
    int sent;

    Watching(SessionSimulator.Session session) {
      this.session = session;
    }
  }

  LiveViewers(Collector collector, PlayerKey key, Clock clock) {
    this.collector = requireNonNull(collector, "collector is null");
    this.key = requireNonNull(key, "key is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.simulator = new SessionSimulator(key.key(), System.nanoTime());
    this.thread = Thread.ofVirtual().name("demo-live-viewers").unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        tick(clock.instant());
        Thread.sleep(TICK);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // a full queue or a store hiccup: the demo's live traffic simply skips a beat
        LOG.debug("demo live viewers skipped a beat", e);
      }
    }
  }

  private void tick(Instant now) {
    if (random.nextInt(10) == 0) {
      target = Math.max(2, Math.min(14, target + random.nextInt(5) - 2)); // the audience drifts
    }
    while (watching.size() < target) {
      watching.add(new Watching(simulator.session(now)));
    }
    for (Iterator<Watching> it = watching.iterator(); it.hasNext(); ) {
      Watching viewer = it.next();
      List<BeaconEvent> events = viewer.session.beacon().events();
      int due = viewer.sent;
      while (due < events.size() && !events.get(due).at().isAfter(now)) {
        due++;
      }
      if (due > viewer.sent) {
        send(viewer, events.subList(viewer.sent, due), now);
        viewer.sent = due;
      }
      if (viewer.sent == events.size()) {
        it.remove();
      }
    }
  }

  private void send(Watching viewer, List<BeaconEvent> events, Instant now) {
    Beacon whole = viewer.session.beacon();
    Beacon part =
        new Beacon(
            whole.key(),
            whole.session(),
            whole.viewer(),
            now,
            whole.media(),
            whole.pageUrl(),
            whole.referrer(),
            whole.email(),
            List.copyOf(events));
    try {
      collector.collect(
          part,
          key,
          new Collector.Client(viewer.session.ip(), viewer.session.userAgent(), null),
          now);
    } catch (IngestQueue.Rejected e) {
      LOG.debug("demo live viewer's beacon refused", e);
    }
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
