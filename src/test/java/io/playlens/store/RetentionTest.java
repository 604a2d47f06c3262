package io.playlens.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.PlayerKey;
import io.playlens.account.Retention;
import io.playlens.collect.BeaconParser;
import io.playlens.collect.Collector;
import io.playlens.enrich.IpAddresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Production data is kept for the account's retention, sandbox data for 24 hours; the job deletes
 * the rest and nothing else.
 */
class RetentionTest {
  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, config -> config, clock);
    server.server().admin().set("shop", null, null, Retention.DAYS_90.wireName());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A session of two events received {@code age} ago through the real collection path. */
  private void sessionAged(String playerKey, String session, Duration age) throws Exception {
    String json =
        """
        {"key":"%s","session":"%s","media":{"id":"m1"},"events":[{"type":"impression"},{"type":"play"}]}"""
            .formatted(playerKey, session);
    Collector collector = server.server().collector();
    var beacon = new BeaconParser().parse(json.getBytes(StandardCharsets.UTF_8));
    PlayerKey key = collector.authorise(beacon, null);
    collector
        .collect(
            beacon,
            key,
            new Collector.Client(IpAddresses.get("81.2.69.142"), TestServer.BROWSER, null),
            clock.instant().minus(age))
        .result()
        .join();
  }

  @Test
  void eachEnvironmentKeepsWhatItsRetentionAllowsAndNoMore() throws Exception {
    sessionAged(TestServer.KEY, "production-31-days", Duration.ofDays(31));
    sessionAged(TestServer.KEY, "production-29-days", Duration.ofDays(29));
    sessionAged(TestServer.SANDBOX_KEY, "sandbox-25-hours", Duration.ofHours(25));
    sessionAged(TestServer.SANDBOX_KEY, "sandbox-23-hours", Duration.ofHours(23));
    sessionAged(TestServer.ORIGIN_KEY, "shop-89-days", Duration.ofDays(89)); // 90-day retention

    long deleted = server.server().retention().runOnce();

    assertThat(deleted).isEqualTo(4);
    assertThat(server.query("SELECT DISTINCT session_id FROM event_details ORDER BY session_id"))
        .extracting(row -> row.get("session_id"))
        .containsExactly("production-29-days", "sandbox-23-hours", "shop-89-days");
    assertThat(server.server().retention().runOnce()).isZero();
    assertThat(server.query("SELECT count(*) AS n FROM events")).containsExactly(Map.of("n", 6L));
  }

  @Test
  void asTheClockMovesOnDataAgesOutOfItsRetention() throws Exception {
    sessionAged(TestServer.KEY, "production-29-days", Duration.ofDays(29));
    sessionAged(TestServer.KEY, "production-90-days", Duration.ofDays(90)); // many slices
    sessionAged(TestServer.SANDBOX_KEY, "sandbox-20-hours", Duration.ofHours(20));
    assertThat(server.server().retention().runOnce()).isEqualTo(2);

    clock.advance(Duration.ofHours(5));
    assertThat(server.server().retention().runOnce()).isEqualTo(2); // the sandbox session: 25 h
    assertThat(server.query("SELECT DISTINCT session_id FROM event_details"))
        .extracting(row -> row.get("session_id"))
        .containsExactly("production-29-days");

    clock.advance(Duration.ofDays(2));
    assertThat(server.server().retention().runOnce()).isEqualTo(2);
    assertThat(server.query("SELECT count(*) AS n FROM events")).containsExactly(Map.of("n", 0L));
  }

  @Test
  void aSessionsContextRowGoesOnceItsEventsHaveAndItIsTwoDaysPastTheCutOff() throws Exception {
    sessionAged(TestServer.KEY, "production-31-days", Duration.ofDays(31));
    sessionAged(TestServer.KEY, "production-33-days", Duration.ofDays(33));
    sessionAged(TestServer.SANDBOX_KEY, "sandbox-4-days", Duration.ofDays(4));

    assertThat(server.server().retention().runOnce()).isEqualTo(6);

    // 31 days: its events are gone, its context waits out the grace (30 + 2 days).
    assertThat(server.query("SELECT session_id FROM contexts ORDER BY session_id"))
        .extracting(row -> row.get("session_id"))
        .containsExactly("production-31-days");
  }
}
