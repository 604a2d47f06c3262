package io.playlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.TestServer.CliResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code playlens bench queries} on a small generated store: every family of the mix answers from
 * the server process it starts (any non-200 would stop it), the direct SQL column and the per-call
 * table are filled where the mix has a direct question, and the key and user it made for itself are
 * gone afterwards.
 */
class BenchQueriesCommandTest {
  @TempDir Path data;

  @Test
  void reportsEachFamilyWithItsSqlRatioAndCleansUp() {
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

    CliResult bench =
        TestServer.runCli(
            "bench",
            "queries",
            "--data",
            data.toString(),
            "--account",
            "bench",
            "--reps",
            "2",
            "--warm-up",
            "1",
            "--days",
            "3");

    assertThat(bench.exit()).as(bench.err()).isZero();
    assertThat(bench.out())
        .containsPattern(
            "\\| api\\.video /data/metrics \\| 16 \\| [0-9.]+ ms .*\\| [0-9.]+ \\| [0-9.]+ \\|")
        .containsPattern("\\| api\\.video /data/buckets \\| 10 \\|")
        .containsPattern("\\| api\\.video /data/timeseries \\| 4 \\|")
        .containsPattern("\\| Wistia /v1/stats \\| 10 \\|")
        .containsPattern("\\| Wistia export \\| 2 \\|")
        .containsPattern("\\| dashboard \\(session\\) \\| 28 \\|")
        .contains("| **all** | 70 |")
        .containsPattern(
            "\\| api\\.video /data/metrics play/count \\| [0-9.]+ ms \\| [0-9.]+ ms \\| [0-9.]+ \\|");
    CliResult users =
        TestServer.runCli("user", "list", "--data", data.toString(), "--account", "bench");
    assertThat(users.out()).contains("owner@bench.test").doesNotContain("@bench.invalid");
  }

  @Test
  void refusesARunWithoutItsColdRound() {
    CliResult bench =
        TestServer.runCli(
            "bench", "queries", "--data", data.toString(), "--account", "bench", "--warm-up", "0");

    assertThat(bench.exit()).isEqualTo(2);
    assertThat(bench.err()).contains("--warm-up").contains("at least 1");
  }
}
