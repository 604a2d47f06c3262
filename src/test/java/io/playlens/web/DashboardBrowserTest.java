package io.playlens.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.Collector;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in real headless Chromium against a real server holding three weeks of simulated
 * sessions: what the pages show is checked against what the public APIs answer for the same range,
 * and each page is photographed under {@code target/screenshots/} for a reviewer.
 */
class DashboardBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String PASSWORD = "dashboard password";

  @TempDir static Path dataDir;
  @TempDir Path downloads;

  private static TestServer server;
  private static AccountAdmin.NewAccount tube;
  private static String apiKey;
  private static String mediaId;
  private Browser browser;

  @BeforeAll
  static void startServerWithHistory() throws Exception {
    server = TestServer.start(dataDir);
    // A zone far from UTC: the page's days must be the account's days, as the API's are.
    tube = server.createAccount("tube", PASSWORD, ZoneId.of("America/New_York"));
    // 90 days kept: the 30-day range and the period before it are always inside the data kept
    server.server().admin().set("tube", null, null, "90d");
    apiKey = TestServer.basic(tube.productionApiKey().secret(), "");
    SessionSimulator simulator = new SessionSimulator(tube.productionPlayerKey().key(), 42);
    Collector collector = server.server().collector();
    Instant now = Instant.now();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      // three weeks, more traffic in recent days; none in the last hour, so numbers stay put
      Instant start = now.minusSeconds(3600 + (long) (Math.pow(i / 600.0, 1.5) * 21 * 86400));
      SessionSimulator.Session session = simulator.session(start);
      pending.add(
          collector.collect(
              session.beacon(),
              tube.productionPlayerKey(),
              new Collector.Client(session.ip(), session.userAgent(), null),
              session.endedAt()));
    }
    pending.forEach(CompletableFuture::join);
    // A burst this large is answered from the rollup once sealed (--fold-limit): wait for it.
    Browser.await(
        "the rollup to be sealed",
        Duration.ofSeconds(30),
        () -> server.get("/metrics").body().contains("playlens_rollup_unsealed_batches 0.0"));
    JsonNode top = api("/data/buckets/play/media-id?sortBy=metricValue&sortOrder=desc");
    mediaId = top.get("data").get(0).get("dimensionValue").asText();
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void startBrowser() {
    browser = new Browser();
  }

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  @Test
  void aSignedOutVisitorIsSentToSignInAndBackAfterwards() {
    browser.driver.get(server.uri("/app/tube/settings").toString());
    assertThat(browser.driver.getCurrentUrl())
        .endsWith(
            "/sign-in?next=" + URLEncoder.encode("/app/tube/settings", StandardCharsets.UTF_8));
    screenshot("sign-in");
    fillSignIn("owner@tube.test", PASSWORD);
    awaitLoaded();
    assertThat(browser.driver.getCurrentUrl()).endsWith("/app/tube/settings");
  }

  @Test
  void aWrongPasswordShowsAnErrorAndNoSession() {
    browser.driver.get(server.uri("/sign-in").toString());
    fillSignIn("owner@tube.test", "not the password");
    Browser.await(
        "the error",
        Duration.ofSeconds(10),
        () ->
            browser.driver.findElements(By.id("error")).stream().anyMatch(WebElement::isDisplayed));
    WebElement error = browser.driver.findElement(By.id("error"));
    assertThat(error.isDisplayed()).isTrue();
    assertThat(error.getText()).isEqualTo("Wrong email or password.");
    assertThat(browser.driver.getCurrentUrl()).endsWith("/sign-in");
    assertThat(browser.driver.findElement(By.id("email")).getAttribute("value"))
        .isEqualTo("owner@tube.test");
    screenshot("sign-in-wrong-password");
    browser.driver.get(server.uri("/app/tube").toString());
    assertThat(browser.driver.getCurrentUrl()).contains("/sign-in?next=");
  }

  @Test
  void theOverviewShowsTheApiNumbersForItsRangeAndFollowsARangeChange() throws Exception {
    signIn();
    Map<String, Double> lastWeek = figures();
    assertThat(browser.driver.getCurrentUrl()).endsWith("/app/tube");
    assertRangeStartsDaysAgo(6);
    assertThat(lastWeek.get("plays")).isGreaterThan(0);
    assertFiguresMatchTheApi(lastWeek);
    assertBreakdownsMatchTheApi();
    // the live viewer count is the API's too, and polled
    Browser.await(
        "live viewers",
        Duration.ofSeconds(10),
        () -> !browser.driver.findElement(By.id("live-viewers")).getText().equals("–"));
    assertThat(browser.driver.findElement(By.id("live-viewers")).getText())
        .isEqualTo(api("/data/metrics/ccv/live").get("data").asText());
    screenshot("overview");

    String before = browser.driver.findElement(By.id("figures")).getAttribute("data-from");
    choose("range", "last30");
    Browser.await(
        "the 30-day figures",
        Duration.ofSeconds(15),
        () ->
            !before.equals(browser.driver.findElement(By.id("figures")).getAttribute("data-from"))
                && loaded());
    Map<String, Double> lastMonth = figures();
    assertRangeStartsDaysAgo(29);
    assertFiguresMatchTheApi(lastMonth);
    assertThat(lastMonth.get("plays")).isGreaterThan(lastWeek.get("plays"));
    assertThat(lastMonth.get("impressions")).isGreaterThan(lastWeek.get("impressions"));
    // the range is in the address, so the view can be shared
    assertThat(browser.driver.getCurrentUrl()).contains("range=last30");
    browser.driver.navigate().refresh();
    awaitLoaded();
    assertThat(figures()).isEqualTo(lastMonth);

    choose("filter-media", mediaId);
    Browser.await(
        "the media's figures",
        Duration.ofSeconds(15),
        () ->
            browser.driver.getCurrentUrl().contains("media=")
                && loaded()
                && !figures().equals(lastMonth));
    assertFiguresMatchTheApi(figures());
    assertThat(figures().get("plays")).isLessThan(lastMonth.get("plays"));
  }

  @Test
  void theMediaPageShowsTheEngagementHeatmapAndEachViewsStrip() throws Exception {
    signIn();
    browser.driver.get(server.uri("/app/tube/media/" + mediaId).toString());
    awaitLoaded();
    assertFiguresMatchTheApi(figures());
    JsonNode engagement =
        wistia("/v1/stats/medias/" + mediaId + "/engagement").get("engagement_data");
    long total = 0;
    for (JsonNode cell : engagement) {
      total += cell.asLong();
    }
    WebElement heatmap = browser.driver.findElement(By.cssSelector("#heatmap .strip"));
    assertThat(heatmap.getAttribute("data-cells")).isEqualTo(Integer.toString(engagement.size()));
    assertThat(browser.driver.findElement(By.id("heatmap")).getAttribute("data-total"))
        .isEqualTo(Long.toString(total));
    assertThat(total).isGreaterThan(0);
    assertThat(browser.driver.findElements(By.cssSelector("#engagement canvas"))).isNotEmpty();
    assertThat(browser.driver.findElements(By.cssSelector("#retention canvas"))).isNotEmpty();
    List<WebElement> views = browser.driver.findElements(By.cssSelector("#views tbody tr"));
    assertThat(views).isNotEmpty();
    assertThat(views.getFirst().findElements(By.cssSelector(".strip .cell"))).isNotEmpty();
    screenshot("media");
  }

  @Test
  void theExportDialogDownloadsExactlyWhatTheExportApiAnswers() throws Exception {
    signIn();
    browser.driver.get(server.uri("/app/tube/media/" + mediaId + "?range=last30").toString());
    awaitLoaded();
    browser.driver.executeCdpCommand(
        "Browser.setDownloadBehavior",
        Map.of("behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));
    browser.driver.findElement(By.id("export-open")).click();
    browser.driver.findElement(By.id("export-all")).click();
    screenshot("export-dialog");
    String url = browser.driver.findElement(By.id("export-url")).getText();
    assertThat(url).startsWith("/stats/medias/" + mediaId + "/events.csv?filter=view&start_date=");
    assertThat(url).endsWith("&limit=all");
    browser.driver.findElement(By.id("export-download")).click();
    Path file = downloads.resolve(mediaId + "-views.csv");
    Browser.await("the download", Duration.ofSeconds(15), () -> Files.exists(file));
    HttpResponse<String> api = server.get(url, TestServer.basic("owner@tube.test", PASSWORD));
    assertThat(api.statusCode()).isEqualTo(200);
    assertThat(Files.readString(file)).isEqualTo(api.body());
    assertThat(api.body().lines().count()).isGreaterThan(10);
  }

  @Test
  void aUserOfAnotherAccountCannotReachThisAccountsPages() throws Exception {
    server.createAccount("rival", PASSWORD);
    browser.driver.get(server.uri("/sign-in").toString());
    fillSignIn("owner@rival.test", PASSWORD);
    awaitLoaded();
    assertThat(browser.driver.getCurrentUrl()).endsWith("/app/rival");
    assertThat(figures().get("impressions")).isZero();

    browser.driver.get(server.uri("/app/tube").toString());
    assertThat(browser.driver.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
    browser.driver.get(server.uri("/app/tube/media/" + mediaId).toString());
    assertThat(browser.driver.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
    // the rival's own media page for tube's media id finds nothing either
    browser.driver.get(server.uri("/app/rival/media/" + mediaId).toString());
    awaitLoaded();
    assertThat(browser.driver.findElement(By.id("status")).getText())
        .isEqualTo("There is no media \"" + mediaId + "\" in this account.");
    screenshot("other-account");
  }

  @Test
  void settingsCreateRevealOnceAndRevokeAnApiKey() throws Exception {
    signIn();
    browser.driver.get(server.uri("/app/tube/settings").toString());
    awaitLoaded();
    int before = browser.driver.findElements(By.cssSelector("#api-keys tbody tr")).size();
    browser.driver.findElement(By.cssSelector("#api-key-form button")).click();
    Browser.await(
        "the new key",
        Duration.ofSeconds(10),
        () -> !browser.driver.findElements(By.id("new-api-key")).isEmpty());
    String secret = browser.driver.findElement(By.id("new-api-key")).getText();
    assertThat(secret).startsWith("sk_live_");
    assertThat(server.get("/data/metrics/play/count", TestServer.basic(secret, "")).statusCode())
        .isEqualTo(200);
    Browser.await(
        "the key in the list",
        Duration.ofSeconds(10),
        () ->
            browser.driver.findElements(By.cssSelector("#api-keys tbody tr")).size() == before + 1);
    assertThat(browser.driver.findElement(By.id("snippet")).getText())
        .contains("data-key=\"" + tube.productionPlayerKey().key() + "\"");
    screenshot("settings");
    browser.driver.navigate().refresh();
    awaitLoaded();
    assertThat(browser.driver.getPageSource()).doesNotContain(secret); // shown once
    List<WebElement> revoke =
        browser.driver.findElements(By.cssSelector("#api-keys tbody tr button"));
    revoke.getLast().click();
    browser.driver.switchTo().alert().accept();
    Browser.await(
        "the revocation",
        Duration.ofSeconds(10),
        () ->
            server.get("/data/metrics/play/count", TestServer.basic(secret, "")).statusCode()
                == 401);
  }

  @Test
  void atPhoneWidthTheOverviewStillFits() {
    signIn();
    browser.driver.manage().window().setSize(new Dimension(390, 844));
    browser.driver.navigate().refresh();
    awaitLoaded();
    Number overflow =
        (Number) browser.js("return document.documentElement.scrollWidth - window.innerWidth;");
    assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
    screenshot("overview-phone");
  }

  // ---- helpers ----

  private void signIn() {
    browser.driver.get(server.uri("/sign-in").toString());
    fillSignIn("owner@tube.test", PASSWORD);
    awaitLoaded();
  }

  /** Picks an option of a select as a user does: by clicking it. */
  private void choose(String select, String value) {
    browser
        .driver
        .findElement(By.cssSelector("#" + select + " option[value='" + value + "']"))
        .click();
  }

  private void fillSignIn(String email, String password) {
    WebElement emailField = browser.driver.findElement(By.id("email"));
    emailField.clear();
    emailField.sendKeys(email);
    browser.driver.findElement(By.id("password")).sendKeys(password);
    browser.driver.findElement(By.id("submit")).click();
  }

  private boolean loaded() {
    Object busy =
        browser.js(
            "const main = document.getElementById('main');"
                + " return main ? main.getAttribute('aria-busy') : 'none';");
    return "false".equals(busy);
  }

  private void awaitLoaded() {
    Browser.await("the page's data", Duration.ofSeconds(20), this::loaded);
  }

  /**
   * The page's range starts at midnight, in the account's zone, {@code days} days ago: the page's
   * date arithmetic agrees with Java's (the API is then asked for exactly that range).
   */
  private void assertRangeStartsDaysAgo(int days) {
    ZoneId zone = ZoneId.of("America/New_York");
    String from = browser.driver.findElement(By.id("figures")).getAttribute("data-from");
    assertThat(Instant.parse(from))
        .isEqualTo(java.time.LocalDate.now(zone).minusDays(days).atStartOfDay(zone).toInstant());
  }

  /** The key figures as the page shows them: each figure's exact value, by id. */
  private Map<String, Double> figures() {
    Map<String, Double> values = new java.util.TreeMap<>();
    for (WebElement figure : browser.driver.findElements(By.cssSelector("#figures .figure"))) {
      String id = figure.getAttribute("id").substring("figure-".length());
      values.put(
          id,
          Double.parseDouble(
              figure.findElement(By.cssSelector(".value")).getAttribute("data-value")));
    }
    return values;
  }

  private void assertFiguresMatchTheApi(Map<String, Double> shown) throws Exception {
    WebElement figures = browser.driver.findElement(By.id("figures"));
    String range =
        "from="
            + figures.getAttribute("data-from")
            + "&to="
            + figures.getAttribute("data-to")
            + filters();
    Map<String, String> calls =
        Map.of(
            "impressions", "impression/count",
            "plays", "play/count",
            "play-rate", "play/rate",
            "unique", "view/count?unique=true",
            "watch-time", "watch-time/sum",
            "percent-viewed", "percent-viewed/average");
    assertThat(shown).containsOnlyKeys(calls.keySet());
    for (var call : calls.entrySet()) {
      String path = "/data/metrics/" + call.getValue();
      JsonNode answer = api(path + (path.contains("?") ? "&" : "?") + range);
      assertThat(shown.get(call.getKey()))
          .as(call.getKey())
          .isEqualTo(answer.get("data").asDouble());
    }
  }

  /** The page's filters, as the API's filterBy parameters. */
  private String filters() {
    String current = browser.driver.getCurrentUrl();
    StringBuilder filters = new StringBuilder();
    if (current.contains("/media/")) {
      filters.append("&filterBy[mediaId]=").append(mediaId);
    }
    for (String[] pair : new String[][] {{"media", "mediaId"}, {"country", "country"}}) {
      java.util.regex.Matcher found =
          java.util.regex.Pattern.compile("[?&]" + pair[0] + "=([^&]+)").matcher(current);
      if (found.find()) {
        filters.append("&filterBy[").append(pair[1]).append("]=").append(found.group(1));
      }
    }
    return filters.toString();
  }

  private void assertBreakdownsMatchTheApi() throws Exception {
    WebElement figures = browser.driver.findElement(By.id("figures"));
    String range =
        "from=" + figures.getAttribute("data-from") + "&to=" + figures.getAttribute("data-to");
    for (String[] table :
        new String[][] {
          {"countries", "country"}, {"devices", "device-type"}, {"browsers", "browser"}
        }) {
      JsonNode answer =
          api(
              "/data/buckets/play/"
                  + table[1]
                  + "?sortBy=metricValue&sortOrder=desc&pageSize=10&"
                  + range);
      List<String> expected = new ArrayList<>();
      answer
          .get("data")
          .forEach(
              row ->
                  expected.add(
                      row.get("dimensionValue").asText() + " " + row.get("metricValue").asLong()));
      List<String> shown =
          browser.driver.findElements(By.cssSelector("#" + table[0] + " tbody tr")).stream()
              .map(row -> row.getText().replace(",", ""))
              .toList();
      assertThat(shown).as(table[0]).isEqualTo(expected);
    }
    assertThat(browser.driver.findElements(By.cssSelector("#map svg path"))).isNotEmpty();
  }

  private static JsonNode api(String pathAndQuery) throws IOException {
    HttpResponse<String> response = server.get(pathAndQuery, apiKey);
    assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode wistia(String path) throws IOException {
    HttpResponse<String> response = server.get(path, TestServer.basic("owner@tube.test", PASSWORD));
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** A full-page picture of the current page under target/screenshots/. */
  private void screenshot(String name) {
    try {
      Number height = (Number) browser.js("return document.documentElement.scrollHeight;");
      Dimension size = browser.driver.manage().window().getSize();
      if (size.getWidth() > 600) {
        browser
            .driver
            .manage()
            .window()
            .setSize(new Dimension(1280, Math.min(4000, height.intValue() + 150)));
      }
      byte[] png = browser.driver.getScreenshotAs(OutputType.BYTES);
      Files.write(SCREENSHOTS.resolve(name + ".png"), png);
      browser.driver.manage().window().setSize(size);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
