package io.playlens.ingest;

import static java.util.Objects.requireNonNull;

import io.playlens.store.EventRow;
import io.playlens.store.EventStore;
import io.playlens.store.StoreException;
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

  private final IngestQueue queue;
  private final EventStore store;
  private final IngestMetrics metrics;
  private final int maxBatchEvents;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile StoreException lastFailure;

  public GroupCommitter(
      IngestQueue queue, EventStore store, IngestMetrics metrics, int maxBatchEvents) {
    this.queue = requireNonNull(queue, "queue is null");
    this.store = requireNonNull(store, "store is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.maxBatchEvents = maxBatchEvents;
    this.thread = Thread.ofPlatform().name("playlens-committer").unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    while (!stopping || !queue.isDrained()) {
      List<IngestQueue.Pending> batch;
      try {
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
    List<EventRow> rows = new ArrayList<>();
    for (IngestQueue.Pending pending : batch) {
      rows.addAll(pending.rows());
    }
    long started = System.nanoTime();
    try {
      store.append(rows);
      lastFailure = null;
      metrics.committed(Duration.ofNanos(System.nanoTime() - started));
      metrics.accepted(rows.size());
      for (IngestQueue.Pending pending : batch) {
        pending.committed().complete(null);
      }
    } catch (StoreException | RuntimeException e) {
      StoreException failure =
          e instanceof StoreException storeException
              ? storeException
              : new StoreException("append failed: " + e, e);
      lastFailure = failure;
      metrics.commitFailed();
      LOG.error("Commit of {} events failed; their requests get 503", rows.size(), failure);
      for (IngestQueue.Pending pending : batch) {
        pending.committed().completeExceptionally(failure);
      }
    }
  }

  /** The last commit's failure, or null when the last commit succeeded. */
  public StoreException lastFailure() {
    return lastFailure;
  }

  public boolean isRunning() {
    return thread.isAlive() && !stopping;
  }

  /** Refuses new work, commits everything already queued, then stops. */
  @Override
  public void close() {
    queue.close();
    stopping = true;
    try {
      thread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.failRemaining(new IngestQueue.Rejected("the server is shutting down"));
  }
}
