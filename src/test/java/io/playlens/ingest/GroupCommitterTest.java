package io.playlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.playlens.store.EventStore;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import io.playlens.store.TestRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {
  /** Refuses any transaction that holds a poisoned session, like a store meeting a bad row. */
  private static final class PoisonableStore implements EventStore {
    final Set<String> stored = ConcurrentHashMap.newKeySet();
    final CountDownLatch firstAppend = new CountDownLatch(1);
    volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public void append(List<StoredBeacon> beacons) throws StoreException {
      firstAppend.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (StoredBeacon beacon : beacons) {
        if (beacon.events().get(0).sessionId().startsWith("poison")) {
          throw new StoreException("bad row in " + beacon.events().get(0).sessionId(), null);
        }
      }
      beacons.forEach(beacon -> stored.add(beacon.events().get(0).sessionId()));
    }

    @Override
    public void checkWritable() {}

    @Override
    public long countEvents() {
      return stored.size();
    }

    @Override
    public long deleteBefore(String account, String environment, java.time.Instant before) {
      throw new UnsupportedOperationException("the committer never deletes");
    }

    @Override
    public long seal() {
      throw new UnsupportedOperationException("the committer never seals");
    }

    @Override
    public void close() {}
  }

  private static StoredBeacon beacon(String session) {
    return TestRows.beacon(session, 1);
  }

  /**
   * One committer on a queue and a store whose first commit is held open until {@code
   * store.release} is counted down, so the submissions behind it gather into one batch.
   */
  private static final class Rig implements AutoCloseable {
    final IngestQueue queue = new IngestQueue(1_000);
    final PoisonableStore store = new PoisonableStore();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final GroupCommitter committer;

    Rig() {
      this(GroupCommitter.QUEUE_WAIT, GroupCommitter.COMMIT_WAIT);
    }

    Rig(Duration queueWait, Duration commitWait) {
      store.release = new CountDownLatch(1);
      committer =
          new GroupCommitter(
              queue, store, new IngestMetrics(registry, queue), 10_000, 1, queueWait, commitWait);
      committer.start();
    }

    /** Submits {@code session} and waits until its commit has started, and is held open. */
    CompletableFuture<Void> holdFirstCommit(String session) throws Exception {
      CompletableFuture<Void> first = queue.submit(beacon(session));
      assertThat(store.firstAppend.await(5, TimeUnit.SECONDS)).isTrue();
      return first;
    }

    @Override
    public void close() {
      committer.close();
    }
  }

  @Test
  void oneBadBeaconFailsAloneAndTheRestOfItsBatchIsCommitted() throws Exception {
    try (Rig rig = new Rig()) {
      IngestQueue queue = rig.queue;
      PoisonableStore store = rig.store;
      // The first commit is held open so the next submissions gather into one batch.
      CompletableFuture<Void> first = rig.holdFirstCommit("first");
      List<CompletableFuture<Void>> good = new ArrayList<>();
      good.add(queue.submit(beacon("a")));
      CompletableFuture<Void> poisoned = queue.submit(beacon("poison-1"));
      good.add(queue.submit(beacon("b")));
      store.release.countDown();

      first.get(5, TimeUnit.SECONDS);
      for (CompletableFuture<Void> future : good) {
        future.get(5, TimeUnit.SECONDS);
      }
      assertThat(poisoned).failsWithin(5, TimeUnit.SECONDS);
      assertThat(store.stored).containsExactlyInAnyOrder("first", "a", "b");
      assertThat(rig.committer.lastFailure()).isNull();
      assertThat(rig.registry.scrape()).contains("playlens_batches_failed_total 2.0");
    }
  }

  @Test
  void theWatchdogEndsWaitsForACommitThatRunsTooLong() throws Exception {
    try (Rig rig = new Rig(Duration.ofMillis(200), Duration.ofMillis(400))) {
      IngestQueue queue = rig.queue;
      PoisonableStore store = rig.store;
      CompletableFuture<Void> stuck = rig.holdFirstCommit("stuck");
      CompletableFuture<Void> behind = queue.submit(beacon("behind"));

      assertThat(behind)
          .failsWithin(5, TimeUnit.SECONDS)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IngestQueue.Expired.class);
      assertThat(queue.depth()).isZero();
      assertThat(stuck)
          .failsWithin(5, TimeUnit.SECONDS)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(GroupCommitter.CommitTimedOut.class);

      // The slow commit still ends; what expired was taken out of the queue and is never stored.
      store.release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!store.stored.contains("stuck") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(store.stored).containsExactly("stuck");
      assertThat(rig.registry.scrape())
          .contains("playlens_beacons_rejected_total{reason=\"commit_timeout\"} 1.0");
    }
  }

  @Test
  void aBatchIsAnsweredWhateverFailsAfterItsCommit() throws Exception {
    try (Rig rig = new Rig()) {
      IngestQueue queue = rig.queue;
      PoisonableStore store = rig.store;
      CompletableFuture<Void> first = rig.holdFirstCommit("first");
      // Held behind the first commit, these two make the next batch together.
      CompletableFuture<Void> failing =
          queue.submit(
              beacon("a"),
              () -> {
                throw new IllegalStateException("cache full");
              },
              true);
      CompletableFuture<Void> next = queue.submit(beacon("b"));
      store.release.countDown();

      first.get(5, TimeUnit.SECONDS);
      failing.get(5, TimeUnit.SECONDS);
      next.get(5, TimeUnit.SECONDS);
      assertThat(rig.committer.isRunning()).isTrue();

      // An Error leaves the committer, but not before its batch is answered.
      CompletableFuture<Void> broken =
          queue.submit(
              beacon("c"),
              () -> {
                throw new AssertionError("broken");
              },
              true);
      assertThat(broken).failsWithin(5, TimeUnit.SECONDS);
      assertThat(store.stored).contains("first", "a", "b", "c");
    }
  }
}
