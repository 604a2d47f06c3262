package io.playlens.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.playlens.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker in a real headless Chromium against a real server: the demo page is loaded and
 * played, seeked, paused, played to the end and closed; then the store is asked what arrived.
 */
class TrackerBrowserTest {
  @TempDir static Path dataDir;

  private static TestServer server;
  private Browser browser;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(dataDir);
    server.createAccount(DemoPage.ACCOUNT, "demo password");
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

  private void openDemoAndAwaitImpression() {
    browser.driver.get(server.uri("/demo").toString());
    Browser.await(
        "the impression to be acknowledged",
        Duration.ofSeconds(15),
        () ->
            (Boolean)
                browser.js(
                    "return (window.playlensAcknowledged || []).some(e => e.type === 'impression')"));
  }

  private double currentTime() {
    return browser.number("return document.getElementById('player').currentTime");
  }

  private void awaitTime(double seconds) {
    Browser.await(
        "the video to reach " + seconds + " s",
        Duration.ofSeconds(30),
        () -> currentTime() >= seconds);
  }

  private List<Map<String, Object>> events(String session) {
    return server.query(
        "SELECT CAST(event_type AS VARCHAR) AS type, event_time, position, from_position,"
            + " to_position, startup_ms FROM event_details WHERE session_id = '"
            + session
            + "' ORDER BY event_time, received_at");
  }

  private List<String> sessions(String since) {
    return server
        .query(
            "SELECT DISTINCT session_id FROM event_details WHERE account = 'demo'"
                + " AND received_at >= TIMESTAMP '"
                + since
                + "'")
        .stream()
        .map(row -> (String) row.get("session_id"))
        .toList();
  }

