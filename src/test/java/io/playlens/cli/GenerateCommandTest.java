package io.playlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.TestServer.CliResult;
import io.playlens.store.duckdb.DuckDbEventStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code playlens generate} fills an account's store with history, through the real pipeline. */
class GenerateCommandTest {
  @TempDir Path data;

  private static long number(Connection connection, String sql) throws Exception {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  @Test
  void generatesTheEventsAskedForOverTheDaysAskedForAndFoldsThemIn() throws Exception {
    CliResult created =
        TestServer.runCli(
            "account",
            "create",
            "--data",
            data.toString(),
            "--key",
            "bench",
            "--name",
            "Bench",
            "--email",
            "owner@bench.test",
            "--password=bench-password");
    assertThat(created.exit()).as(created.err()).isZero();
    Instant before = Instant.now();

    CliResult generated =
        TestServer.runCli(
            "generate",
            "--data",
            data.toString(),
            "--geo-dir",
            TestServer.geoDir().toString(),
            "--account",
            "bench",
            "--events",
            "20k",
            "--days",
            "3");

    assertThat(generated.exit()).as(generated.err()).isZero();
    assertThat(generated.out())
        .contains("100%")
        .contains("events stored")
        .contains("folding the sessions");
    try (DuckDbEventStore store = DuckDbEventStore.open(data, 1, "256MB");
        Connection connection = store.readConnection()) {
      long events = number(connection, "SELECT count(*) FROM events");
      // 20,000 offered, less the ~3% sent with bots' user agents, which are dropped.
      assertThat(events).isBetween(18_000L, 20_500L);
      long oldest = number(connection, "SELECT epoch(min(event_time))::BIGINT FROM events");
      Instant threeDaysAgo = before.minus(Duration.ofDays(3));
      assertThat(Instant.ofEpochSecond(oldest))
          .isBetween(
              threeDaysAgo.minus(Duration.ofMinutes(5)), threeDaysAgo.plus(Duration.ofHours(2)));
      assertThat(number(connection, "SELECT count(DISTINCT country) FROM contexts"))
          .isGreaterThan(10); // enriched: many countries
      assertThat(number(connection, "SELECT count(*) FROM session_rollup"))
          .isEqualTo(number(connection, "SELECT count(DISTINCT session_id) FROM contexts"));
      assertThat(
              number(
                  connection,
                  "SELECT count(*) FROM events WHERE batch > (SELECT sealed_batch FROM rollup_state)"))
          .isZero();
    }
  }

  @Test
  void refusesAnAccountThatDoesNotExistAndACountThatIsNotOne() {
    CliResult missing =
        TestServer.runCli("generate", "--data", data.toString(), "--account", "nosuch");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("no account 'nosuch'").contains("account create");

    CliResult bad =
        TestServer.runCli(
            "generate", "--data", data.toString(), "--account", "x", "--events", "lots");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("'lots' is not a count");
  }
}
