package io.playlens.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.MutableClock;
import io.playlens.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's sessions over plain HTTP: the cookie's flags, the CSRF tokens of the sign-in form
 * and of writes, sign-out, the sign-in failure budget, and the public APIs read with the cookie.
 */
class DashboardSessionTest {
  private static final Pattern FORM_TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  @TempDir static Path dataDir;
  private static TestServer server;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** Stands still mid-minute: the per-minute sign-in budget cannot roll over during a test. */
  private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-20T10:00:05Z"));

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dataDir,
            config -> config.trustedProxies(List.of("127.0.0.1/32")).authFailuresPerMinute(5),
            CLOCK);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A browser's cookie jar, small enough to see what is sent. */
  private static final class Visitor {
    final java.util.Map<String, String> cookies = new java.util.LinkedHashMap<>();
    final String ip;

    Visitor(String ip) {
      this.ip = ip;
    }

    HttpResponse<String> send(String method, String path, String form, String... headers)
        throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(server.uri(path))
              .method(
                  method,
                  form == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(form))
              .header("X-Forwarded-For", ip);
      if (form != null) {
        request.header(
            "Content-Type",
            form.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded");
      }
      if (!cookies.isEmpty()) {
        request.header(
            "Cookie",
            cookies.entrySet().stream()
                .map(cookie -> cookie.getKey() + "=" + cookie.getValue())
                .collect(Collectors.joining("; ")));
      }
      for (int i = 0; i < headers.length; i += 2) {
        request.header(headers[i], headers[i + 1]);
      }
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String line : response.headers().allValues("Set-Cookie")) {
        String pair = line.split(";", 2)[0];
        int equals = pair.indexOf('=');
        String value = pair.substring(equals + 1);
        if (value.isEmpty()) {
          cookies.remove(pair.substring(0, equals));
        } else {
          cookies.put(pair.substring(0, equals), value);
        }
      }
      return response;
    }

    HttpResponse<String> signIn(String email, String password, String next, String... headers)
        throws Exception {
      HttpResponse<String> form = send("GET", "/sign-in", null, headers);
      Matcher token = FORM_TOKEN.matcher(form.body());
      assertThat(token.find()).isTrue();
      return send(
          "POST",
          "/sign-in",
          "csrf="
              + token.group(1)
              + "&email="
              + URLEncoder.encode(email, StandardCharsets.UTF_8)
              + "&password="
              + URLEncoder.encode(password, StandardCharsets.UTF_8)
              + "&next="
              + URLEncoder.encode(next, StandardCharsets.UTF_8),
          headers);
    }

    String csrf() throws Exception {
      HttpResponse<String> session = send("GET", "/auth/session", null);
      assertThat(session.statusCode()).isEqualTo(200);
      Matcher token = Pattern.compile("\"csrfToken\":\"([^\"]+)\"").matcher(session.body());
      assertThat(token.find()).isTrue();
      return token.group(1);
    }
  }

  @Test
  void signingInSetsAnHttpOnlySameSiteCookieThatIsSecureOnlyBehindTls() throws Exception {
    Visitor plain = new Visitor("203.0.113.1");
    HttpResponse<String> signedIn =
        plain.signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app");
    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(signedIn.headers().firstValue("Location")).hasValue("/app/acme");
    String cookie = sessionCookie(signedIn);
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");

    Visitor proxied = new Visitor("203.0.113.2");
    HttpResponse<String> overTls =
        proxied.signIn(
            TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app", "X-Forwarded-Proto", "https");
    assertThat(sessionCookie(overTls))
        .contains("HttpOnly")
        .contains("SameSite=Lax")
        .contains("Secure");
  }

  @Test
  void aSignInWithoutTheFormsTokenIsRefusedAndOpensNoSession() throws Exception {
    Visitor visitor = new Visitor("203.0.113.3");
    visitor.send("GET", "/sign-in", null);
    HttpResponse<String> forged =
        visitor.send(
            "POST",
            "/sign-in",
            "csrf=forged&email=owner%40acme.test&password="
                + URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("This form had expired. Please sign in again.");
    assertThat(visitor.cookies).doesNotContainKey(DashboardSessions.COOKIE);
  }

  @Test
  void nextNeverLeadsOffTheDashboard() throws Exception {
    for (String next :
        List.of("https://evil.example/", "//evil.example/app", "/admin/v1/accounts")) {
      HttpResponse<String> signedIn =
          new Visitor("203.0.113.4").signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, next);
      assertThat(signedIn.headers().firstValue("Location")).as(next).hasValue("/app/acme");
    }
    HttpResponse<String> inside =
        new Visitor("203.0.113.4")
            .signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app/acme/settings?env=sandbox");
    assertThat(inside.headers().firstValue("Location")).hasValue("/app/acme/settings?env=sandbox");
  }

  @Test
  void wrongPasswordsFromOneAddressAreCutOffWith429() throws Exception {
    Visitor guesser = new Visitor("198.51.100.7");
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> wrong = guesser.signIn(TestServer.ACME_EMAIL, "guess " + i, "/app");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).contains("Wrong email or password.");
    }
    HttpResponse<String> limited =
        guesser.signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(limited.body()).contains("Too many failed sign-in attempts.");
    assertThat(guesser.cookies).doesNotContainKey(DashboardSessions.COOKIE);
  }

  @Test
  void theSessionReadsTheApisInTheChosenEnvironmentAndWritesNeedItsCsrfToken() throws Exception {
    server.collect(beacon(TestServer.KEY, "prod-1"));
    server.collect(beacon(TestServer.KEY, "prod-2"));
    server.collect(beacon(TestServer.SANDBOX_KEY, "sandbox-1"));
    CLOCK.advance(Duration.ofSeconds(1)); // "to" is exclusive: now the events are in the past
    Visitor owner = new Visitor("203.0.113.5");
    owner.signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app");

    assertThat(owner.send("GET", "/data/metrics/play/count", null).body()).endsWith("\"data\":2}");
    assertThat(
            owner
                .send("GET", "/data/metrics/play/count", null, "X-Playlens-Environment", "sandbox")
                .body())
        .endsWith("\"data\":1}");
    HttpResponse<String> badEnvironment =
        owner.send("GET", "/data/metrics/play/count", null, "X-Playlens-Environment", "staging");
    assertThat(badEnvironment.statusCode()).isEqualTo(400);
    assertThat(badEnvironment.body())
        .contains("X-Playlens-Environment must be 'production' or 'sandbox' (got 'staging')");

    String body = "{\"type\":\"player\",\"environment\":\"production\"}";
    HttpResponse<String> withoutToken = owner.send("POST", "/admin/v1/accounts/acme/keys", body);
    assertThat(withoutToken.statusCode()).isEqualTo(403);
    assertThat(withoutToken.body()).contains("X-CSRF-Token");
    HttpResponse<String> wrongToken =
        owner.send("POST", "/admin/v1/accounts/acme/keys", body, "X-CSRF-Token", "guess");
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    HttpResponse<String> withToken =
        owner.send("POST", "/admin/v1/accounts/acme/keys", body, "X-CSRF-Token", owner.csrf());
    assertThat(withToken.statusCode()).isEqualTo(201);
    // another account's admin routes stay closed to this session
    assertThat(
            owner
                .send("GET", "/admin/v1/accounts/shop/keys", null, "X-CSRF-Token", owner.csrf())
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void aMemberLimitedToSomeMediaReadsOnlyThoseThroughTheApis() throws Exception {
    String key = server.createAccount("studio", TestServer.PASSWORD).productionPlayerKey().key();
    server.collect(beacon(key, "s-1").replace("\"intro\"", "\"allowed\""));
    server.collect(beacon(key, "s-2").replace("\"intro\"", "\"allowed\""));
    server.collect(beacon(key, "s-3").replace("\"intro\"", "\"secret\""));
    CLOCK.advance(Duration.ofSeconds(1));
    server
        .server()
        .admin()
        .addUser(
            "studio",
            "member@studio.test",
            TestServer.PASSWORD,
            io.playlens.account.User.Role.MEMBER,
            false,
            List.of("allowed"));
    Visitor owner = new Visitor("203.0.113.9");
    owner.signIn("owner@studio.test", TestServer.PASSWORD, "/app");
    Visitor member = new Visitor("203.0.113.10");
    member.signIn("member@studio.test", TestServer.PASSWORD, "/app");

    assertThat(owner.send("GET", "/data/metrics/play/count", null).body()).endsWith("\"data\":3}");
    assertThat(member.send("GET", "/data/metrics/play/count", null).body()).endsWith("\"data\":2}");
    assertThat(member.send("GET", "/data/metrics/play/count?filterBy[mediaId]=secret", null).body())
        .endsWith("\"data\":0}");
    assertThat(member.send("GET", "/data/buckets/play/media-id", null).body())
        .contains("allowed")
        .doesNotContain("secret");
    // the Wistia routes and the export keep the member to their media too
    assertThat(member.send("GET", "/v1/stats/account", null).body()).contains("\"play_count\":2");
    assertThat(member.send("GET", "/v1/stats/events?media_id=secret", null).statusCode())
        .isEqualTo(404);
    assertThat(member.send("GET", "/v1/stats/medias/secret", null).statusCode()).isEqualTo(404);
    assertThat(member.send("GET", "/stats/medias/secret/events.csv", null).statusCode())
        .isEqualTo(404);
    assertThat(member.send("GET", "/stats/medias/allowed/events.csv", null).body().lines())
        .hasSize(3);
    // members read; only owners administer
    assertThat(member.send("GET", "/admin/v1/accounts/studio/keys", null).statusCode())
        .isEqualTo(403);

    // removed, the member's session ends at once, and the next page is the sign-in form
    String memberId =
        server.server().admin().users("studio").stream()
            .filter(user -> user.email().equals("member@studio.test"))
            .findFirst()
            .orElseThrow()
            .id();
    server.server().admin().removeUser("studio", memberId);
    assertThat(member.send("GET", "/data/metrics/play/count", null).statusCode()).isEqualTo(401);
    HttpResponse<String> page = member.send("GET", "/app/studio", null);
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location")).hasValue("/sign-in?next=%2Fapp%2Fstudio");
    assertThat(member.send("GET", "/sign-in", null).statusCode()).isEqualTo(200);
  }

  @Test
  void signingOutEndsTheSessionAndTheDashboardAsksForNoBrowserPassword() throws Exception {
    Visitor owner = new Visitor("203.0.113.6");
    owner.signIn(TestServer.ACME_EMAIL, TestServer.PASSWORD, "/app");
    Map<String, String> before = Map.copyOf(owner.cookies);
    assertThat(owner.send("GET", "/app/acme", null).statusCode()).isEqualTo(200);

    assertThat(owner.send("POST", "/sign-out", "csrf=wrong").statusCode()).isEqualTo(403);
    HttpResponse<String> out = owner.send("POST", "/sign-out", "csrf=" + owner.csrf());
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Location")).hasValue("/sign-in");

    // the old cookie, replayed, is worth nothing
    owner.cookies.putAll(before);
    HttpResponse<String> page = owner.send("GET", "/app/acme?range=last30", null);
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location"))
        .hasValue("/sign-in?next=%2Fapp%2Facme%3Frange%3Dlast30");
    HttpResponse<String> api =
        owner.send("GET", "/data/metrics/play/count", null, "X-Playlens-Environment", "production");
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("WWW-Authenticate")).isEmpty();
    // a client of the API itself still gets its challenge
    assertThat(
            owner
                .send("GET", "/data/metrics/play/count", null)
                .headers()
                .firstValue("WWW-Authenticate"))
        .isPresent();
  }

  @Test
  void theDashboardsAssetsAndLibrariesAreServedLocally() throws Exception {
    for (String asset :
        List.of(
            "/app/assets/app.css",
            "/app/assets/common.js",
            "/app/assets/vendor/uplot/dist/uPlot.iife.min.js",
            "/app/assets/vendor/jsvectormap/dist/jsvectormap.min.js",
            "/app/assets/vendor/jsvectormap/dist/maps/world.js")) {
      HttpResponse<String> response = new Visitor("203.0.113.8").send("GET", asset, null);
      assertThat(response.statusCode()).as(asset).isEqualTo(200);
      assertThat(response.body()).as(asset).isNotEmpty();
    }
  }

  private static String beacon(String key, String session) {
    return "{\"key\":\""
        + key
        + "\",\"session\":\""
        + session
        + "\",\"media\":{\"id\":\"intro\"},\"events\":[{\"type\":\"play\",\"position\":0}]}";
  }

  private static String sessionCookie(HttpResponse<String> response) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(line -> line.startsWith(DashboardSessions.COOKIE + "="))
        .findFirst()
        .orElseThrow();
  }
}
