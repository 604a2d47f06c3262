package io.playlens.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server sends for the tracker script, the demo page and the demo video. */
class WebAssetsTest {
  @TempDir Path dataDir;

  private TestServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void theTrackerIsServedMinifiedCacheableAndWithTheIntegrityHashItHas() throws Exception {
    HttpResponse<byte[]> script = get("/js/playlens.js");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
    assertThat(script.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    String body = new String(script.body());
    assertThat(body).startsWith("/*! Playlens tracker").contains("Playlens").doesNotContain("\n  ");
    String sri =
        "sha384-"
            + Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-384").digest(script.body()));
    assertThat(new String(get("/js/playlens.js.sri").body()).strip()).isEqualTo(sri);

    String etag = script.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/js/playlens.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
  }

  @Test
  void theDemoPageNeedsTheDemoAccountAndThenEmbedsItsPlayerKey() throws Exception {
    HttpResponse<byte[]> missing = get("/demo");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new String(missing.body())).contains("bin/playlens demo");

    var demo = server.createAccount(DemoPage.ACCOUNT, "demo password");
    String page = new String(get("/demo").body());

    assertThat(page)
        .contains("data-key=\"" + demo.productionPlayerKey().key() + "\"")
        .contains("data-playlens-media=\"playlens-demo\"")
        .contains("src=\"/demo/playlens-demo.webm\"");
  }

  @Test
  void theDemoVideoAnswersRangeRequestsSoThePlayerCanSeek() throws Exception {
    HttpResponse<byte[]> whole = get("/demo/playlens-demo.webm");
    HttpResponse<byte[]> part = get("/demo/playlens-demo.webm", "Range", "bytes=1000-1999");

    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.headers().firstValue("Content-Type")).hasValue("video/webm");
    assertThat(whole.body().length).isBetween(100_000, 2_000_000);
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).hasSize(1000);
    assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(whole.body(), 1000, 2000));
  }
}
