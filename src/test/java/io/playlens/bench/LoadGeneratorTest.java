package io.playlens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against a real server: every event it reports as stored is in the store, the
 * simulated addresses reach enrichment through the trusted proxy header, and freshness probes are
 * answered by the real /data/metrics route.
 */
class LoadGeneratorTest {
  @TempDir static Path dataDir;
  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dataDir,
            config ->
                config.trustedProxies(List.of("127.0.0.1/32")).readsPerMinute(100_000, 100_000));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static long storedEvents(String account) {
    return ((Number)
            server
                .query(
                    "SELECT count(*) AS n FROM events e JOIN contexts c USING (context_id)"
                        + " WHERE c.account = '"
                        + account
                        + "'")
                .getFirst()
                .get("n"))
        .longValue();
  }

  @Test
  void everyEventItReportsStoredIsInTheStoreAndFreshnessIsMeasured() throws Exception {
    AccountAdmin.NewAccount account = server.createAccount("load", "load password");
    LoadGenerator.Report report =
        new LoadGenerator(
                new LoadGenerator.Settings(
                    List.of(server.uri("/")),
                    account.productionPlayerKey().key(),
                    30,
                    Duration.ofSeconds(5),
                    1,
                    20,
                    account.productionApiKey().secret(),
                    Duration.ofMillis(250),
                    7))
            .run(progress -> {});

    assertThat(report.errors()).isEmpty();
    assertThat(report.requests()).isGreaterThan(100);
    assertThat(report.eventsSent()).isEqualTo(report.requests()); // batch 1
    assertThat(report.eventsAccepted() + report.eventsDropped()).isEqualTo(report.eventsSent());
    assertThat(report.acknowledgement().count()).isEqualTo(report.requests());
    assertThat(report.freshness().count()).isGreaterThan(3);
    assertThat(report.freshness().p50()).isPositive();
    // each probe is one more stored play
    long probes = report.freshness().count() + report.probesUnseen();
    assertThat(storedEvents("load")).isEqualTo(report.eventsAccepted() + probes);
    List<Object> countries = new ArrayList<>();
    server
        .query(
            "SELECT DISTINCT country FROM contexts WHERE account = 'load' AND country IS NOT"
                + " NULL")
        .forEach(row -> countries.add(row.get("country")));
    assertThat(countries).hasSizeGreaterThan(3);
  }

  @Test
  void batchesCarrySeveralEventsPerRequest() throws Exception {
    AccountAdmin.NewAccount account = server.createAccount("batched", "load password");
    LoadGenerator.Report report =
        new LoadGenerator(
                new LoadGenerator.Settings(
                    List.of(server.uri("/")),
                    account.productionPlayerKey().key(),
                    20,
                    Duration.ofSeconds(4),
                    10,
                    50,
                    null,
                    Duration.ofSeconds(1),
                    3))
            .run(progress -> {});

    assertThat(report.errors()).isEmpty();
    assertThat((double) report.eventsSent() / report.requests()).isGreaterThan(3);
    assertThat(report.freshness().count()).isZero(); // no API key: no probes
    assertThat(storedEvents("batched")).isEqualTo(report.eventsAccepted());
  }

  @Test
  void theCommandRefusesBadSettingsClearly() {
    TestServer.CliResult noViewers =
        TestServer.runCli(
            "loadgen", "--url", "http://127.0.0.1:9", "--key", "pk_x", "--viewers", "0");
    assertThat(noViewers.exit()).isEqualTo(2);
    assertThat(noViewers.err()).contains("loadgen: viewers must be 1 to 100000 (got 0)");
    TestServer.CliResult badDuration =
        TestServer.runCli(
            "loadgen", "--url", "http://127.0.0.1:9", "--key", "pk_x", "--duration", "soon");
    assertThat(badDuration.exit()).isEqualTo(2);
    assertThat(badDuration.err())
        .contains("'soon' is not a duration (examples: 90s, 5m, 1h, 500ms)");
  }
}
