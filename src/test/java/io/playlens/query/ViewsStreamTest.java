package io.playlens.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.store.duckdb.DuckDbEventStore;
import io.playlens.store.duckdb.SessionRollup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming every view ({@code limit=all}) reads the newer and the older half at once, the older on
 * a thread of its own: every view arrives once and in order across the two, and a writer that fails
 * (the client gone) in either half ends the stream with its error instead of leaving a reader
 * going.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a stuck hand-over fails here instead of hanging
class ViewsStreamTest {
  /** Enough to be split in two halves. */
  private static final int VIEWS = (int) Views.SPLIT_FROM + 1_001;

  @TempDir Path dataDir;

  private DuckDbEventStore store;
  private Queries queries;

  @BeforeEach
  void sessions() throws Exception {
    store = DuckDbEventStore.open(dataDir, 1, "256MB");
    try (Connection connection = store.readConnection();
        Statement statement = connection.createStatement()) {
      // Session i began i seconds before 2026-11-01T12:00Z: session-0 is the newest.
      statement.execute(
          "INSERT INTO session_rollup ("
              + SessionRollup.COLUMNS
              + ") SELECT 'acme', 'production', 'session-' || i, 'viewer-' || i, 'big', 'video',"
              + " 'Big', 600.0, [], 'https://www.example.com/watch', NULL, NULL, '81.2.69.1',"
              + " 'GB', 'England', 'London', 51.5, -0.09, 'EU', 'Org', 'computer', 'windows',"
              + " 'chrome', 'Mozilla/5.0', '10', '131.0', t, t, t, t, t, NULL, 900,"
              + " [{'f': 0.0, 't': 60.0}], 60.0, [], 5, [{'f': 0.0, 't': 60.0, 'n': 1}]"
              + " FROM (SELECT i, TIMESTAMP '2026-11-01 12:00:00' - to_seconds(i) AS t"
              + " FROM range("
              + VIEWS
              + ") r(i))");
    }
    queries =
        new Queries(store::readConnection, store::unsealedEvents, store::liveRows, 500, 20_000);
  }

  @AfterEach
  void close() throws Exception {
    queries.close();
    store.close();
  }

  private long streamAll(Views.Format format, Views.Sink sink) throws Exception {
    Instant to = Instant.parse("2026-11-02T00:00:00Z");
    return queries.listViews(
        Views.Selection.ofMedia(
            "acme", "production", "big", to.minus(30, ChronoUnit.DAYS), to, false),
        format,
        null,
        null,
        null,
        0,
        -1,
        sink);
  }

  @Test
  void everyViewArrivesOnceNewestFirstAcrossTheBatches() throws Exception {
    for (Views.Format format : Views.Format.values()) {
      List<String> seen = new ArrayList<>();
      long sent =
          streamAll(format, view -> seen.add(new String(view.utf8(), StandardCharsets.UTF_8)));

      assertThat(sent).isEqualTo(VIEWS);
      assertThat(seen).hasSize(VIEWS);
      for (int i = 0; i < VIEWS; i++) {
        assertThat(seen.get(i))
            .contains("session-" + i + (format == Views.Format.CSV ? "," : "\""));
      }
    }
  }

  @Test
  void aFailingWriterEndsTheStreamWithItsErrorInEitherHalf() {
    for (int failAt : new int[] {3, VIEWS - 5}) {
      List<String> seen = new ArrayList<>();
      Views.Sink failing =
          view -> {
            seen.add(new String(view.utf8(), StandardCharsets.UTF_8));
            if (seen.size() == failAt) {
              throw new IOException("the client went away");
            }
          };

      assertThatThrownBy(() -> streamAll(Views.Format.CSV, failing))
          .isInstanceOf(IOException.class)
          .hasMessage("the client went away");
      assertThat(seen).hasSize(failAt); // nothing more was written after the failure
    }
  }

  @Test
  void aWriterThrowingAnUncheckedErrorIsNotTakenForASuccess() {
    Views.Sink failing =
        view -> {
          throw new IllegalStateException("broken sink");
        };

    assertThatThrownBy(() -> streamAll(Views.Format.JSON, failing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("broken sink");
  }
}
