package io.playlens.api.admin;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import io.playlens.account.Retention;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin REST API on a running server: what the CLI does, for owners and operators. */
class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPERATOR = basic("root@ops.test", "operator password");
  private static final String ACME = basic(TestServer.ACME_EMAIL, TestServer.PASSWORD);

  @TempDir Path dataDir;

  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir);
    server
        .server()
        .admin()
        .createAccount(
            "ops",
            "Operations",
            "root@ops.test",
            "operator password",
            Retention.DAYS_30,
            ZoneId.of("UTC"),
            true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String auth, String json) {
    return server.send(method, path, auth, json);
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Test
  void anOperatorCreatesAnAccountWhoseKeysWorkAtOnce() throws Exception {
    HttpResponse<String> created =
        call(
            "POST",
            "/admin/v1/accounts",
            OPERATOR,
            "{\"key\":\"foo\",\"name\":\"Foo Inc\",\"email\":\"owner@foo.test\","
                + "\"password\":\"foo password\",\"retention\":\"365d\",\"timezone\":\"Asia/Tokyo\"}");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode keys = json(created);
    assertThat(keys.fieldNames())
        .toIterable()
        .containsExactly(
            "account",
            "productionApiKey",
            "sandboxApiKey",
            "productionPlayerKey",
            "sandboxPlayerKey");
    assertThat(
            server
                .collect(
                    "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"play\"}]}"
                        .formatted(keys.path("sandboxPlayerKey").asText()))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            server.get("/data/x", basic(keys.path("productionApiKey").asText(), "")).statusCode())
        .isEqualTo(404);
    JsonNode account =
        json(server.get("/admin/v1/accounts/foo", basic("owner@foo.test", "foo password")));
    assertThat(account.path("retention").asText()).isEqualTo("365d");
    assertThat(account.path("timeZone").asText()).isEqualTo("Asia/Tokyo");
  }

  @Test
  void ownersCannotCreateOrSuspendAccounts() throws Exception {
    HttpResponse<String> create =
        call(
            "POST",
            "/admin/v1/accounts",
            ACME,
            "{\"key\":\"foo\",\"name\":\"Foo\",\"email\":\"o@foo.test\",\"password\":\"12345678\"}");
    HttpResponse<String> suspend = call("POST", "/admin/v1/accounts/acme/suspend", ACME, null);

    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(suspend.statusCode()).isEqualTo(403);
    assertThat(json(suspend).path("error").asText())
        .isEqualTo("only operators may create, suspend or activate accounts");
  }

  @Test
  void anOwnerCreatesListsAndRevokesKeys() throws Exception {
    HttpResponse<String> created =
        call(
            "POST",
            "/admin/v1/accounts/acme/keys",
            ACME,
            "{\"type\":\"api\",\"environment\":\"sandbox\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String secret = json(created).path("key").asText();
    String id = json(created).path("id").asText();
    assertThat(server.get("/data/x", basic(secret, "")).statusCode()).isEqualTo(404);

    String listing = server.get("/admin/v1/accounts/acme/keys", ACME).body();
    assertThat(listing).contains(id).contains(secret.substring(0, 12)).doesNotContain(secret);

    assertThat(call("DELETE", "/admin/v1/accounts/acme/keys/" + id, ACME, null).statusCode())
        .isEqualTo(204);
    assertThat(server.get("/data/x", basic(secret, "")).statusCode()).isEqualTo(401);
    assertThat(call("DELETE", "/admin/v1/accounts/acme/keys/" + id, ACME, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aPlayerKeyWithAllowedOriginsRefusesOtherOriginsAndRevocationStopsItAtOnce()
      throws Exception {
    HttpResponse<String> created =
        call(
            "POST",
            "/admin/v1/accounts/acme/keys",
            ACME,
            "{\"type\":\"player\",\"environment\":\"production\","
                + "\"allowedOrigins\":[\"https://www.acme.test\"]}");
    String key = json(created).path("key").asText();
    String beacon =
        "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"play\"}]}"
            .formatted(key);

    assertThat(server.collect(beacon, "Origin", "https://www.acme.test").statusCode())
        .isEqualTo(202);
    assertThat(server.collect(beacon, "Origin", "https://evil.test").statusCode()).isEqualTo(403);

    call("DELETE", "/admin/v1/accounts/acme/keys/" + key, ACME, null);
    assertThat(server.collect(beacon, "Origin", "https://www.acme.test").statusCode())
        .isEqualTo(401);
  }

  @Test
  void anOwnerChangesAUsersAccessAndRemovesThemButNeverTheLastOwner() throws Exception {
    JsonNode member =
        json(
            call(
                "POST",
                "/admin/v1/accounts/acme/users",
                ACME,
                "{\"email\":\"editor@acme.test\",\"password\":\"editor password\"}"));
    String editor = basic("editor@acme.test", "editor password");
    String path = "/admin/v1/accounts/acme/users/" + member.get("id").asText();
    assertThat(member.get("media").asText()).isEqualTo("all");

    JsonNode limited = json(call("PATCH", path, ACME, "{\"media\":[\"intro\",\"outro\"]}"));
    assertThat(limited.get("role").asText()).isEqualTo("member");
    assertThat(limited.get("media").toString()).isEqualTo("[\"intro\",\"outro\"]");
    assertThat(server.get("/v1/stats/medias/other", editor).statusCode()).isEqualTo(404);

    JsonNode promoted = json(call("PATCH", path, ACME, "{\"role\":\"owner\",\"media\":[]}"));
    assertThat(promoted.get("role").asText()).isEqualTo("owner");
    assertThat(promoted.get("media").asText()).isEqualTo("all");
    assertThat(call("GET", "/admin/v1/accounts/acme/keys", editor, null).statusCode())
        .isEqualTo(200);

    assertThat(call("PATCH", path, ACME, "{\"role\":\"boss\"}").statusCode()).isEqualTo(400);
    assertThat(call("PATCH", path, ACME, "{\"media\":[\"bad id!\"]}").statusCode()).isEqualTo(400);
    assertThat(call("PATCH", "/admin/v1/accounts/acme/users/nobody", ACME, "{}").statusCode())
        .isEqualTo(404);
    // another account's owner cannot reach this user
    assertThat(
            call(
                    "DELETE",
                    "/admin/v1/accounts/acme/users/" + member.get("id").asText(),
                    basic(TestServer.SHOP_EMAIL, TestServer.PASSWORD),
                    null)
                .statusCode())
        .isEqualTo(404);

    assertThat(call("DELETE", path, ACME, null).statusCode()).isEqualTo(204);
    assertThat(server.get("/v1/stats/account", editor).statusCode()).isEqualTo(401);
    assertThat(json(call("GET", "/admin/v1/accounts/acme/users", ACME, null)).toString())
        .doesNotContain("editor@acme.test");

    // the last owner can neither go nor become a member
    String ownerId = null;
    for (JsonNode user :
        json(call("GET", "/admin/v1/accounts/acme/users", ACME, null)).get("users")) {
      if (user.get("email").asText().equals(TestServer.ACME_EMAIL)) {
        ownerId = user.get("id").asText();
      }
    }
    String ownerPath = "/admin/v1/accounts/acme/users/" + ownerId;
    HttpResponse<String> demote = call("PATCH", ownerPath, ACME, "{\"role\":\"member\"}");
    assertThat(demote.statusCode()).isEqualTo(409);
    assertThat(demote.body()).contains("an account keeps at least one owner");
    assertThat(call("DELETE", ownerPath, ACME, null).statusCode()).isEqualTo(409);
  }

  @Test
  void badBodiesGetA400ThatNamesTheField() throws Exception {
    HttpResponse<String> retention =
        call("PATCH", "/admin/v1/accounts/acme", ACME, "{\"retention\":\"45d\"}");
    HttpResponse<String> unknown =
        call("PATCH", "/admin/v1/accounts/acme", ACME, "{\"colour\":\"blue\"}");
    HttpResponse<String> malformed = call("PATCH", "/admin/v1/accounts/acme", ACME, "{\"name\":");
    HttpResponse<String> environment =
        call(
            "POST",
            "/admin/v1/accounts/acme/keys",
            ACME,
            "{\"type\":\"api\",\"environment\":\"staging\"}");
    HttpResponse<String> origin =
        call(
            "POST",
            "/admin/v1/accounts/acme/keys",
            ACME,
            "{\"type\":\"player\",\"environment\":\"sandbox\",\"allowedOrigins\":[\"evil.test/x\"]}");
    HttpResponse<String> duplicate =
        call(
            "POST",
            "/admin/v1/accounts/acme/users",
            ACME,
            "{\"email\":\"" + TestServer.SHOP_EMAIL + "\",\"password\":\"12345678\"}");

    assertThat(retention.statusCode()).isEqualTo(400);
    assertThat(json(retention).path("error").asText()).isEqualTo("invalid body");
    assertThat(json(retention).path("errors").toString())
        .contains("retention")
        .contains("retention must be one of 30d, 90d, 365d");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).path("errors").get(0).path("field").asText()).isEqualTo("colour");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).path("error").asText()).isEqualTo("malformed JSON body");
    assertThat(environment.statusCode()).isEqualTo(400);
    assertThat(json(environment).path("errors").get(0).path("field").asText())
        .isEqualTo("environment");
    assertThat(origin.statusCode()).isEqualTo(400);
    assertThat(json(origin).path("errors").get(0).path("field").asText())
        .isEqualTo("allowedOrigins");
    assertThat(duplicate.statusCode()).isEqualTo(409);
    for (String[] bad :
        new String[][] {
          {"{\"email\":\"not-an-email\",\"password\":\"12345678\"}", "email"},
          {"{\"email\":\"new@acme.test\",\"password\":\"short\"}", "password"},
          {"{\"email\":\"new@acme.test\",\"password\":\"12345678\",\"media\":[\"a b\"]}", "media"},
          {"{\"email\":\"new@acme.test\",\"password\":\"12345678\",\"role\":\"boss\"}", "role"}
        }) {
      HttpResponse<String> refused = call("POST", "/admin/v1/accounts/acme/users", ACME, bad[0]);
      assertThat(refused.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(json(refused).path("errors").get(0).path("field").asText())
          .as(bad[0])
          .isEqualTo(bad[1]);
      assertThat(refused.body()).doesNotContain("short\"");
    }
    HttpResponse<String> huge =
        call("PATCH", "/admin/v1/accounts/acme", ACME, "{\"name\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(json(huge).path("error").asText())
        .isEqualTo("request body too large (limit 64 KiB)");
    // Nothing changed.
    assertThat(json(server.get("/admin/v1/accounts/acme", ACME)).path("retention").asText())
        .isEqualTo("30d");
  }

  @Test
  void mediaIsRegisteredByItsFirstEventAndEditable() throws Exception {
    server.collect(
        "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"launch-video\",\"title\":\"Launch\",\"duration\":93.5,\"tags\":[\"2026\"]},\"events\":[{\"type\":\"impression\"}]}"
            .formatted(TestServer.KEY));
    // A later beacon with other details does not overwrite what was registered.
    server.collect(
        "{\"key\":\"%s\",\"session\":\"s2\",\"media\":{\"id\":\"launch-video\",\"title\":\"Other\"},\"events\":[{\"type\":\"impression\"}]}"
            .formatted(TestServer.KEY));

    JsonNode media = json(server.get("/admin/v1/accounts/acme/media/launch-video", ACME));
    assertThat(media.path("name").asText()).isEqualTo("Launch");
    assertThat(media.path("duration").asDouble()).isEqualTo(93.5);
    assertThat(media.path("type").asText()).isEqualTo("video");
    assertThat(media.path("tags").toString()).isEqualTo("[\"2026\"]");

    HttpResponse<String> edited =
        call(
            "PATCH",
            "/admin/v1/accounts/acme/media/launch-video",
            ACME,
            "{\"name\":\"Launch day\",\"type\":\"live-stream\",\"tags\":[\"live\"]}");
    assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
    assertThat(json(edited).path("name").asText()).isEqualTo("Launch day");
    assertThat(json(edited).path("type").asText()).isEqualTo("live-stream");
    assertThat(json(edited).path("duration").asDouble()).isEqualTo(93.5);

    HttpResponse<String> badType =
        call("PATCH", "/admin/v1/accounts/acme/media/launch-video", ACME, "{\"type\":\"film\"}");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(
            server
                .get("/admin/v1/accounts/acme/media/launch-video?environment=sandbox", ACME)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void anOperatorSuspendsAnAccountAndItsOwnerIsRefused() throws Exception {
    HttpResponse<String> suspended =
        call("POST", "/admin/v1/accounts/acme/suspend", OPERATOR, null);

    assertThat(json(suspended).path("state").asText()).isEqualTo("suspended");
    assertThat(server.get("/admin/v1/accounts/acme", ACME).statusCode()).isEqualTo(403);
    assertThat(
            server
                .collect(
                    "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"play\"}]}"
                        .formatted(TestServer.KEY))
                .statusCode())
        .isEqualTo(403);
    assertThat(call("POST", "/admin/v1/accounts/acme/activate", OPERATOR, null).statusCode())
        .isEqualTo(200);
    assertThat(server.get("/admin/v1/accounts/acme", ACME).statusCode()).isEqualTo(200);
  }

  @Test
  void theAdminApiWantsAUsersPassword() {
    HttpResponse<String> none = server.get("/admin/v1/accounts", null);
    HttpResponse<String> wrong =
        server.get("/admin/v1/accounts", basic(TestServer.ACME_EMAIL, "not the password"));

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).startsWith("Basic"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isEqualTo("{\"error\":\"wrong email or password\"}");
  }
}
