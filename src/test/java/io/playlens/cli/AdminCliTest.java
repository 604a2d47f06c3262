package io.playlens.cli;

import static io.playlens.TestServer.runCli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.ServerProcess;
import io.playlens.TestServer;
import io.playlens.TestServer.CliResult;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The administration commands, run as an operator runs them: a separate process per command. */
class AdminCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  private CliResult run(String... args) {
    String[] withData = new String[args.length + 2];
    System.arraycopy(args, 0, withData, 0, args.length);
    withData[args.length] = "--data";
    withData[args.length + 1] = dataDir.toString();
    return runCli(withData);
  }

  private CliResult create(String key, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "account",
                "create",
                "--key",
                key,
                "--name",
                "Foo Inc",
                "--email",
                "owner@" + key + ".test",
                "--password",
                "long enough"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void accountCreateWithJsonPrintsExactlyOneObjectWithEveryKey() throws Exception {
    CliResult result = create("foo", "--retention", "90d", "--timezone", "Europe/Paris", "--json");

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out().strip().lines()).hasSize(1);
    JsonNode created = JSON.readTree(result.out());
    assertThat(created.fieldNames())
        .toIterable()
        .containsExactly(
            "account",
            "productionApiKey",
            "sandboxApiKey",
            "productionPlayerKey",
            "sandboxPlayerKey");
    assertThat(created.path("account").asText()).isEqualTo("foo");
    assertThat(created.path("productionApiKey").asText()).startsWith("sk_live_").hasSize(48);
    assertThat(created.path("sandboxApiKey").asText()).startsWith("sk_test_");
    assertThat(created.path("productionPlayerKey").asText()).startsWith("pk_live_");
    assertThat(created.path("sandboxPlayerKey").asText()).startsWith("pk_test_");

    CliResult list = run("account", "list", "--json");
    JsonNode account = JSON.readTree(list.out()).path("accounts").get(0);
    assertThat(account.path("key").asText()).isEqualTo("foo");
    assertThat(account.path("retention").asText()).isEqualTo("90d");
    assertThat(account.path("timeZone").asText()).isEqualTo("Europe/Paris");
    assertThat(account.path("state").asText()).isEqualTo("active");
  }

  @Test
  void refusalsAreOneClearLineAndChangeNothing() {
    assertThat(create("foo").exit()).isZero();

    CliResult duplicate = create("foo");
    CliResult badKey = create("Foo!");
    CliResult badRetention = create("bar", "--retention", "45d");
    CliResult badZone = create("bar", "--timezone", "Mars/Olympus");
    CliResult shortPassword =
        run("user", "add", "--account", "foo", "--email", "x@foo.test", "--password", "short");

    assertThat(duplicate.err().strip())
        .isEqualTo("playlens account create: an account with key 'foo' already exists");
    assertThat(badKey.err()).contains("account key must be 2-40 characters of a-z, 0-9 and '-'");
    assertThat(badRetention.err()).contains("retention must be one of 30d, 90d, 365d");
    assertThat(badZone.err()).contains("time zone must be an IANA name");
    assertThat(shortPassword.err()).contains("password must be at least 8 characters");
    for (CliResult refused : List.of(duplicate, badKey, badRetention, badZone, shortPassword)) {
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err().strip().lines()).hasSize(1);
      assertThat(refused.err()).doesNotContain("\tat ").doesNotContain("short\"");
    }
    assertThat(run("account", "list").out()).contains("foo").doesNotContain("bar");
  }

  @Test
  void usersAndKeysAreAddedListedAndRevoked() throws Exception {
    assertThat(create("foo").exit()).isZero();

    CliResult user =
        run(
            "user",
            "add",
            "--account",
            "foo",
            "--email",
            "Viewer@Foo.test",
            "--password",
            "viewer password",
            "--media",
            "intro,launch");
    CliResult playerKey =
        run(
            "key",
            "create",
            "--account",
            "foo",
            "--type",
            "player",
            "--environment",
            "sandbox",
            "--origin",
            "https://www.foo.test");
    CliResult apiKey = run("key", "create", "--account", "foo");

    assertThat(JSON.readTree(user.out()).path("email").asText()).isEqualTo("viewer@foo.test");
    assertThat(JSON.readTree(user.out()).path("media").toString())
        .isEqualTo("[\"intro\",\"launch\"]");
    assertThat(JSON.readTree(user.out()).has("passwordHash")).isFalse();
    JsonNode player = JSON.readTree(playerKey.out());
    assertThat(player.path("allowedOrigins").toString()).isEqualTo("[\"https://www.foo.test\"]");
    JsonNode api = JSON.readTree(apiKey.out());
    assertThat(api.path("key").asText()).startsWith("sk_live_");

    CliResult revoke =
        run("key", "revoke", "--account", "foo", "--id", player.path("key").asText());
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    List<JsonNode> keys =
        run("key", "list", "--account", "foo", "--json")
            .out()
            .lines()
            .map(
                line -> {
                  try {
                    return JSON.readTree(line);
                  } catch (Exception e) {
                    throw new AssertionError(line, e);
                  }
                })
            .toList();
    assertThat(keys).hasSize(6); // 2 + 1 API keys, 2 + 1 player keys
    assertThat(keys)
        .filteredOn(key -> !key.path("revokedAt").isNull())
        .extracting(key -> key.path("id").asText())
        .containsExactly(player.path("key").asText());
    // A listing never shows an API key's secret.
    assertThat(keys.toString()).doesNotContain(api.path("key").asText());

    CliResult again = run("key", "revoke", "--account", "foo", "--id", player.path("key").asText());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("no active key");
  }

  @Test
  void aSuspendedAccountCollectsNothingUntilActivatedAndSetChangesSettings() throws Exception {
    JsonNode created = JSON.readTree(create("foo", "--json").out());
    assertThat(run("account", "suspend", "--key", "foo").exit()).isZero();
    CliResult set = run("account", "set", "--key", "foo", "--retention", "365d", "--name", "Foo");
    assertThat(JSON.readTree(set.out()).path("retention").asText()).isEqualTo("365d");
    assertThat(JSON.readTree(set.out()).path("state").asText()).isEqualTo("suspended");

    String beacon =
        "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"impression\"}]}"
            .formatted(created.path("productionPlayerKey").asText());
    try (ServerProcess server =
        ServerProcess.start(dataDir, 0, "--geo-dir", TestServer.dbIpGeoDir(dataDir).toString())) {
      assertThat(collect(server, beacon).statusCode()).isEqualTo(403);

      // While the server holds the store, the CLI says what to do instead.
      CliResult held = run("account", "activate", "--key", "foo");
      assertThat(held.exit()).isEqualTo(1);
      assertThat(held.err())
          .contains("in use by another process")
          .contains(
              "Stop the server first, or make this change through the running server's"
                  + " admin REST API")
          .doesNotContain("\tat ");
    }

    assertThat(run("account", "activate", "--key", "foo").exit()).isZero();
    try (ServerProcess server =
        ServerProcess.start(dataDir, 0, "--geo-dir", TestServer.dbIpGeoDir(dataDir).toString())) {
      assertThat(collect(server, beacon).statusCode()).isEqualTo(202);
    }
  }

  private static HttpResponse<String> collect(ServerProcess server, String beacon)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(server.uri("/v1/collect"))
                .header("User-Agent", TestServer.BROWSER)
                .POST(HttpRequest.BodyPublishers.ofString(beacon))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyAdminCommandDocumentsItselfInHelp() {
    for (String[] command :
        List.of(
            new String[] {"account", "create", "--help"},
            new String[] {"account", "set", "--help"},
            new String[] {"user", "add", "--help"},
            new String[] {"key", "create", "--help"},
            new String[] {"key", "revoke", "--help"})) {
      CliResult help = runCli(command);
      assertThat(help.exit()).isZero();
      assertThat(help.out()).contains("--data").contains("Usage: playlens " + command[0]);
    }
  }
}
