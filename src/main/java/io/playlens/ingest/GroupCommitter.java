package io.playlens.ingest;

import static java.util.Objects.requireNonNull;

import io.playlens.store.EventStore;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer. Takes whatever the queue holds (up to a batch limit), writes it in one
 * transaction and only then completes each request's future, so a 2xx means the events are on disk.
 * While one commit runs, the next requests gather: batch size grows with load by itself.
 *
 * <p>Nobody waits forever, and no request sets a timer of its own: a watchdog fails a submission
 * that waited {@code queueWait} for a committer with {@link IngestQueue.Expired} (taken out of the
 * queue, so nothing of it is stored), and one whose commit has run for {@code commitWait} with
 * {@link CommitTimedOut} (it may still be stored).
 */
public final class GroupCommitter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

  /** Events waiting before committers other than the first start taking work. */
  static final int HELPER_QUEUE_DEPTH = 2_000;

  /** How long a submission may wait in the queue before it is taken back. */
  public static final Duration QUEUE_WAIT = Duration.ofSeconds(10);

  /** How long a commit may run before those waiting for it are told to retry. */
  public static final Duration COMMIT_WAIT = Duration.ofSeconds(60);

  /** Fails the submissions of a commit that has run longer than the commit wait. */
  public static final class CommitTimedOut extends Exception {
    private static final long serialVersionUID = 1L;

    CommitTimedOut(String message) {
      super(message, null, false, false);
    }
  }

  /** A batch being committed, since when ({@link System#nanoTime()}). */
  private record InFlight(List<IngestQueue.Pending> batch, long since) {}

  private final IngestQueue queue;
  private final EventStore store;
  private final IngestMetrics metrics;
  private final int maxBatchEvents;
  private final List<Thread> threads;
  private final AtomicReferenceArray<InFlight> inFlight;
  private final Duration queueWait;
  private final Duration commitWait;
  private final Thread watchdog;
  private volatile boolean stopping;
  private volatile Failure lastFailure;

  public GroupCommitter(
      IngestQueue queue, EventStore store, IngestMetrics metrics, int maxBatchEvents, int threads) {
    this(queue, store, metrics, maxBatchEvents, threads, QUEUE_WAIT, COMMIT_WAIT);
  }

  /** As the constructor above, with the watchdog's waits given (tests shorten them). */
  GroupCommitter(
      IngestQueue queue,
      EventStore store,
      IngestMetrics metrics,
      int maxBatchEvents,
      int threads,
      Duration queueWait,
      Duration commitWait) {
    this.queueWait = requireNonNull(queueWait, "queueWait is null");
    this.commitWait = requireNonNull(commitWait, "commitWait is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.store = requireNonNull(store, "store is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.maxBatchEvents = maxBatchEvents;
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive: " + threads);
    }
    List<Thread> list = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int index = i;
      list.add(Thread.ofPlatform().name("playlens-committer-" + i).unstarted(() -> run(index)));
    }
    this.threads = List.copyOf(list);
    this.inFlight = new AtomicReferenceArray<>(threads);
    this.watchdog =
        Thread.ofPlatform().daemon().name("playlens-commit-watchdog").unstarted(this::watch);
  }

  public void start() {
    threads.forEach(Thread::start);
    watchdog.start();
  }

  /**
   * Every tenth of the shorter wait (10 ms to 500 ms), fails the submissions waited on too long.
   */
  private void watch() {
    long tick = Math.clamp(Math.min(queueWait.toMillis(), commitWait.toMillis()) / 10, 10, 500);
    while (true) { // until close() interrupts it, after the committers have drained
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      try {
        expireWaits();
      } catch (RuntimeException e) {
        LOG.error("The commit watchdog failed a round; it goes on", e);
      }
    }
  }

  private void expireWaits() {
    long now = System.nanoTime();
    int expired = queue.expire(now - queueWait.toNanos());
    if (expired > 0) {
      metrics.rejected("commit_timeout", expired);
    }
    for (int i = 0; i < inFlight.length(); i++) {
      InFlight commit = inFlight.get(i);
      if (commit != null && now - commit.since() > commitWait.toNanos()) {
        // The commit goes on and may still succeed; completing a failed future does nothing.
        CommitTimedOut timedOut =
            new CommitTimedOut("a commit has run for over " + commitWait.toSeconds() + " s");
        commit.batch().forEach(pending -> pending.committed().completeExceptionally(timedOut));
      }
    }
  }

  private void run(int index) {
    while (!stopping || !queue.isDrained()) {
      List<IngestQueue.Pending> batch;
      try {
        if (index > 0
            && !stopping
            && queue.depth() < HELPER_QUEUE_DEPTH
            && threads.get(0).isAlive()) {
          // Each commit has a fixed cost; a helper joins only when the first committer falls
          // behind (or is gone), so light load keeps few, large commits.
          Thread.sleep(5);
          continue;
        }
        batch = queue.take(maxBatchEvents, 50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (!batch.isEmpty()) {
        inFlight.set(index, new InFlight(batch, System.nanoTime()));
        try {
          commit(batch);
        } finally {
          inFlight.set(index, null);
          // Had anything thrown past the store (an afterCommit, an Error), the rest of the batch
          // would wait with no limit: neither queued nor in flight, the watchdog cannot see it.
          answerTheRest(batch);
        }
      }
    }
  }

  private static void answerTheRest(List<IngestQueue.Pending> batch) {
    for (IngestQueue.Pending pending : batch) {
      if (!pending.committed().isDone()) {
        pending
            .committed()
            .completeExceptionally(new StoreException("the commit ended without an answer", null));
      }
    }
  }

  private void commit(List<IngestQueue.Pending> batch) {
    if (!tryCommit(batch) && batch.size() > 1) {
      // One bad beacon must not fail everyone else's: retry them one by one.
      for (IngestQueue.Pending pending : batch) {
        tryCommit(List.of(pending));
      }
    }
  }

  /**
   * Commits the batch in one transaction. On success completes every future; on failure of a single
   * submission fails its future; on failure of a larger batch leaves them for the retry.
   */
  private boolean tryCommit(List<IngestQueue.Pending> batch) {
    List<StoredBeacon> beacons = new ArrayList<>(batch.size());
    int events = 0;
    for (IngestQueue.Pending pending : batch) {
      beacons.add(pending.beacon());
      events += pending.size();
    }
    long started = System.nanoTime();
    try {
      store.append(beacons);
    } catch (StoreException | RuntimeException | Error e) {
      StoreException failure =
          e instanceof StoreException storeException
              ? storeException
              : new StoreException("append failed: " + e, e);
      lastFailure = new Failure(failure, System.nanoTime());
      metrics.commitFailed();
      if (batch.size() == 1) {
        LOG.error("Commit of {} events failed; the request gets 503", events, failure);
        batch.get(0).committed().completeExceptionally(failure);
      } else {
        LOG.warn("Commit of {} beacons failed; retrying them one by one", batch.size(), failure);
      }
      return false;
    }
    lastFailure = null;
    metrics.committed(Duration.ofNanos(System.nanoTime() - started));
    metrics.accepted(events);
    for (IngestQueue.Pending pending : batch) {
      if (pending.afterCommit() != null) {
        try {
          pending.afterCommit().run();
        } catch (RuntimeException e) {
          // The events are committed all the same; only what was to follow is missing.
          LOG.warn("What was to run after a commit failed; the commit stands", e);
        }
      }
      pending.committed().complete(null);
    }
    return true;
  }

  /** A failed commit and when it happened ({@link System#nanoTime()}). */
  public record Failure(StoreException cause, long atNanos) {}

  /** The last commit's failure, or null when the last commit succeeded. */
  public Failure lastFailure() {
    return lastFailure;
  }

  public boolean isRunning() {
    return !stopping && watchdog.isAlive() && threads.stream().allMatch(Thread::isAlive);
  }

  /** Refuses new work, commits everything already queued, then stops. */
  @Override
  public void close() {
    queue.close();
    stopping = true;
    try {
      for (Thread thread : threads) {
        thread.join(Duration.ofSeconds(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    watchdog.interrupt(); // only now: a drain's last commits are still bounded by it
    queue.failRemaining(new IngestQueue.Rejected("the server is shutting down"));
  }
}
