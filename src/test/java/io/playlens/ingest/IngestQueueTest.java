package io.playlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.store.StoredBeacon;
import io.playlens.store.TestRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestQueueTest {
  private static StoredBeacon beacon(String session, int events) {
    return TestRows.beacon(session, events);
  }

  @Test
  void concurrentCommittersTakeEverySubmissionExactlyOnce() throws Exception {
    IngestQueue queue = new IngestQueue(1_000_000);
    Set<String> taken = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicBoolean producing = new AtomicBoolean(true);
    int submissions = 20_000;
    try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
      List<Future<?>> consumers = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        consumers.add(
            threads.submit(
                () -> {
                  while (producing.get() || !queue.isDrained()) {
                    for (IngestQueue.Pending pending : queue.take(50, 1)) {
                      if (!taken.add(pending.beacon().events().get(0).sessionId())) {
                        duplicates.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      List<Future<?>> producers = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        int producer = p;
        producers.add(
            threads.submit(
                () -> {
                  for (int i = producer; i < submissions; i += 3) {
                    queue.submit(beacon("s" + i, 1 + i % 7));
                  }
                  return null;
                }));
      }
      for (Future<?> producer : producers) {
        producer.get();
      }
      producing.set(false);
      for (Future<?> consumer : consumers) {
        consumer.get();
      }
    }
    assertThat(duplicates.get()).isZero();
    assertThat(taken).hasSize(submissions);
    assertThat(queue.depth()).isZero();
  }

  @Test
  void aFullQueueRefusesAndForgetsTheRefusedEvents() throws Exception {
    IngestQueue queue = new IngestQueue(10);
    queue.submit(beacon("a", 8));

    assertThatThrownBy(() -> queue.submit(beacon("b", 3)))
        .isInstanceOf(IngestQueue.Rejected.class)
        .hasMessage("the ingest queue is full");
    assertThat(queue.depth()).isEqualTo(8);
    queue.submit(beacon("c", 2));
    assertThat(queue.depth()).isEqualTo(10);
  }

  @Test
  void onlySubmissionsQueuedBeforeTheCutOffThatNoCommitterTookExpire() throws Exception {
    IngestQueue queue = new IngestQueue(100);
    var old = queue.submit(beacon("a", 3));
    var taken = queue.submit(beacon("b", 2));
    assertThat(queue.take(2, 10))
        .extracting(p -> p.beacon().events().get(0).sessionId())
        .containsExactly("a");
    // "a" is a committer's now; "b" still waits, queued before the cut-off, and "c" after it
    Thread.sleep(2);
    long cutOff = System.nanoTime();
    Thread.sleep(2);
    var young = queue.submit(beacon("c", 4));

    assertThat(queue.expire(cutOff)).isEqualTo(1);

    assertThat(taken)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IngestQueue.Expired.class);
    assertThat(old).isNotDone();
    assertThat(young).isNotDone();
    assertThat(queue.depth()).isEqualTo(4);
    assertThat(queue.expire(cutOff)).isZero();
    assertThat(queue.take(100, 10))
        .extracting(p -> p.beacon().events().get(0).sessionId())
        .containsExactly("c");
  }

  @Test
  void aSubmissionThatWaitsForItsCommitHoweverLongNeverExpires() throws Exception {
    IngestQueue queue = new IngestQueue(100);
    var history = queue.submit(beacon("history", 3), null, false);
    var client = queue.submit(beacon("client", 2));
    Thread.sleep(2);

    assertThat(queue.expire(System.nanoTime())).isEqualTo(1);

    assertThat(history).isNotDone();
    assertThat(client).isCompletedExceptionally();
    assertThat(queue.depth()).isEqualTo(3);
  }

  @Test
  void aClosedQueueRefusesNewWorkAndFailsWhatNobodyWillCommit() throws Exception {
    IngestQueue queue = new IngestQueue(10);
    var pending = queue.submit(beacon("a", 1));
    queue.close();

    assertThatThrownBy(() -> queue.submit(beacon("b", 1)))
        .hasMessage("the server is shutting down");
    queue.failRemaining(new IllegalStateException("stopped"));
    assertThat(pending).isCompletedExceptionally();
    assertThat(queue.depth()).isZero();
  }
}
