package io.playlens.api.apivideo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unique views count one per viewer (user agent + IP) and day: whole days of a question come from
 * the per-day viewer rows the sealer keeps, its part-days and days with unsealed sessions from the
 * sessions. Asked from 03-01 12:00 to 03-04 12:00 UTC (whole days 03-02 and 03-03); viewers A
 * (agent 1, address 1), B (agent 1, address 2), C (agent 2, address 1):
 *
 * <pre>
 * s1  A  03-01 10:00  watched 20 s   before the range: not counted (though A plays on 03-01)
 * s2  A  03-01 13:00  watched  4 s   part-day 03-01
 * s3  B  03-01 23:59  watched 10 s   part-day 03-01
 * s4  A  03-02 08:00  watched  3 s   03-02: A's longest is s5's
 * s5  A  03-02 20:00  watched 40 s
 * s6  C  03-02 09:00  watched  6 s   (12 s once its later beacon comes)
 * s7  A  03-03 00:00  watched  8 s   the first instant of 03-03
 * s8  B  03-03 15:00  played, watched nothing
 * s9  C  03-04 11:00  watched 30 s   part-day 03-04
 * s10 C  03-04 12:30  watched 30 s   after the range: not counted
 * s11 A  03-02 22:00  watched  1 s   sent and sealed after the others
 * </pre>
 *
 * Unique views per day at 3 s: 03-01 A B, 03-02 A C, 03-03 A, 03-04 C: 6 (7 plain views, s4 and s5
 * being one viewer's); at 5 s: B, A C, A, C: 5; at 10 s: B, A, -, C: 3; at 30 s: -, A, -, C: 2.
 */
class UniqueViewsByDayTest {
  private static final String AGENT_1 = TestServer.BROWSER;
  private static final String AGENT_2 =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
          + " Version/17.4 Safari/605.1.15";
  private static final String RANGE = "from=2026-03-01T12:00:00Z&to=2026-03-04T12:00:00Z";

  /** The per-day viewer rows as their definition gives them from the session rows. */
  private static final String DEFINITION =
      "SELECT account, environment, CAST(play_at AS DATE) AS day, user_agent, ip, max(watched) AS"
          + " watched FROM session_rollup WHERE play_at IS NOT NULL GROUP BY ALL"
          + " ORDER BY day, user_agent, ip";

  private static final String KEPT =
      "SELECT account, environment, day, user_agent, ip, watched FROM daily_viewers"
          + " ORDER BY day, user_agent, ip";

  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-05T12:00:00Z"));
  private TestServer server;
  private AccountAdmin.NewAccount account;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A server that seals only when told to, with the test's account. */
  private void start() {
    server = TestServer.startSealingOnDemand(dataDir, clock);
    account = server.createAccount("uniq", "unique views password");
  }

  @Test
  void wholeDaysFromTheSealersRowsPartDaysAndUnsealedDaysFromTheSessions() throws Exception {
    start();
    play("s1", "2026-03-01T10:00:00Z", AGENT_1, "81.2.69.142", 20);
    play("s2", "2026-03-01T13:00:00Z", AGENT_1, "81.2.69.142", 4);
    play("s3", "2026-03-01T23:59:00Z", AGENT_1, "81.2.69.160", 10);
    play("s4", "2026-03-02T08:00:00Z", AGENT_1, "81.2.69.142", 3);
    play("s5", "2026-03-02T20:00:00Z", AGENT_1, "81.2.69.142", 40);
    play("s6", "2026-03-02T09:00:00Z", AGENT_2, "81.2.69.142", 6);
    play("s7", "2026-03-03T00:00:00Z", AGENT_1, "81.2.69.142", 8);
    play("s8", "2026-03-03T15:00:00Z", AGENT_1, "81.2.69.160", 0);
    play("s9", "2026-03-04T11:00:00Z", AGENT_2, "81.2.69.142", 30);
    play("s10", "2026-03-04T12:30:00Z", AGENT_2, "81.2.69.142", 30);
    Map<String, Long> expected = Map.of("3s", 6L, "5s", 5L, "10s", 3L, "30s", 2L, "3s plain", 7L);

    // Nothing sealed: every day from the sessions.
    assertThat(server.query("SELECT count(*) AS n FROM daily_viewers"))
        .containsExactly(Map.of("n", 0L));
    assertThat(views()).isEqualTo(expected);

    // Sealed: the whole days from the sealer's rows.
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).hasSize(7).isEqualTo(server.query(DEFINITION));
    assertThat(views()).isEqualTo(expected);

    // C watches on in s6 (now 12 s on 03-02): that day is counted from the sessions until sealed.
    // A plays for a second in s11 on 03-02: A's row for the day keeps s5's 40 s.
    watch("s6", "2026-03-02T09:05:00Z", AGENT_2, "81.2.69.142", 6, 12);
    play("s11", "2026-03-02T22:00:00Z", AGENT_1, "81.2.69.142", 1);
    Map<String, Long> later = Map.of("3s", 6L, "5s", 5L, "10s", 4L, "30s", 2L, "3s plain", 7L);
    assertThat(views()).isEqualTo(later);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).isEqualTo(server.query(DEFINITION));
    assertThat(views()).isEqualTo(later);

    // Retention (30 days) cuts 03-02 at 14:00: s1-s4 and s6 go, and with them A's 03-01 row and
    // C's 03-02 row; A keeps 03-02 through s5 (and s11).
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-04-01T14:00:00Z")));
    assertThat(server.server().retention().runOnce()).isPositive();
    assertThat(server.query(KEPT)).hasSize(4).isEqualTo(server.query(DEFINITION));
    assertThat(
            server.query(
                "SELECT CAST(day AS VARCHAR) AS day, watched FROM daily_viewers"
                    + " WHERE day = DATE '2026-03-02'"))
        .containsExactly(Map.of("day", "2026-03-02", "watched", 40.0));
  }

  /**
   * A session's first play can move to an earlier day when a beacon with an earlier event comes
   * late: its viewer's row for the day it left is worked out again from the viewer's other sessions
   * of that day (here none, so it goes).
   */
  @Test
  void aSessionWhoseFirstPlayMovesToAnEarlierDayLeavesItsDay() throws Exception {
    start();
    play("x", "2026-03-02T00:10:00Z", AGENT_1, "81.2.69.142", 20);
    assertThat(server.server().store().seal()).isPositive();
    String range = "from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z";
    assertThat(count("unique=true", range)).isEqualTo(1);
    assertThat(server.query("SELECT CAST(day AS VARCHAR) AS day, watched FROM daily_viewers"))
        .containsExactly(Map.of("day", "2026-03-02", "watched", 20.0));

    // The player's earlier events, held back by the network: an impression and play on 03-01.
    send(
        "x",
        "2026-03-01T23:55:00Z",
        AGENT_1,
        "81.2.69.142",
        "{\"type\":\"impression\"},{\"type\":\"play\",\"position\":0}");
    assertThat(count("unique=true", range)).isEqualTo(1);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query("SELECT CAST(day AS VARCHAR) AS day, watched FROM daily_viewers"))
        .containsExactly(Map.of("day", "2026-03-01", "watched", 20.0));
    assertThat(server.query(KEPT)).isEqualTo(server.query(DEFINITION));
    assertThat(count("unique=true", range)).isEqualTo(1);
    assertThat(count("unique=true", "from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z")).isZero();
  }

  /** Unique views at each duration over the range, and plain views at 3 s. */
  private Map<String, Long> views() throws Exception {
    return Map.of(
        "3s", count("viewDuration=3s&unique=true"),
        "5s", count("unique=true"),
        "10s", count("viewDuration=10s&unique=true"),
        "30s", count("viewDuration=30s&unique=true"),
        "3s plain", count("viewDuration=3s"));
  }

  private long count(String parameters) throws Exception {
    return count(parameters, RANGE);
  }

  private long count(String parameters, String range) throws Exception {
    var response =
        server.get(
            "/data/metrics/view/count?" + parameters + "&" + range,
            TestServer.basic(account.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body()).path("data").asLong();
  }

  /** A session's impression and play at {@code at}, and its first {@code watched} seconds. */
  private void play(String session, String at, String agent, String ip, int watched)
      throws Exception {
    String events =
        "{\"type\":\"impression\"},{\"type\":\"play\",\"position\":0}"
            + (watched > 0 ? ",{\"type\":\"watch\",\"from\":0,\"to\":" + watched + "}" : "");
    send(session, at, agent, ip, events);
  }

  /** A later beacon of the session: it watched {@code from} to {@code to}. */
  private void watch(String session, String at, String agent, String ip, int from, int to)
      throws Exception {
    send(session, at, agent, ip, "{\"type\":\"watch\",\"from\":" + from + ",\"to\":" + to + "}");
  }

  private void send(String session, String at, String agent, String ip, String events) {
    String json =
        """
        {"key":"%s","session":"%s","media":{"id":"m","duration":60},"events":[%s]}"""
            .formatted(account.productionPlayerKey().key(), session, events);
    assertThat(server.collectAt(json, ip, agent, Instant.parse(at))).isPositive();
  }
}