  private static String utcNow() {
    return java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).toString().replace('T', ' ');
  }

  /** The browser's own record of what it played: video.played, as [from, to] pairs. */
  @SuppressWarnings("unchecked")
  private List<double[]> playedRanges() {
    List<List<Number>> ranges =
        (List<List<Number>>)
            browser.js(
                "var p = document.getElementById('player').played, out = [];"
                    + " for (var i = 0; i < p.length; i++) out.push([p.start(i), p.end(i)]);"
                    + " return out;");
    return ranges.stream()
        .map(r -> new double[] {r.get(0).doubleValue(), r.get(1).doubleValue()})
        .toList();
  }

  private static List<double[]> union(List<double[]> intervals) {
    List<double[]> sorted = new ArrayList<>(intervals);
    sorted.sort((a, b) -> Double.compare(a[0], b[0]));
    List<double[]> merged = new ArrayList<>();
    for (double[] interval : sorted) {
      double[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && interval[0] <= last[1] + 0.5) {
        last[1] = Math.max(last[1], interval[1]);
      } else {
        merged.add(new double[] {interval[0], interval[1]});
      }
    }
    return merged;
  }

  private static List<double[]> watched(List<Map<String, Object>> events) {
    return events.stream()
        .filter(e -> e.get("type").equals("watch"))
        .map(
            e ->
                new double[] {
                  ((Number) e.get("from_position")).doubleValue(),
                  ((Number) e.get("to_position")).doubleValue()
                })
        .toList();
  }

  @Test
  void aWholeViewingIsStoredAsPlayedAndWhatThePageHeldAtCloseArrives() {
    String since = utcNow();
    openDemoAndAwaitImpression();

    browser.js("document.getElementById('player').play()");
    awaitTime(4.0);
    browser.js("document.getElementById('player').currentTime = 12");
    awaitTime(13.5);
    browser.js("document.getElementById('player').pause()");
    browser.js("document.getElementById('player').play()");
    Browser.await(
        "the end",
        Duration.ofSeconds(30),
        () -> (Boolean) browser.js("return document.getElementById('player').ended"));
    List<double[]> played = playedRanges();
    // Watch again from the start, then leave while that stretch is still in the page.
    browser.js("document.getElementById('player').play()");
    awaitTime(2.0);
    double replayedTo = currentTime();
    browser.driver.get("about:blank");

    Browser.await("one session", Duration.ofSeconds(10), () -> sessions(since).size() == 1);
    String session = sessions(since).get(0);
    Browser.await(
        "the events sent at page close",
        Duration.ofSeconds(10),
        () -> {
          List<Map<String, Object>> events = events(session);
          int end = events.stream().map(e -> e.get("type")).toList().indexOf("end");
          return end >= 0
              && events.subList(end, events.size()).stream()
                  .anyMatch(e -> e.get("type").equals("watch"));
        });
    List<Map<String, Object>> events = events(session);
    List<String> types = events.stream().map(e -> (String) e.get("type")).toList();

    assertThat(types).startsWith("impression", "play", "start");
    assertThat(types).containsOnlyOnce("impression", "play", "start", "end");
    assertThat(types).contains("seek", "pause");
    Map<String, Object> start = events.get(types.indexOf("start"));
    assertThat(((Number) start.get("startup_ms")).intValue()).isBetween(0, 5_000);
    Map<String, Object> seek = events.get(types.indexOf("seek"));
    assertThat(((Number) seek.get("from_position")).doubleValue()).isCloseTo(4.0, within(1.0));
    assertThat(((Number) seek.get("to_position")).doubleValue()).isCloseTo(12.0, within(0.01));
    assertThat(((Number) events.get(types.indexOf("end")).get("position")).doubleValue())
        .isCloseTo(20.0, within(0.1));

    // Until the end, the stored watch intervals cover what the browser says it played.
    List<double[]> beforeEnd = watched(events.subList(0, types.indexOf("end") + 1));
    List<double[]> stored = union(beforeEnd);
    assertThat(stored).hasSameSizeAs(played);
    for (int i = 0; i < played.size(); i++) {
      assertThat(stored.get(i)[0])
          .as("start of range " + i)
          .isCloseTo(played.get(i)[0], within(1.0));
      assertThat(stored.get(i)[1]).as("end of range " + i).isCloseTo(played.get(i)[1], within(1.0));
    }
    // After the end: the replay's stretch, sent by the page as it closed.
    List<double[]> afterEnd = watched(events.subList(types.indexOf("end") + 1, events.size()));
    assertThat(union(afterEnd)).hasSize(1);
    assertThat(union(afterEnd).get(0)[0]).isCloseTo(0.0, within(0.5));
    assertThat(union(afterEnd).get(0)[1]).isCloseTo(replayedTo, within(1.0));
  }

  /** Puts a video at the top of the demo page and tracks it through the programmatic API. */
  private void addVideo(String id, String src, String style, String options) {
    browser.js(
        "var v = document.createElement('video'); v.id = arguments[0]; v.src = arguments[1];"
            + " v.muted = true; v.setAttribute('style', arguments[2]);"
            + " document.body.insertBefore(v, document.body.firstChild);"
            + " window.handles = window.handles || {};"
            + " window.handles[arguments[0]] = Playlens.track(v, Object.assign({key:"
            + " document.querySelector('script[data-key]').getAttribute('data-key'),"
            + " mediaId: arguments[0]}, JSON.parse(arguments[3])));",
        id,
        src,
        style,
        options);
  }

  private List<Map<String, Object>> mediaEvents(String mediaId) {
    return mediaEvents(mediaId, "1970-01-01 00:00:00");
  }

  /** The events of a media received since a time (other tests play the demo media too). */
  private List<Map<String, Object>> mediaEvents(String mediaId, String since) {
    return server.query(
        "SELECT CAST(event_type AS VARCHAR) AS type, email, viewer_id, error_code, from_position,"
            + " to_position FROM event_details WHERE media_id = '"
            + mediaId
            + "' AND received_at >= TIMESTAMP '"
            + since
            + "' ORDER BY event_time, received_at");
  }

  @Test
  void theProgrammaticApiIdentifiesDestroysSeesVisibilityErrorsViewerIdAndDoNotTrack() {
    browser.driver.get(server.uri("/demo").toString());
    Browser.await(
        "the tracker",
        Duration.ofSeconds(15),
        () -> (Boolean) browser.js("return !!window.Playlens"));
    browser.js("Object.defineProperty(navigator, 'doNotTrack', {value: '1'})");
    addVideo(
        "below-the-fold",
        "/demo/playlens-demo.webm",
        "display:block;margin-top:3000px",
        "{\"viewerId\": false}");
    addVideo("broken", "/demo/missing.webm", "", "{}");
    addVideo("private", "/demo/playlens-demo.webm", "", "{\"respectDoNotTrack\": true}");
    addVideo("identified", "/demo/playlens-demo.webm", "", "{\"title\": \"Programmatic\"}");

    browser.js("handles['identified'].identify('ada@example.com')");
    browser.js("document.getElementById('identified').play()");
    Browser.await(
        "a second of playback",
        Duration.ofSeconds(20),
        () -> browser.number("return document.getElementById('identified').currentTime") >= 1.5);
    browser.js("handles['identified'].destroy()");
    Browser.await(
        "the error of the broken video",
        Duration.ofSeconds(15),
        () -> mediaEvents("broken").stream().anyMatch(e -> "error".equals(e.get("type"))));
    Browser.await(
        "the watch interval sent by destroy()",
        Duration.ofSeconds(15),
        () -> mediaEvents("identified").stream().anyMatch(e -> "watch".equals(e.get("type"))));
    // Loaded seconds ago (events wait 1 s before a send) but out of sight: no impression until it
    // is scrolled into view.
    assertThat(browser.number("return document.getElementById('below-the-fold').readyState"))
        .isGreaterThanOrEqualTo(1);
    assertThat(mediaEvents("below-the-fold")).isEmpty();
    browser.js("document.getElementById('below-the-fold').scrollIntoView()");
    Browser.await(
        "the impression once visible",
        Duration.ofSeconds(15),
        () -> !mediaEvents("below-the-fold").isEmpty());

    List<Map<String, Object>> identified = mediaEvents("identified");
    assertThat(identified)
        .extracting(e -> e.get("type"))
        .containsExactly("impression", "play", "start", "watch");
    assertThat(identified).allSatisfy(e -> assertThat(e.get("email")).isEqualTo("ada@example.com"));
    assertThat(identified.get(0).get("viewer_id")).asString().isNotBlank();
    assertThat(((Number) identified.get(3).get("to_position")).doubleValue()).isGreaterThan(1.0);
    assertThat(mediaEvents("below-the-fold"))
        .extracting(e -> e.get("type"))
        .containsExactly("impression");
    assertThat(mediaEvents("below-the-fold").get(0).get("viewer_id"))
        .as("no viewer id when turned off")
        .isNull();
    assertThat(mediaEvents("broken"))
        .filteredOn(e -> "error".equals(e.get("type")))
        .extracting(e -> e.get("error_code"))
        .containsExactly("MEDIA_ERR_SRC_NOT_SUPPORTED");
    assertThat(mediaEvents("private")).as("Do Not Track is respected").isEmpty();
  }

  @Test
  void aStallIsReportedAsARebufferWithItsDuration() {
    browser.driver.get(server.uri("/demo").toString());
    Browser.await(
        "the tracker",
        Duration.ofSeconds(15),
        () -> (Boolean) browser.js("return !!window.Playlens"));
    // A fresh copy of the video (no cache), then a trickle of bandwidth: playback runs dry.
    browser.driver.executeCdpCommand("Network.enable", Map.of());
    browser.driver.executeCdpCommand(
        "Network.emulateNetworkConditions",
        Map.of(
            "offline", false, "latency", 0, "downloadThroughput", 8_000, "uploadThroughput", -1));
    addVideo("stalling", "/demo/playlens-demo.webm?fresh=" + System.nanoTime(), "", "{}");
    browser.js("document.getElementById('stalling').play()");
    Browser.await(
        "playback to stall",
        Duration.ofSeconds(40),
        () ->
            (Boolean)
                browser.js(
                    "var v = document.getElementById('stalling');"
                        + " return v.currentTime > 0 && v.readyState < 3 && !v.paused;"));
    browser.driver.executeCdpCommand(
        "Network.emulateNetworkConditions",
        Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));

    Browser.await(
        "the rebuffer event",
        Duration.ofSeconds(30),
        () -> mediaEvents("stalling").stream().anyMatch(e -> "rebuffer".equals(e.get("type"))));
    List<Map<String, Object>> rebuffers =
        server.query(
            "SELECT rebuffer_ms FROM event_details WHERE media_id = 'stalling'"
                + " AND event_type = 'rebuffer'");
    assertThat(((Number) rebuffers.get(0).get("rebuffer_ms")).intValue()).isBetween(1, 60_000);
  }

  @Test
  void aNewSourceInTheSamePlayerIsANewSessionOfItsOwnMedia() {
    String since = utcNow();
    openDemoAndAwaitImpression();
    browser.js("document.getElementById('player').play()");
    awaitTime(1.5);
    // The site's playlist moves on: a new media id and source in the same <video>.
    browser.js(
        "var v = document.getElementById('player');"
            + " v.setAttribute('data-playlens-media', 'second-item');"
            + " v.src = '/demo/playlens-demo.webm?second'; v.play();");
    Browser.await(
        "the second item to play",
        Duration.ofSeconds(20),
        () ->
            (Boolean)
                browser.js(
                    "var v = document.getElementById('player');"
                        + " return v.src.endsWith('?second') && v.currentTime >= 1.5;"));
    browser.js("document.getElementById('player').pause()");

    Browser.await(
        "the second item's pause",
        Duration.ofSeconds(15),
        () -> mediaEvents("second-item").stream().anyMatch(e -> "pause".equals(e.get("type"))));
    Browser.await(
        "the first item's watch time",
        Duration.ofSeconds(15),
        () ->
            mediaEvents("playlens-demo", since).stream()
                .anyMatch(e -> "watch".equals(e.get("type"))));
    assertThat(sessions(since)).hasSize(2);
    assertThat(mediaEvents("second-item"))
        .extracting(e -> e.get("type"))
        .containsSubsequence("impression", "play", "start", "watch", "pause");
    assertThat(mediaEvents("playlens-demo", since))
        .extracting(e -> e.get("type"))
        .containsSubsequence("impression", "play", "start", "watch")
        .doesNotContain("pause");
  }

  @Test
  void aRefusalFromAnotherOriginIsReadAndNotRetried() {
    // The page on localhost, the endpoint on 127.0.0.1: a cross-origin send with an unknown key.
    browser.driver.get(server.uri("/demo").toString().replace("127.0.0.1", "localhost"));
    Browser.await(
        "the tracker",
        Duration.ofSeconds(15),
        () -> (Boolean) browser.js("return !!window.Playlens"));
    browser.js(
        "window.refusals = [];"
            + " var v = document.createElement('video'); v.src = '/demo/playlens-demo.webm';"
            + " document.body.insertBefore(v, document.body.firstChild);"
            + " v.addEventListener('playlens:dropped', e => window.refusals.push(e.detail.status));"
            + " Playlens.track(v, {key: 'pk_no_such_key', mediaId: 'cross-origin',"
            + " endpoint: arguments[0]});",
        server.uri("/v1/collect").toString());

    Browser.await(
        "the refusal to reach the page",
        Duration.ofSeconds(15),
        () -> browser.number("return window.refusals.length") >= 1);
    assertThat(browser.js("return window.refusals")).isEqualTo(List.of(401L));
  }

  @Test
  void eventsHeldWhileTheRouteIsCutArriveOnceItIsBack() {
    String since = utcNow();
    openDemoAndAwaitImpression();
    // The route to the collection endpoint is cut; the video itself still loads.
    browser.driver.executeCdpCommand("Network.enable", Map.of());
    browser.driver.executeCdpCommand(
        "Network.setBlockedURLs", Map.of("urls", List.of("*/v1/collect")));

    browser.js("document.getElementById('player').play()");
    awaitTime(7.0); // a heartbeat (5 s) falls in here: its send fails
    browser.js("document.getElementById('player').pause()");
    assertThat(sessions(since)).hasSize(1); // the impression, from before the cut
    String session = sessions(since).get(0);
    assertThat(events(session)).extracting(e -> e.get("type")).containsExactly("impression");

    assertThat(
            (Boolean)
                browser.js(
                    "return (window.playlensAcknowledged || []).some(e => e.type === 'play')"))
        .as("nothing got through while the route was cut")
        .isFalse();
    browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));

    Browser.await(
        "the held events after the network is back",
        Duration.ofSeconds(30),
        () -> events(session).stream().anyMatch(e -> e.get("type").equals("pause")));
    List<Map<String, Object>> events = events(session);
    List<Object> types = events.stream().map(e -> e.get("type")).toList();
    assertThat(types).containsOnlyOnce("impression", "play", "start", "pause").contains("watch");
    // Each second once: the retries delivered the held batch once, nothing twice.
    double total = watched(events).stream().mapToDouble(i -> i[1] - i[0]).sum();
    List<double[]> stored = union(watched(events));
    assertThat(total).isCloseTo(stored.get(0)[1] - stored.get(0)[0], within(0.01));
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0)[0]).isCloseTo(0.0, within(0.5));
    assertThat(stored.get(0)[1]).isCloseTo(currentTime(), within(1.0));
  }
}
