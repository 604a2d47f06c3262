package io.playlens.api.wistia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engagement graph counts the watch events in its range, also of sessions that began before it
 * or went on past it: those are counted from their events, the others from their rollup rows. Media
 * {@code m} (100 s), asked at 2010-03-31 12:00 UTC over the 30 days kept, from 2010-03-01 12:00:
 *
 * <pre>
 * a  03-01 11:00         watch 0-10                      before the range: not counted
 * c  03-01 11:59         watch 0-10                      before the range: not counted
 *    03-01 12:01         watch 10-30, watch 20-25        counted (20-24 played twice)
 * d  03-15 10:00         watch 0-10, watch 5-15          counted (5-9 played twice)
 * e  03-31 11:59         watch 0-10                      counted
 *    dated 03-31 12:10   watch 50-60                     after the range: not counted
 * </pre>
 *
 * <p>Media {@code n} (100 s) has a session that began before the range and played in it, and one
 * wholly before it, for the figures over the range:
 *
 * <pre>
 * g  03-01 11:00         impression, play, watch 0-10    before the range: not counted
 * f  03-01 11:30         impression                      before the range: not a load
 *    03-01 12:30         play, watch 0-40                a play of 40 s, 0.4 of the media
 * </pre>
 */
// The graph is asked first, while the sessions may still be unsealed; the figures once sealed.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngagementRangeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;

  private static MutableClock clock;
  private static TestServer server;
  private static AccountAdmin.NewAccount account;

  @BeforeAll
  static void start() {
    clock = new MutableClock(Instant.parse("2010-03-01T11:00:00Z"));
    server = TestServer.start(dataDir, config -> config, clock);
    account = server.createAccount("eng", "engagement password");
    send("a", null, "impression", "play", watch(0, 10, null));
    sendTo("n", "g", null, "impression", "play", watch(0, 10, null));
    at("2010-03-01T11:30:00Z");
    sendTo("n", "f", null, "impression");
    at("2010-03-01T11:59:00Z");
    send("c", null, "impression", "play", watch(0, 10, null));
    at("2010-03-01T12:01:00Z");
    send("c", null, watch(10, 30, null), watch(20, 25, null));
    at("2010-03-01T12:30:00Z");
    sendTo("n", "f", null, "play", watch(0, 40, null));
    at("2010-03-15T10:00:00Z");
    send("d", null, "impression", "play", watch(0, 10, null), watch(5, 15, null));
    at("2010-03-31T11:59:00Z");
    send(
        "e",
        "2010-03-31T11:59:00Z",
        "impression",
        "play",
        watch(0, 10, null),
        watch(50, 60, "2010-03-31T12:10:00Z"));
    at("2010-03-31T12:00:00Z");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void at(String time) {
    clock.advance(Duration.between(clock.instant(), Instant.parse(time)));
  }

  private static String watch(int from, int to, String at) {
    return "{\"type\":\"watch\",\"from\":%d,\"to\":%d%s}"
        .formatted(from, to, at == null ? "" : ",\"at\":\"" + at + "\"");
  }

  private static void send(String session, String sentAt, String... events) {
    sendTo("m", session, sentAt, events);
  }

  private static void sendTo(String media, String session, String sentAt, String... events) {
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      list.append(list.isEmpty() ? "" : ",")
          .append(event.startsWith("{") ? event : "{\"type\":\"" + event + "\"}");
    }
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"viewer\":\"viewer-%s\",%s\"media\":{\"id\":\"%s\",\"duration\":100},\"events\":[%s]}"
            .formatted(
                account.productionPlayerKey().key(),
                session,
                session,
                sentAt == null ? "" : "\"sentAt\":\"" + sentAt + "\",",
                media,
                list);
    HttpResponse<String> response = server.collect(body, "User-Agent", TestServer.BROWSER);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  /** The graph's cells: up to the last second played (the media has no registered length). */
  private static long[] cells(Map<Integer, Long> runs) {
    long[] cells = new long[30];
    int from = 0;
    long value = 0;
    for (int to = 0; to <= 30; to++) {
      if (runs.containsKey(to) || to == 30) {
        Arrays.fill(cells, from, to, value);
        from = to;
        value = runs.getOrDefault(to, 0L);
      }
    }
    return cells;
  }

  private static JsonNode engagement() throws Exception {
    return stats("/v1/stats/medias/m/engagement");
  }

  private static JsonNode stats(String path) throws Exception {
    HttpResponse<String> response =
        server.get(path, TestServer.basic(account.owner().email(), "engagement password"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static boolean sealed() {
    List<Map<String, Object>> rows =
        server.query(
            "SELECT (SELECT sealed_batch FROM rollup_state) >= (SELECT max(batch) FROM events)"
                + " AS sealed");
    return Boolean.TRUE.equals(rows.get(0).get("sealed"));
  }

  @Test
  @Order(1)
  void countsTheWatchEventsInTheRangeOfSessionsAcrossItsEdges() throws Exception {
    long[] plays = cells(Map.of(0, 2L, 5, 3L, 10, 2L, 15, 1L, 20, 2L, 25, 1L));
    long[] replays = cells(Map.of(5, 1L, 10, 0L, 20, 1L, 25, 0L));
    // Asked as the events came (the sessions folded in by the question), then once sealed.
    for (int round = 0; round < 2; round++) {
      JsonNode graph = engagement();
      // the mean share watched of the sessions that played in the range: d 15 s, e 20 s
      assertThat(graph.get("engagement").asDouble()).isCloseTo(0.175, within(1e-12));
      assertThat(JSON.convertValue(graph.get("engagement_data"), long[].class)).isEqualTo(plays);
      assertThat(JSON.convertValue(graph.get("rewatch_data"), long[].class)).isEqualTo(replays);
      for (int wait = 0; wait < 300 && !sealed(); wait++) {
        Thread.sleep(100);
      }
      assertThat(sealed()).isTrue();
    }
  }

  /**
   * The figures over the 30 days kept count the play of a session whose load came before them, and
   * nothing of a session wholly before them (asked of the sealed rows, after the test above).
   */
  @Test
  @Order(2)
  void figuresCountThePlaysInTheRangeOfSessionsThatBeganBeforeIt() throws Exception {
    for (int wait = 0; wait < 300 && !sealed(); wait++) {
      Thread.sleep(100);
    }
    assertThat(sealed()).isTrue();
    JsonNode media = stats("/v1/stats/medias/n");
    assertThat(media.get("load_count").asLong()).isZero();
    assertThat(media.get("play_count").asLong()).isEqualTo(1);
    assertThat(media.get("hours_watched").asDouble()).isCloseTo(40 / 3600.0, within(1e-12));
    assertThat(media.get("engagement").asDouble()).isEqualTo(0.4);
    assertThat(media.get("visitors").asLong()).isZero();
  }
}
