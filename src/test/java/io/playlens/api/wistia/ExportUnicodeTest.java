package io.playlens.api.wistia;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Place names outside ASCII come out of both export formats as UTF-8: the city and region of a São
 * Paulo address (from the real GeoLite2 data the tests fetch), and a media title in three scripts.
 */
class ExportUnicodeTest {
  @Test
  void citiesAndTitlesKeepTheirLetters(@TempDir Path dataDir) throws Exception {
    try (TestServer server =
        TestServer.start(
            dataDir,
            config ->
                config
                    .geoDir(TestServer.geoDir())
                    .trustedProxies(List.of("127.0.0.1/32", "::1/128")))) {
      AccountAdmin.NewAccount tenant = server.createAccount("unicode", "unicode password");
      HttpResponse<String> collected =
          server.collect(
              "{\"key\":\""
                  + tenant.productionPlayerKey().key()
                  + "\",\"session\":\"s1\",\"media\":{\"id\":\"clip\",\"duration\":10,"
                  + "\"title\":\"Café – 日本語, \\\"quoted\\\"\"},\"events\":[{\"type\":\"impression\"},"
                  + "{\"type\":\"play\"},{\"type\":\"watch\",\"from\":0,\"to\":5}]}",
              "X-Forwarded-For",
              "189.100.0.1");
      assertThat(collected.statusCode()).as(collected.body()).isEqualTo(202);
      String owner = basic(tenant.owner().email(), "unicode password");

      HttpResponse<byte[]> csv =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.uri("/stats/medias/clip/events.csv"))
                      .header("Authorization", owner)
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      String text = new String(csv.body(), StandardCharsets.UTF_8); // decoded as UTF-8 here
      assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).contains("utf-8");
      assertThat(text.split("\r\n")[1])
          .contains(",BR,São Paulo,São Paulo,")
          .contains(",\"Café – 日本語, \"\"quoted\"\"\",");

      var json =
          new ObjectMapper()
              .readTree(server.get("/stats/medias/clip/events.json", owner).body())
              .get(0);
      assertThat(json.get("city").asText()).isEqualTo("São Paulo");
      assertThat(json.get("region").asText()).isEqualTo("São Paulo");
    }
  }
}
