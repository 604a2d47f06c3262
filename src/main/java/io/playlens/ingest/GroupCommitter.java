package io.playlens.ingest;

import static java.util.Objects.requireNonNull;

import io.playlens.store.EventStore;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer. Takes whatever the queue holds (up to a batch limit), writes it in one
 * transaction and only then completes each request's future, so a 2xx means the events are on disk.
 * While one commit runs, the next requests gather: batch size grows with load by itself.
 */
public final class GroupCommitter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

  /** Events waiting before committers other than the first start taking work. */
  static final int HELPER_QUEUE_DEPTH = 2_000;

  private final IngestQueue queue;
  private final EventStore store;
  private final IngestMetrics metrics;
  private final int maxBatchEvents;
  private final List<Thread> threads;
  private volatile boolean stopping;
  private volatile Failure lastFailure;

  public GroupCommitter(
      IngestQueue queue, EventStore store, IngestMetrics metrics, int maxBatchEvents, int threads) {
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
  }

  public void start() {
    threads.forEach(Thread::start);
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
        commit(batch);
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
        pending.afterCommit().run();
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
    return !stopping && threads.stream().allMatch(Thread::isAlive);
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
    queue.failRemaining(new IngestQueue.Rejected("the server is shutting down"));
  }
}
