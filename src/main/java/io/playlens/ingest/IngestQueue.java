package io.playlens.ingest;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoredBeacon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hand-off between request threads and the group committer, bounded by the number of events
 * waiting: when full, {@link #submit} refuses at once rather than letting memory grow.
 */
public final class IngestQueue {
  private final int capacity;
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private volatile boolean closed;

  public IngestQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * A beacon waiting to be committed, what to run once it is durable (null for nothing), the future
   * that completes then, when it was queued ({@link System#nanoTime()}) and whether it may be taken
   * back after waiting too long (see {@link #expire}).
   */
  public record Pending(
      StoredBeacon beacon,
      Runnable afterCommit,
      CompletableFuture<Void> committed,
      long queuedAt,
      boolean expires) {
    public Pending {
      requireNonNull(beacon, "beacon is null");
      requireNonNull(committed, "committed is null");
    }

    int size() {
      return beacon.events().size();
    }
  }

  /** Thrown when the queue cannot take more: the client should retry after a moment. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    public Rejected(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Fails a submission that waited too long for a committer: it was taken out of the queue, so
   * nothing of it is stored and its client may send it again.
   */
  public static final class Expired extends Exception {
    private static final long serialVersionUID = 1L;

    public Expired(String message) {
      super(message, null, false, false);
    }
  }

  /** As {@link #submit(StoredBeacon, Runnable, boolean)}: nothing to run after, and it expires. */
  public CompletableFuture<Void> submit(StoredBeacon beacon) throws Rejected {
    return submit(beacon, null, true);
  }

  /**
   * Queues the beacon; the returned future completes once it is committed to the store, after
   * {@code afterCommit} (when not null) has run on the committer. With {@code expires} the
   * submission may be taken back after waiting too long (a client waits, and can send it again);
   * without, it waits for its commit however long the queue is (history written by {@code generate}
   * and the demo).
   */
  public CompletableFuture<Void> submit(StoredBeacon beacon, Runnable afterCommit, boolean expires)
      throws Rejected {
    if (closed) {
      throw new Rejected("the server is shutting down");
    }
    int size = beacon.events().size();
    if (queuedEvents.addAndGet(size) > capacity && size > 0) {
      queuedEvents.addAndGet(-size);
      throw new Rejected("the ingest queue is full");
    }
    Pending item =
        new Pending(beacon, afterCommit, new CompletableFuture<>(), System.nanoTime(), expires);
    pending.add(item);
    if (closed && pending.remove(item)) {
      // Closed while we were adding: the committers may already have drained for the last time.
      queuedEvents.addAndGet(-size);
      throw new Rejected("the server is shutting down");
    }
    return item.committed();
  }

  /**
   * Waits up to {@code waitMillis} for work, then takes what is queued until the batch holds at
   * least {@code maxEvents} events or the queue is empty. Empty when nothing arrived. Safe to call
   * from several threads: each submission is taken exactly once.
   */
  List<Pending> take(int maxEvents, long waitMillis) throws InterruptedException {
    Pending first = pending.poll(waitMillis, TimeUnit.MILLISECONDS);
    List<Pending> batch = new ArrayList<>();
    if (first == null) {
      return batch;
    }
    batch.add(first);
    int events = first.size();
    // Poll, never peek-then-poll: several committers drain this queue at once. The limit is soft:
    // a batch may end one beacon (at most 500 events) past it.
    Pending next;
    while (events < maxEvents && (next = pending.poll()) != null) {
      batch.add(next);
      events += next.size();
    }
    queuedEvents.addAndGet(-events);
    return batch;
  }

  /**
   * Takes out every submission that may expire, was queued before {@code queuedBefore} ({@link
   * System#nanoTime()}) and that no committer has taken yet, and fails it with {@link Expired}. The
   * queue is in arrival order, so this looks no further than the first younger one. Returns how
   * many were taken out.
   */
  public int expire(long queuedBefore) {
    int expired = 0;
    for (Pending item : pending) { // weakly consistent: committers may take items meanwhile
      if (item.queuedAt() - queuedBefore >= 0) {
        break;
      }
      // A committer may have taken it meanwhile: then it is theirs.
      if (item.expires() && pending.remove(item)) {
        queuedEvents.addAndGet(-item.size());
        item.committed()
            .completeExceptionally(new Expired("waited too long for a commit; nothing was stored"));
        expired++;
      }
    }
    return expired;
  }

  /** Stops taking new submissions; what is queued is still committed. */
  void close() {
    closed = true;
  }

  /** Fails whatever is still queued (after the committer stopped), so no caller waits forever. */
  void failRemaining(Exception cause) {
    Pending item;
    while ((item = pending.poll()) != null) {
      queuedEvents.addAndGet(-item.size());
      item.committed().completeExceptionally(cause);
    }
  }

  boolean isDrained() {
    return pending.isEmpty();
  }

  public int depth() {
    return queuedEvents.get();
  }

  public int capacity() {
    return capacity;
  }
}
