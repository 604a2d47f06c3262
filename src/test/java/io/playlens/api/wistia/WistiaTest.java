package io.playlens.api.wistia;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wistia's export and Stats API against a real server with known views of media {@code intro} (100
 * s):
 *
 * <pre>
 * s5 2010-02-28 23:00  GB  play, watch 0-5                              5 %
 * s1 2010-03-01 09:00  GB  play, watch 0-10, seek to 50, watch 50-60,    20 %  email ann@example.com
 *                          pause
 * s2 2010-03-01 10:00  FR  impression only (a load, not a view)          0 %
 * s3 2010-03-01 11:00  FR  play, watch 0-30, back to 10, watch 10-40     40 %  (re-watched once)
 * s4 2010-03-02 08:00  AO  play, watch 0-100, end                       100 %  organisation with
 *                          non-ASCII letters and a comma (real ASN data)
 * </pre>
 *
 * Asked at 2010-03-02 12:00 UTC by the account's owner.
 */
class WistiaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "export password";

  @TempDir static Path dataDir;

  private static MutableClock clock;
  private static TestServer server;
  private static AccountAdmin.NewAccount foo;
  private static String owner;

  @BeforeAll
  static void start() {
    clock = new MutableClock(Instant.parse("2010-02-28T23:00:00Z"));
    server =
        TestServer.start(
            dataDir,
            config ->
                config
                    .trustedProxies(List.of("127.0.0.1/32", "::1/128"))
                    .accountDomain("stats.test"),
            clock);
    foo = server.createAccount("foo", PASSWORD);
    owner = foo.owner().email();
    send("s5", "81.2.69.142", null, "Intro", "impression", "play", watch(0, 5));
    at("2010-03-01T09:00:00Z");
    send(
        "s1",
        "81.2.69.142",
        "ann@example.com",
        "Intro",
        "impression",
        "play",
        watch(0, 10),
        "{\"type\":\"seek\",\"from\":10,\"to\":50}",
        watch(50, 60),
        "{\"type\":\"pause\",\"position\":60}");
    at("2010-03-01T10:00:00Z");
    send("s2", "90.85.0.1", null, "Intro", "impression");
    at("2010-03-01T11:00:00Z");
    send(
        "s3",
        "90.85.0.1",
        null,
        "Intro",
        "impression",
        "play",
        watch(0, 30),
        "{\"type\":\"seek\",\"from\":30,\"to\":10}",
        watch(10, 40));
    at("2010-03-02T08:00:00Z");
    send("s4", "102.203.1.10", null, "Intro", "impression", "play", watch(0, 100), "end");
    at("2010-03-02T12:00:00Z");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void at(String time) {
    clock.advance(java.time.Duration.between(clock.instant(), Instant.parse(time)));
  }

  private static void send(
      String session, String ip, String email, String title, String... events) {
    sendTo("intro", session, ip, email, title, events);
  }

  private static void sendTo(
      String media, String session, String ip, String email, String title, String... events) {
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      list.append(list.isEmpty() ? "" : ",")
          .append(event.startsWith("{") ? event : "{\"type\":\"" + event + "\"}");
    }
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"viewer\":\"viewer-%s\",%s\"media\":{\"id\":\"%s\",\"duration\":100,\"title\":%s},\"page\":{\"url\":\"https://www.foo.test/watch\"},\"events\":[%s]}"
            .formatted(
                foo.productionPlayerKey().key(),
                session,
                session,
                email == null ? "" : "\"email\":\"" + email + "\",",
                media,
                quoted(title),
                list);
    HttpResponse<String> response =
        server.collect(body, "X-Forwarded-For", ip, "User-Agent", TestServer.BROWSER);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  private static String quoted(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String watch(int from, int to) {
    return "{\"type\":\"watch\",\"from\":" + from + ",\"to\":" + to + "}";
  }

  /** Runs curl as the seed document does: {@code curl -u <email>:<password> URL}. */
  private static String curl(String url) throws Exception {
    Process curl =
        new ProcessBuilder("curl", "-s", "-u", owner + ":" + PASSWORD, url)
            .redirectErrorStream(true)
            .start();
    byte[] out = curl.getInputStream().readAllBytes();
    assertThat(curl.waitFor()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String base() {
    return server.uri("").toString();
  }

  private static HttpResponse<String> get(String path) {
    return server.get(path, basic(owner, PASSWORD));
  }

  /** The seed's first example: the latest 100 play events of a media, in JSON. */
  @Test
  void seedJsonExampleListsTheViewsNewestFirst() throws Exception {
    JsonNode views =
        JSON.readTree(curl(base() + "/stats/medias/intro/events.json?filter=view&limit=100"));
    List<String> order = new ArrayList<>();
    views.forEach(view -> order.add(view.get("event_key").asText()));
    assertThat(order).containsExactly("s4", "s3", "s1", "s5"); // s2 never pressed play
    JsonNode s1 = views.get(2);
    assertThat(s1.get("received_at").asText()).isEqualTo("2010-03-01T09:00:00.000Z");
    assertThat(s1.get("visitor_key").asText()).isEqualTo("viewer-s1");
    assertThat(s1.get("email").asText()).isEqualTo("ann@example.com");
    assertThat(s1.get("ip").asText()).isEqualTo("81.2.69.142");
    assertThat(s1.get("country").asText()).isEqualTo("GB");
    assertThat(s1.get("city").asText()).isEqualTo("London");
    assertThat(s1.get("percent_viewed").asDouble()).isEqualTo(0.2);
    assertThat(s1.get("media_id").asText()).isEqualTo("intro");
    assertThat(s1.get("media_name").asText()).isEqualTo("Intro");
    assertThat(s1.get("embed_url").asText()).isEqualTo("https://www.foo.test/watch");
    assertThat(s1.get("user_agent_details").get("browser").asText()).isEqualTo("chrome");
    assertThat(s1.get("user_agent_details").get("mobile").asBoolean()).isFalse();
    assertThat(views.get(0).get("percent_viewed").asDouble()).isEqualTo(1.0);
    assertThat(views.get(1).get("percent_viewed").asDouble()).isEqualTo(0.4);
    assertThat(views.get(3).get("percent_viewed").asDouble()).isEqualTo(0.05);
  }

  /** The seed's second example: the play events of one day, in CSV. */
  @Test
  void seedCsvExampleListsOneDayInCsv() throws Exception {
    String csv =
        curl(
            base()
                + "/stats/medias/intro/events.csv?filter=view&limit=1000&start_date=2010-03-01&end_date=2010-03-01");
    String[] lines = csv.split("\r\n", -1);
    assertThat(lines[0])
        .startsWith(
            "Date,IP Address,Country,Region,City,Latitude,Longitude,Organization,Email,Percent Viewed,");
    assertThat(lines).hasSize(4); // header, s3, s1, and the empty rest after the last CRLF
    assertThat(lines[1])
        .startsWith("2010-03-01T11:00:00.000Z,90.85.0.1,FR,Ile-de-France,Paris,")
        .contains(",40,viewer-s3,s3,intro,Intro,true,")
        .endsWith(",0-40");
    assertThat(lines[2])
        .startsWith("2010-03-01T09:00:00.000Z,81.2.69.142,GB,England,London,")
        .contains(",ann@example.com,20,viewer-s1,s1,")
        .endsWith(",0-10;50-60");
    assertThat(lines[3]).isEmpty();
  }

  @Test
  void withoutTheViewFilterEveryLoadIsListed() throws Exception {
    HttpResponse<String> response = get("/stats/medias/intro/events.csv");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
    String[] lines = response.body().split("\r\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[3])
        .startsWith("2010-03-01T10:00:00.000Z,90.85.0.1,")
        .contains(",0,viewer-s2,s2,intro,Intro,false,");
  }

  @Test
  void organisationWithCommaAndAccentsIsQuotedInUtf8() throws Exception {
    HttpResponse<String> response = get("/stats/medias/intro/events.csv?filter=view&limit=1");
    String row = response.body().split("\r\n")[1];
    assertThat(row)
        .contains(",\"Go4IT Integração de Sistemas, LDA - Go4IT Integração de Sistemas, LDA\",");
    JsonNode json = JSON.readTree(get("/stats/medias/intro/events.json?limit=1").body());
    assertThat(json.get(0).get("org").asText()).startsWith("Go4IT Integração de Sistemas, LDA");
  }

  @Test
  void limitOffsetAndDatesNarrowTheList() throws Exception {
    assertThat(keys("?filter=view&limit=2")).containsExactly("s4", "s3");
    assertThat(keys("?filter=view&limit=2&offset=2")).containsExactly("s1", "s5");
    assertThat(keys("?start_date=2010-03-02")).containsExactly("s4");
    assertThat(keys("?end_date=2010-02-28")).containsExactly("s5");
    assertThat(keys("?start_date=2010-03-03")).isEmpty();
  }

  @Test
  void cursorPagesStayPutWhileNewViewsArrive() throws Exception {
    // Media "clip" on its own, so the view added here changes no other test's list.
    for (String session : List.of("c1", "c2", "c3")) {
      sendTo("clip", session, "81.2.69.142", null, "Clip", "impression", "play", watch(0, 10));
      clock.advance(java.time.Duration.ofMinutes(1));
    }
    HttpResponse<String> first = get("/stats/medias/clip/events.json?limit=2");
    assertThat(keys("clip", "?limit=2")).containsExactly("c3", "c2");
    String cursor = first.headers().firstValue("X-Next-Cursor").orElseThrow();
    assertThat(first.headers().firstValue("Link").orElseThrow())
        .contains("cursor=" + cursor)
        .contains("rel=\"next\"");
    sendTo("clip", "c4", "81.2.69.142", null, "Clip", "impression", "play", watch(0, 10));
    // By offset the new view shifts the second page; by cursor it does not.
    assertThat(keys("clip", "?limit=2&offset=2")).containsExactly("c2", "c1");
    assertThat(keys("clip", "?limit=2&cursor=" + cursor)).containsExactly("c1");
    HttpResponse<String> last = get("/stats/medias/clip/events.json?limit=2&cursor=" + cursor);
    assertThat(last.headers().firstValue("X-Next-Cursor")).isEmpty(); // not a full page
  }

  /** Beacon text is attacker-controlled: cells a spreadsheet would run as formulas are defused. */
  @Test
  void formulaLikeCellsAreNeutralised() throws Exception {
    sendTo(
        "evil",
        "e1",
        "81.2.69.142",
        "+1@evil.example",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "impression",
        "play",
        watch(0, 10));
    String row = get("/stats/medias/evil/events.csv").body().split("\r\n")[1];
    assertThat(row)
        .contains(",'+1@evil.example,")
        .contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",")
        .doesNotContain(",=")
        .doesNotContain(",+");
    // Numbers Playlens formats itself keep their sign: London's longitude is negative.
    String london = get("/stats/medias/intro/events.csv?end_date=2010-02-28").body();
    assertThat(london.split("\r\n")[1]).contains(",51.5143").contains(",-0.0912");
    // JSON carries the text as it came.
    JsonNode json = JSON.readTree(get("/stats/medias/evil/events.json").body());
    assertThat(json.get(0).get("email").asText()).isEqualTo("+1@evil.example");
  }

  @Test
  void limitAllStreamsEveryView() throws Exception {
    assertThat(keys("?limit=all")).hasSizeGreaterThanOrEqualTo(5).contains("s2");
    HttpResponse<String> response = get("/stats/medias/intro/events.json?limit=all");
    assertThat(response.headers().firstValue("X-Next-Cursor")).isEmpty();
  }

  @Test
  void badParametersAreRefusedWithAClearMessage() throws Exception {
    assertError("?limit=1001", "limit must be between 1 and 1000");
    assertError("?limit=ten", "limit must be a whole number");
    assertError("?limit=0", "limit must be between 1 and 1000");
    assertError("?offset=-1", "offset must be a whole number");
    assertError("?start_date=2010-13-01", "start_date must be a date as yyyy-mm-dd");
    assertError("?end_date=03/01/2010", "end_date must be a date as yyyy-mm-dd");
    assertError("?start_date=2010-03-02&end_date=2010-03-01", "is after end_date");
    assertError("?filter=play", "filter must be 'view'");
    assertError("?colour=red", "unknown parameter 'colour'");
    assertError("?cursor=bm9wZQ", "cursor is not one this server gave out");
    assertError("?cursor=abc&offset=1", "either offset or cursor");
  }

  private static void assertError(String query, String message) throws Exception {
    HttpResponse<String> response = get("/stats/medias/intro/events.csv" + query);
    assertThat(response.statusCode()).as(query + " " + response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).as(query).contains(message);
  }

  @Test
  void unknownMediaAndWrongCredentialsAreRefused() {
    HttpResponse<String> unknown = get("/stats/medias/nope/events.csv");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEmpty();
    HttpResponse<String> wrong =
        server.get("/stats/medias/intro/events.csv", basic(owner, "wrong password"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(server.get("/stats/medias/intro/events.csv").statusCode()).isEqualTo(401);
    // The %40 form of the email, as in credentials written into a URL.
    HttpResponse<String> encoded =
        server.get(
            "/stats/medias/intro/events.csv?limit=1", basic(owner.replace("@", "%40"), PASSWORD));
    assertThat(encoded.statusCode()).isEqualTo(200);
    // Another account's owner does not see this media.
    AccountAdmin.NewAccount other = server.createAccount("bar", PASSWORD);
    assertThat(
            server
                .get("/stats/medias/intro/events.csv", basic(other.owner().email(), PASSWORD))
                .statusCode())
        .isEqualTo(404);
  }

  private static JsonNode stats(String path) throws Exception {
    HttpResponse<String> response = get("/v1/stats/" + path);
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /**
   * Media {@code intro}: loads s1-s5, plays s1 s3 s4 s5, watched 20 + 40 + 100 + 5 = 165 s, shares
   * watched 0.2 0.4 1.0 0.05 (mean 0.4125), five visitors.
   */
  @Test
  void mediaFiguresAreHandComputed() throws Exception {
    for (String path : List.of("medias/intro", "medias/intro.json")) {
      JsonNode media = stats(path);
      assertThat(media.get("load_count").asLong()).isEqualTo(5);
      assertThat(media.get("play_count").asLong()).isEqualTo(4);
      assertThat(media.get("play_rate").asDouble()).isEqualTo(0.8);
      assertThat(media.get("hours_watched").asDouble()).isCloseTo(165 / 3600.0, within(1e-12));
      assertThat(media.get("engagement").asDouble()).isCloseTo(0.4125, within(1e-12));
      assertThat(media.get("visitors").asLong()).isEqualTo(5);
      assertThat(media.get("actions").isArray()).isTrue();
    }
  }

  @Test
  void figuresPerDayInTheAccountsZone() throws Exception {
    JsonNode days = stats("medias/intro/by_date?start_date=2010-02-28&end_date=2010-03-02");
    assertThat(days).hasSize(3);
    assertThat(days.get(0).get("date").asText()).isEqualTo("2010-02-28");
    assertThat(days.get(0).get("load_count").asLong()).isEqualTo(1);
    assertThat(days.get(0).get("hours_watched").asDouble()).isCloseTo(5 / 3600.0, within(1e-12));
    assertThat(days.get(1).get("load_count").asLong()).isEqualTo(3);
    assertThat(days.get(1).get("play_count").asLong()).isEqualTo(2);
    assertThat(days.get(1).get("hours_watched").asDouble()).isCloseTo(60 / 3600.0, within(1e-12));
    assertThat(days.get(2).get("play_count").asLong()).isEqualTo(1);
    // By default yesterday and today.
    JsonNode recent = stats("medias/intro/by_date.json");
    assertThat(recent).hasSize(2);
    assertThat(recent.get(1).get("date").asText()).isEqualTo("2010-03-02");
  }

  /**
   * Plays per second: s5 0-4, s1 0-9 and 50-59, s3 0-29 then 10-39 (10-29 twice), s4 0-99; replays
   * only s3's 10-29.
   */
  @Test
  void engagementCountsPlaysAndReplaysPerSecond() throws Exception {
    JsonNode graph = stats("medias/intro/engagement");
    long[] expected = new long[100];
    long[] replays = new long[100];
    for (int i = 0; i < 100; i++) {
      expected[i] =
          (i < 5 ? 1 : 0)
              + (i < 10 || (i >= 50 && i < 60) ? 1 : 0)
              + (i < 40 ? 1 : 0)
              + (i >= 10 && i < 30 ? 1 : 0)
              + 1;
      replays[i] = i >= 10 && i < 30 ? 1 : 0;
    }
    assertThat(JSON.convertValue(graph.get("engagement_data"), long[].class))
        .containsExactly(expected);
    assertThat(JSON.convertValue(graph.get("rewatch_data"), long[].class)).containsExactly(replays);
    assertThat(graph.get("engagement").asDouble()).isCloseTo(0.4125, within(1e-12));
  }

  @Test
  void eventsPageByPageAndOneWithItsHeatmap() throws Exception {
    assertThat(eventKeys("events?media_id=intro&per_page=2&page=2")).containsExactly("s2", "s1");
    assertThat(eventKeys("events.json?media_id=intro")).hasSize(5);
    assertThat(eventKeys("events?media_id=intro&visitor_key=viewer-s3")).containsExactly("s3");
    assertThat(eventKeys("events?media_id=intro&start_date=2010-03-02")).containsExactly("s4");
    JsonNode s3 = stats("events/s3");
    assertThat(s3.get("percent_viewed").asDouble()).isEqualTo(0.4);
    assertThat(s3.get("visitor_key").asText()).isEqualTo("viewer-s3");
    long[] heatmap = new long[100];
    for (int i = 0; i < 40; i++) {
      heatmap[i] = i >= 10 && i < 30 ? 2 : 1;
    }
    assertThat(JSON.convertValue(s3.get("heatmap"), long[].class)).containsExactly(heatmap);
    assertThat(stats("events/s3.json").get("event_key").asText()).isEqualTo("s3");
  }

  @Test
  void visitorsWithTheirIdentityAndActivity() throws Exception {
    JsonNode ann = stats("visitors?search=ANN@example");
    assertThat(ann).hasSize(1);
    JsonNode s1 = ann.get(0);
    assertThat(s1.get("visitor_key").asText()).isEqualTo("viewer-s1");
    assertThat(s1.get("created_at").asText()).isEqualTo("2010-03-01T09:00:00.000Z");
    assertThat(s1.get("last_event_key").asText()).isEqualTo("s1");
    assertThat(s1.get("load_count").asLong()).isEqualTo(1);
    assertThat(s1.get("play_count").asLong()).isEqualTo(1);
    assertThat(s1.get("visitor_identity").get("email").asText()).isEqualTo("ann@example.com");
    assertThat(s1.get("visitor_identity").get("org").get("name").asText())
        .isEqualTo("Andrews & Arnold Ltd");
    assertThat(s1.get("user_agent_details").get("browser").asText()).isEqualTo("chrome");
    JsonNode withEmail = stats("visitors.json?filter=has_email&per_page=100");
    assertThat(withEmail).isNotEmpty();
    withEmail.forEach(
        visitor -> assertThat(visitor.get("visitor_identity").get("email").isNull()).isFalse());
    assertThat(stats("visitors?filter=has_name")).isEmpty();
    assertThat(stats("visitors?search=100%25")).isEmpty(); // % matches itself
    JsonNode s3 = stats("visitors/viewer-s3");
    assertThat(s3.get("play_count").asLong()).isEqualTo(1);
    // Unfiltered pages pick the page's visitors first, then their figures; a search matching
    // every visitor takes the figures of all of them first: the same visitors, in the same order.
    JsonNode everyone = stats("visitors?search=viewer-&per_page=100");
    assertThat(everyone.size()).isGreaterThanOrEqualTo(5);
    List<JsonNode> paged = new ArrayList<>();
    for (int page = 1; page <= (everyone.size() + 1) / 2 + 1; page++) {
      stats("visitors?per_page=2&page=" + page).forEach(paged::add);
    }
    assertThat(paged).containsExactlyElementsOf(everyone);
    // One a page: the first pages rank only the visitors of the latest sessions.
    List<JsonNode> single = new ArrayList<>();
    for (int page = 1; page <= everyone.size() + 1; page++) {
      stats("visitors?per_page=1&page=" + page).forEach(single::add);
    }
    assertThat(single).containsExactlyElementsOf(everyone);
    assertThat(get("/v1/stats/visitors/nope").statusCode()).isEqualTo(404);
    assertThat(get("/v1/stats/visitors?filter=has_hat").statusCode()).isEqualTo(422);
  }

  @Test
  void projectFiguresAreThoseOfItsMediaTogether() throws Exception {
    String owner = basic(WistiaTest.owner, PASSWORD);
    String projects = "/admin/v1/accounts/foo/projects";
    HttpResponse<String> created =
        server.send(
            "POST",
            projects,
            owner,
            "{\"id\":\"launch\",\"name\":\"Launch\",\"media\":[\"intro\",\"not-yet\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode launch = stats("projects/launch");
    assertThat(launch.get("load_count").asLong()).isEqualTo(5);
    assertThat(launch.get("play_count").asLong()).isEqualTo(4);
    assertThat(launch.get("hours_watched").asDouble()).isCloseTo(165 / 3600.0, within(1e-12));
    assertThat(launch.get("number_of_videos").asLong()).isEqualTo(2);
    assertThat(
            server
                .send("POST", projects, owner, "{\"id\":\"launch\",\"name\":\"Again\"}")
                .statusCode())
        .isEqualTo(409);
    HttpResponse<String> emptied =
        server.send("PUT", projects + "/launch", owner, "{\"name\":\"Launch\",\"media\":[]}");
    assertThat(emptied.statusCode()).as(emptied.body()).isEqualTo(200);
    JsonNode empty = stats("projects/launch.json");
    assertThat(empty.get("load_count").asLong()).isZero(); // no media: nothing, not everything
    assertThat(empty.get("number_of_videos").asLong()).isZero();
    assertThat(server.send("DELETE", projects + "/launch", owner, null).statusCode())
        .isEqualTo(204);
    assertThat(get("/v1/stats/projects/launch").statusCode()).isEqualTo(404);
    assertThat(
            server
                .send("POST", projects, owner, "{\"id\":\"bad id!\",\"name\":\"x\"}")
                .statusCode())
        .isEqualTo(400);
  }

  /** The seed's host form, {@code <account>.<domain>}: only that account's credentials pass. */
  @Test
  void anAccountHostNameTakesOnlyThatAccountsCredentials() throws Exception {
    int port = server.server().port();
    for (String account : List.of("foo", "bar")) {
      Process curl =
          new ProcessBuilder(
                  "curl",
                  "-s",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "--resolve",
                  account + ".stats.test:" + port + ":127.0.0.1",
                  "-u",
                  owner + ":" + PASSWORD,
                  "http://"
                      + account
                      + ".stats.test:"
                      + port
                      + "/stats/medias/intro/events.csv?filter=view&limit=100")
              .redirectErrorStream(true)
              .start();
      String status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(curl.waitFor()).isZero();
      assertThat(status).as(account).isEqualTo(account.equals("foo") ? "200" : "401");
    }
  }

  /** A user limited to some media sees the account's figures through those media only. */
  @Test
  void aMemberLimitedToOneMediaSeesOnlyItsFigures() throws Exception {
    HttpResponse<String> added =
        server.send(
            "POST",
            "/admin/v1/accounts/foo/users",
            basic(owner, PASSWORD),
            "{\"email\":\"intro-only@foo.test\",\"password\":\"member password\","
                + "\"role\":\"member\",\"media\":[\"intro\"]}");
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    String member = basic("intro-only@foo.test", "member password");
    HttpResponse<String> account = server.get("/v1/stats/account", member);
    assertThat(JSON.readTree(account.body()).get("load_count").asLong()).isEqualTo(5);
    HttpResponse<String> days =
        server.get("/v1/stats/account/by_date?start_date=2010-02-28&end_date=2010-03-02", member);
    long loads = 0;
    for (JsonNode day : JSON.readTree(days.body())) {
      loads += day.get("load_count").asLong();
    }
    assertThat(loads).isEqualTo(5);
    assertThat(server.get("/stats/medias/clip/events.csv", member).statusCode()).isEqualTo(404);
  }

  @Test
  void limitAllStartsAfterTheOffset() throws Exception {
    List<String> all = keys("?limit=all");
    assertThat(keys("?limit=all&offset=2")).isEqualTo(all.subList(2, all.size()));
  }

  private static List<String> eventKeys(String path) throws Exception {
    List<String> keys = new ArrayList<>();
    stats(path).forEach(event -> keys.add(event.get("event_key").asText()));
    return keys;
  }

  @Test
  void statsRefuseBadParametersAndUnknownIds() throws Exception {
    for (String path :
        List.of(
            "events?per_page=101",
            "events?page=0",
            "events?per_page=ten",
            "account/by_date?start_date=2010-3-1",
            "account/by_date?start_date=2010-03-02&end_date=2010-03-01",
            "account?colour=red")) {
      HttpResponse<String> response = get("/v1/stats/" + path);
      assertThat(response.statusCode()).as(path).isEqualTo(422);
      assertThat(JSON.readTree(response.body()).get("error").asText()).as(path).isNotBlank();
    }
    for (String path : List.of("medias/nope", "medias/nope/engagement", "events/nope")) {
      HttpResponse<String> response = get("/v1/stats/" + path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).isEmpty();
    }
  }

  /** The same sessions give the same numbers through api.video's API. */
  @Test
  void wistiaFiguresAgreeWithTheApiVideoOnes() throws Exception {
    Instant now = clock.instant();
    String window =
        "from=" + now.minus(java.time.Duration.ofDays(30)) + "&to=" + now.plusSeconds(1);
    String key = basic(foo.productionApiKey().secret(), "");
    JsonNode account = stats("account");
    assertThat(account.get("load_count").asLong())
        .isEqualTo(apiVideo("metrics/impression/count?" + window, key).asLong());
    assertThat(account.get("play_count").asLong())
        .isEqualTo(apiVideo("metrics/play/count?" + window, key).asLong());
    assertThat(account.get("hours_watched").asDouble() * 3600)
        .isCloseTo(apiVideo("metrics/watch-time/sum?" + window, key).asDouble(), within(1e-6));
    String media = window + "&filterBy[mediaId]=intro";
    assertThat(stats("medias/intro").get("play_rate").asDouble())
        .isCloseTo(apiVideo("metrics/play/rate?" + media, key).asDouble(), within(1e-12));
  }

  private static JsonNode apiVideo(String path, String authorization) throws Exception {
    HttpResponse<String> response = server.get("/data/" + path, authorization);
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("data");
  }

  private static List<String> keys(String query) throws Exception {
    return keys("intro", query);
  }

  private static List<String> keys(String media, String query) throws Exception {
    HttpResponse<String> response = get("/stats/medias/" + media + "/events.json" + query);
    assertThat(response.statusCode()).as(query + " " + response.body()).isEqualTo(200);
    List<String> keys = new ArrayList<>();
    JSON.readTree(response.body()).forEach(view -> keys.add(view.get("event_key").asText()));
    return keys;
  }
}
