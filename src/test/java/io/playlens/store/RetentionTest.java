package io.playlens.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    sessionAged(playerKey, session, "m1", age, "impression", "play");
  }

  /** Events of a session of media {@code media}, received {@code age} ago. */
  private void sessionAged(
      String playerKey, String session, String media, Duration age, String... types)
      throws Exception {
    StringBuilder events = new StringBuilder();
    for (String type : types) {
      events.append(events.isEmpty() ? "" : ",").append("{\"type\":\"").append(type).append("\"}");
    }
    String json =
        """
        {"key":"%s","session":"%s","media":{"id":"%s"},"events":[%s]}"""
            .formatted(playerKey, session, media, events);
    Collector collector = server.server().collector();
    var beacon = new BeaconParser().parse(json.getBytes(StandardCharsets.UTF_8));
    PlayerKey key = collector.authorise(beacon, null);
    collector
        .collect(
            beacon,
            key,
            new Collector.Client(IpAddresses.get("81.2.69.142"), TestServer.BROWSER, null),
            clock.instant().minus(age))
        .join();
  }

  private long data(String path, String apiKey) throws Exception {
    var response = server.get("/data/" + path, TestServer.basic(apiKey, ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body()).path("data").asLong();
  }

  private String playTotalBuckets(String apiKey) throws Exception {
    var response = server.get("/data/buckets/play-total/media-id", TestServer.basic(apiKey, ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body()).path("data").toString();
  }

  /**
   * All-time plays count every session with a play once, per media, before and after retention
   * deletes their events, including a session whose plays straddle the cut-off.
   */
  @Test
  void allTimePlaysOutliveTheEventsRetentionDeletes() throws Exception {
    var vault = server.createAccount("vault", "vault password");
    String key = vault.productionPlayerKey().key();
    String apiKey = vault.productionApiKey().secret();
    sessionAged(key, "old-1", "m1", Duration.ofDays(31), "impression", "play");
    sessionAged(key, "old-2", "m2", Duration.ofDays(40), "impression", "play", "play");
    sessionAged(key, "recent", "m1", Duration.ofDays(29), "play");
    sessionAged(key, "straddling", "m1", Duration.ofDays(31), "play");
    sessionAged(key, "straddling", "m1", Duration.ofDays(29), "play"); // same session, later
    sessionAged(key, "no-play", "m1", Duration.ofDays(31), "impression");
    sessionAged(vault.sandboxPlayerKey().key(), "sandbox", "m1", Duration.ofHours(25), "play");
    String expected =
        "[{\"dimensionValue\":\"m1\",\"metricValue\":3},"
            + "{\"dimensionValue\":\"m2\",\"metricValue\":1}]";

    for (int run = 0; run < 3; run++) {
      assertThat(data("metrics/play/total", apiKey)).as("run " + run).isEqualTo(4);
      assertThat(playTotalBuckets(apiKey)).as("run " + run).isEqualTo(expected);
      assertThat(data("metrics/play/total?filterBy[mediaId][]=m2", apiKey)).isEqualTo(1);
      assertThat(data("metrics/play/total", vault.sandboxApiKey().secret())).isEqualTo(1);
      server.server().retention().runOnce();
      clock.advance(Duration.ofDays(1));
    }
    // Everything is archived by now; from and to do not limit all-time plays.
    assertThat(server.query("SELECT count(*) AS n FROM events")).containsExactly(Map.of("n", 0L));
    assertThat(data("metrics/play/total?from=2020-01-01T00:00:00Z", apiKey)).isEqualTo(4);
    assertThat(data("metrics/play/count", apiKey)).isZero();
    var refused =
        server.get("/data/metrics/play/total?filterBy[country]=FR", TestServer.basic(apiKey, ""));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("filterBy[country]");
    var wrongBreakdown =
        server.get("/data/buckets/play-total/country", TestServer.basic(apiKey, ""));
    assertThat(wrongBreakdown.statusCode()).isEqualTo(400);
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

  /**
   * A run with nothing past the retention seals nothing (on a busy store that would hold up the
   * live rows for nothing); once the events are past it, the run seals and deletes them.
   */
  @Test
  void aRunWithNothingPastTheRetentionSealsNothing(@TempDir Path other) throws Exception {
    server.close();
    server = TestServer.startSealingOnDemand(other, clock);
    server.server().admin().set("shop", null, null, Retention.DAYS_90.wireName());
    sessionAged(TestServer.KEY, "young", Duration.ofDays(2));
    long seals = server.server().embedded().seals();

    assertThat(server.server().retention().runOnce()).isZero();
    assertThat(server.server().embedded().seals()).isEqualTo(seals);
    assertThat(server.server().embedded().unsealedBatches()).isPositive();

    clock.advance(Duration.ofDays(89));
    assertThat(server.server().retention().runOnce()).isEqualTo(2);
    assertThat(server.server().embedded().seals()).isEqualTo(seals + 1);
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

    // past the grace it goes, in a run that finds nothing else to delete
    clock.advance(Duration.ofDays(2));
    assertThat(server.server().retention().runOnce()).isZero();
    assertThat(server.query("SELECT count(*) AS n FROM contexts")).containsExactly(Map.of("n", 0L));
  }
}
