package io.playlens.account;

import static io.playlens.TestServer.basic;
import static io.playlens.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.ServerProcess;
import io.playlens.TestServer;
import io.playlens.store.duckdb.DuckDbEventStore;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords, API keys and tokens never show in the server's log (at debug level), in an error body,
 * or unhashed in any table of the store file, whatever credentials, right or wrong, a client sends.
 */
class SecretsNotLeakedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "Tr0ub4dor&3-horse";

  @TempDir Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> errorBodies = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();

  @Test
  void noSecretReachesLogsErrorBodiesOrTheStore() throws Exception {
    TestServer.CliResult created =
        TestServer.runCli(
            "account",
            "create",
            "--data",
            dataDir.toString(),
            "--key",
            "leaky",
            "--name",
            "Leaky",
            "--email",
            "owner@leaky.test",
            "--password",
            PASSWORD,
            "--json");
    assertThat(created.exit()).as(created.err()).isZero();
    JsonNode keys = JSON.readTree(created.out());
    String apiKey = keys.path("productionApiKey").asText();
    String sandboxKey = keys.path("sandboxApiKey").asText();
    List<String> secrets = new ArrayList<>(List.of(PASSWORD, apiKey, sandboxKey));
    List<String> wrongGuesses = List.of(PASSWORD + "x", apiKey + "x", "PASSWORD-" + PASSWORD);

    ServerProcess server =
        ServerProcess.start(
            dataDir,
            0,
            List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug"),
            "--geo-dir",
            TestServer.dbIpGeoDir(dataDir).toString(),
            "--auth-failures-per-minute",
            "1000");
    try {
      // Right and wrong credentials in every form.
      call(
          server, "GET", "/stats/medias/m1/events.json", basic("owner@leaky.test", PASSWORD), null);
      call(
          server,
          "GET",
          "/stats/medias/m1/events.json",
          basic("owner%40leaky.test", PASSWORD),
          null);
      call(server, "GET", "/stats/medias/m1/events.json", basic("api", apiKey), null);
      call(server, "GET", "/data/metrics/play/count", basic(apiKey, ""), null);
      call(
          server,
          "GET",
          "/admin/v1/accounts/leaky/keys",
          basic("owner@leaky.test", PASSWORD),
          null);
      for (String wrong : wrongGuesses) {
        call(server, "GET", "/stats/medias/m1/events.json", basic("owner@leaky.test", wrong), null);
        call(server, "GET", "/stats/medias/m1/events.json", bearer(wrong), null);
        call(server, "GET", "/data/metrics/play/count", basic(wrong, ""), null);
        call(server, "GET", "/admin/v1/accounts/leaky", basic("owner@leaky.test", wrong), null);
        call(server, "POST", "/auth/api-key", null, "{\"apiKey\":\"" + wrong + "\"}");
        call(server, "POST", "/auth/refresh", null, "{\"refreshToken\":\"" + wrong + "\"}");
      }
      JsonNode tokens =
          JSON.readTree(
              call(server, "POST", "/auth/api-key", null, "{\"apiKey\":\"" + apiKey + "\"}"));
      String refresh = tokens.path("refresh_token").asText();
      secrets.add(tokens.path("access_token").asText());
      secrets.add(refresh);
      JsonNode renewed =
          JSON.readTree(
              call(
                  server, "POST", "/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}"));
      secrets.add(renewed.path("access_token").asText());
      secrets.add(renewed.path("refresh_token").asText());
      call(server, "POST", "/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
      call(server, "GET", "/data/metrics/play/count", bearer(secrets.get(3) + "x"), null);
      // A new user and a new key through the admin API.
      call(
          server,
          "POST",
          "/admin/v1/accounts/leaky/users",
          basic("owner@leaky.test", PASSWORD),
          "{\"email\":\"member@leaky.test\",\"password\":\"" + PASSWORD + "-member\"}");
      secrets.add(PASSWORD + "-member");
      JsonNode newKey =
          JSON.readTree(
              call(
                  server,
                  "POST",
                  "/admin/v1/accounts/leaky/keys",
                  basic("owner@leaky.test", PASSWORD),
                  "{\"type\":\"api\",\"environment\":\"sandbox\"}"));
      secrets.add(newKey.path("key").asText());
      // Refused inputs that carry a secret in a field that is checked.
      call(
          server,
          "POST",
          "/admin/v1/accounts/leaky/users",
          basic("owner@leaky.test", PASSWORD),
          "{\"email\":\"x@leaky.test\",\"password\":\"short\"}");
    } finally {
      server.stop();
    }

    List<String> all = new ArrayList<>(secrets);
    all.addAll(wrongGuesses);
    all.add("short");
    assertThat(errorBodies).hasSizeGreaterThan(20);
    for (String body : errorBodies) {
      for (String secret : all) {
        assertThat(body).doesNotContain(secret);
      }
    }
    String log = server.log();
    assertThat(log).contains("Playlens listening on").contains("DEBUG");
    for (String secret : all) {
      assertThat(log).doesNotContain(secret);
    }
    assertThat(authorizations).hasSizeGreaterThan(20);
    for (String authorization : authorizations) {
      assertThat(log).doesNotContain(authorization);
      errorBodies.forEach(body -> assertThat(body).doesNotContain(authorization));
    }
    for (Map.Entry<String, String> cell : storeCells().entrySet()) {
      for (String secret : all) {
        assertThat(cell.getValue()).as(cell.getKey()).doesNotContain(secret);
      }
    }
    assertThat(storeCells())
        .hasEntrySatisfying(
            "users.password_hash[0]", hash -> assertThat(hash).startsWith("$2b$10$").hasSize(60))
        .containsValue(Secrets.hash(apiKey));
  }

  /** Sends a request; keeps the body of every refusal for the check. */
  private String call(ServerProcess server, String method, String path, String auth, String json)
      throws Exception {
    if (auth != null) {
      authorizations.add(auth.substring(auth.indexOf(' ') + 1)); // base64 or the token itself
    }
    HttpResponse<String> response =
        http.send(
            TestServer.request(server.uri(path), method, auth, json),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      errorBodies.add(response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** Every cell of every table in the store file, as text, named {@code table.column[row]}. */
  private Map<String, String> storeCells() throws Exception {
    Map<String, String> cells = new java.util.LinkedHashMap<>();
    try (DuckDbEventStore store = DuckDbEventStore.open(dataDir, 1, "256MB");
        Connection connection = store.readConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              // the file's tables (not those of the in-memory database of live rows)
              "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                  + " AND table_catalog = current_database()")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      assertThat(tables).contains("users", "api_keys", "refresh_tokens", "player_keys");
      for (String table : tables) {
        try (ResultSet rows = statement.executeQuery("SELECT * FROM " + table)) {
          int row = 0;
          while (rows.next()) {
            for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
              Object value = rows.getObject(column);
              cells.put(
                  table + "." + rows.getMetaData().getColumnLabel(column) + "[" + row + "]",
                  String.valueOf(value));
            }
            row++;
          }
        }
      }
    }
    return cells;
  }
}
