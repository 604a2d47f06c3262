package io.playlens.api.wistia;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pages of {@code /v1/stats/visitors} rank only the visitors of the latest sessions when those are
 * enough for the page, and every visitor otherwise; either way a page is the same as that part of
 * the whole ranking. Sessions one minute apart, oldest first:
 *
 * <pre>
 * a-1 c-1 d-1 e-1 a-2 f-1 b-1 b-2 b-3 b-4
 * </pre>
 *
 * So the ranking is b f a e d c. Visitor a has sessions on both sides of the cut of page 3 (one a
 * page: the latest 6 sessions hold b, f and a); the latest 4 sessions are all b's, so page 2 of one
 * and page 1 of two rank every visitor.
 */
class VisitorsPagingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "visitors password";

  @TempDir static Path dataDir;

  private static TestServer server;
  private static AccountAdmin.NewAccount account;

  @BeforeAll
  static void start() {
    MutableClock clock = new MutableClock(Instant.parse("2010-03-01T09:00:00Z"));
    server = TestServer.start(dataDir, config -> config, clock);
    account = server.createAccount("pages", PASSWORD);
    for (String session : List.of("a-1", "c-1", "d-1", "e-1", "a-2", "f-1", "b-1", "b-2", "b-3")) {
      send(session);
      clock.advance(Duration.ofMinutes(1));
    }
    send("b-4");
    clock.advance(Duration.ofMinutes(1));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void send(String session) {
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"viewer\":\"viewer-%s\",\"media\":{\"id\":\"m\"},\"events\":[{\"type\":\"impression\"},{\"type\":\"play\"}]}"
            .formatted(account.productionPlayerKey().key(), session, session.substring(0, 1));
    HttpResponse<String> response = server.collect(body, "User-Agent", TestServer.BROWSER);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  private static JsonNode visitors(String query) throws Exception {
    HttpResponse<String> response =
        server.get(
            "/v1/stats/visitors?" + query, TestServer.basic(account.owner().email(), PASSWORD));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static List<JsonNode> paged(int perPage) throws Exception {
    List<JsonNode> pages = new ArrayList<>();
    for (int page = 1; page <= 6 / perPage + 1; page++) {
      visitors("per_page=" + perPage + "&page=" + page).forEach(pages::add);
    }
    return pages;
  }

  @Test
  void everyPageIsItsPartOfTheWholeRanking() throws Exception {
    // A search ranks every visitor with all its figures first.
    JsonNode everyone = visitors("search=viewer-&per_page=100");
    List<String> keys = new ArrayList<>();
    everyone.forEach(visitor -> keys.add(visitor.get("visitor_key").asText()));
    assertThat(keys)
        .containsExactly("viewer-b", "viewer-f", "viewer-a", "viewer-e", "viewer-d", "viewer-c");
    JsonNode a = everyone.get(2);
    assertThat(a.get("load_count").asLong()).isEqualTo(2);
    assertThat(a.get("created_at").asText()).isEqualTo("2010-03-01T09:00:00.000Z");
    assertThat(a.get("last_active_at").asText()).isEqualTo("2010-03-01T09:04:00.000Z");
    assertThat(everyone.get(0).get("load_count").asLong()).isEqualTo(4);
    for (int perPage : List.of(1, 2, 3, 4)) {
      assertThat(paged(perPage)).as("%d a page", perPage).containsExactlyElementsOf(everyone);
    }
  }
}
