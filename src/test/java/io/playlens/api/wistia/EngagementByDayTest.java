package io.playlens.api.wistia;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engagement graph of a media over its 30 days kept reads the whole days' steps as the sealer
 * summed them (per day a session began), and works out from the sessions the part-days and the days
 * with unsealed events; the steps of a session that went on past the range are taken off again, as
 * it is counted from its events in the range. Media {@code m}, asked at 03-10 12:00 UTC:
 *
 * <pre>
 * a  03-05 10:00          watch 0-10, watch 5-15    (5-9 played twice)
 * b  03-06 08:00          watch 0-20                (later: 08:05 watch 20-25)
 * c  03-06 23:59:50       watch 0-30
 *    03-07 00:00:20       watch 30-40               a session past midnight
 * g  03-09 23:00          watch 40-45
 *    03-10 12:30          watch 50-55               after the range: not counted
 * d  03-10 11:00          watch 0-5                 the part-day today
 * </pre>
 *
 * Plays per second: 0-4 four (a b c d), 5-9 four (a twice, b, c), 10-14 three, 15-19 two, 20-39 one
 * (c), 40-44 one (g); replays: 5-9 one. The media has no registered length: the graph ends at the
 * last second played.
 */
class EngagementByDayTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The steps of the graph per day as their definition gives them from the session rows. */
  private static final String DEFINITION =
      "SELECT media_id, day, x.cell AS cell, CAST(sum(x.dn) AS BIGINT) AS dn,"
          + " CAST(sum(x.dp) AS BIGINT) AS dp FROM (SELECT media_id, CAST(first_at AS DATE) AS day,"
          + " unnest(list_transform(plays, lambda p: {'cell': CAST(round(p.f) AS BIGINT), 'dn': p.n,"
          + " 'dp': 0}) || list_transform(plays, lambda p: {'cell': CAST(round(p.t) AS BIGINT),"
          + " 'dn': -p.n, 'dp': 0}) || list_transform(watch, lambda w: {'cell': CAST(round(w.f) AS"
          + " BIGINT), 'dn': 0, 'dp': 1}) || list_transform(watch, lambda w: {'cell': CAST(round(w.t)"
          + " AS BIGINT), 'dn': 0, 'dp': -1})) AS x FROM session_rollup"
          + ")"
          + " GROUP BY media_id, day, x.cell HAVING sum(x.dn) <> 0 OR sum(x.dp) <> 0"
          + " ORDER BY media_id, day, cell";

  private static final String KEPT =
      "SELECT media_id, day, cell, dn, dp FROM daily_engagement ORDER BY media_id, day, cell";

  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private TestServer server;
  private AccountAdmin.NewAccount account;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void wholeDaysFromTheSealersStepsTheRestFromTheSessions() throws Exception {
    server = TestServer.startSealingOnDemand(dataDir, clock);
    account = server.createAccount("graph", "graph password");
    send("a", "2026-03-05T10:00:00Z", "impression", "play", watch(0, 10), watch(5, 15));
    send("b", "2026-03-06T08:00:00Z", "impression", "play", watch(0, 20));
    send("c", "2026-03-06T23:59:50Z", "impression", "play", watch(0, 30));
    send("c", "2026-03-07T00:00:20Z", watch(30, 40));
    send("g", "2026-03-09T23:00:00Z", "impression", "play", watch(40, 45));
    send("g", "2026-03-10T12:30:00Z", watch(50, 55));
    send("d", "2026-03-10T11:00:00Z", "impression", "play", watch(0, 5));
    long[] plays = cells(45, new int[] {0, 5, 10, 15, 20, 40}, new long[] {4, 4, 3, 2, 1, 1});
    long[] replays = cells(45, new int[] {5, 10}, new long[] {1, 0});

    // Nothing sealed: every session from its row as the question folds it.
    assertThat(server.query("SELECT count(*) AS n FROM daily_engagement").get(0).get("n"))
        .isEqualTo(0L);
    graphIs(plays, replays);

    // Sealed: the graph reads the steps of 03-05, 03-06 and 03-09 as the sealer summed them, g's
    // taken off again (d's day, today, is a part-day).
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).isNotEmpty().isEqualTo(server.query(DEFINITION));
    assertThat(server.query("SELECT DISTINCT CAST(day AS VARCHAR) AS d FROM daily_engagement"))
        .extracting(row -> row.get("d"))
        .containsExactlyInAnyOrder("2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10");
    graphIs(plays, replays);

    // b plays on (20-25) in a beacon not sealed yet: 03-06 from the sessions, 03-05 as sealed.
    send("b", "2026-03-06T08:05:00Z", watch(20, 25));
    long[] more = plays.clone();
    Arrays.fill(more, 20, 25, 2);
    graphIs(more, replays);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).isEqualTo(server.query(DEFINITION));
    graphIs(more, replays);

    // Retention cuts 03-06 at 09:00: a and b go with their steps; c stays (it ended on 03-07);
    // d's and g's days are whole now, and g is wholly in the range.
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-04-05T09:00:00Z")));
    assertThat(server.server().retention().runOnce()).isPositive();
    assertThat(server.query(KEPT)).isNotEmpty().isEqualTo(server.query(DEFINITION));
    graphIs(cells(55, new int[] {0, 5, 40, 45, 50}, new long[] {2, 1, 1, 0, 1}), new long[55]);
  }

  /** {@code length} cells of the graph: from each start on, its value, until the next start. */
  private static long[] cells(int length, int[] starts, long[] values) {
    long[] cells = new long[length];
    for (int i = 0; i < starts.length; i++) {
      int to = i + 1 < starts.length ? starts[i + 1] : cells.length;
      Arrays.fill(cells, starts[i], to, values[i]);
    }
    return cells;
  }

  private void graphIs(long[] plays, long[] replays) throws Exception {
    var response =
        server.get(
            "/v1/stats/medias/m/engagement",
            TestServer.basic(account.owner().email(), "graph password"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode graph = JSON.readTree(response.body());
    assertThat(JSON.convertValue(graph.get("engagement_data"), long[].class)).isEqualTo(plays);
    assertThat(JSON.convertValue(graph.get("rewatch_data"), long[].class)).isEqualTo(replays);
  }

  private static String watch(int from, int to) {
    return "{\"type\":\"watch\",\"from\":%d,\"to\":%d}".formatted(from, to);
  }

  /** A beacon of the session received at {@code at}, its events taking that time. */
  private void send(String session, String at, String... events) throws Exception {
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      list.append(list.isEmpty() ? "" : ",")
          .append(event.startsWith("{") ? event : "{\"type\":\"" + event + "\"}");
    }
    String json =
        """
        {"key":"%s","session":"%s","media":{"id":"m","duration":100},"events":[%s]}"""
            .formatted(account.productionPlayerKey().key(), session, list);
    assertThat(server.collectAt(json, "81.2.69.142", TestServer.BROWSER, Instant.parse(at)))
        .isEqualTo(events.length);
  }
}
