package io.playlens.api;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /openapi.json} describes exactly the routes the server exposes, and real answers of the
 * server validate against the schemas it gives for them.
 */
class OpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  @TempDir static Path dataDir;

  private static TestServer server;
  private static AccountAdmin.NewAccount tenant;
  private static JsonNode document;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dataDir);
    tenant = server.createAccount("docs", "docs password");
    HttpResponse<String> collected =
        server.collect(
            "{\"key\":\""
                + tenant.productionPlayerKey().key()
                + "\",\"session\":\"s1\",\"viewer\":\"v1\",\"media\":{\"id\":\"intro\",\"duration\":60},"
                + "\"email\":\"ann@example.com\",\"events\":[{\"type\":\"impression\"},{\"type\":\"play\"},"
                + "{\"type\":\"watch\",\"from\":0,\"to\":30}]}");
    assertThat(collected.statusCode()).as(collected.body()).isEqualTo(202);
    HttpResponse<String> served = server.get("/openapi.json");
    assertThat(served.statusCode()).isEqualTo(200);
    document = JSON.readTree(served.body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyRouteIsDescribedAndNothingElse() {
    Set<String> routes = new TreeSet<>(server.server().routes());
    Set<String> described = new TreeSet<>();
    for (var path : document.get("paths").properties()) {
      for (var method : path.getValue().properties()) {
        described.add(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }
    assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(routes).hasSizeGreaterThan(40);
    assertThat(described).containsExactlyElementsOf(routes);
  }

  @Test
  void realAnswersValidateAgainstTheirSchemas() throws Exception {
    String owner = basic(tenant.owner().email(), "docs password");
    String apiKey = basic(tenant.productionApiKey().secret(), "");
    List<String> problems = new ArrayList<>();
    check(problems, "/healthz", "/healthz", null, 200);
    check(
        problems, "/data/metrics/play/count", "/data/metrics/{metric}/{aggregation}", apiKey, 200);
    check(
        problems, "/data/metrics/play/colour", "/data/metrics/{metric}/{aggregation}", apiKey, 400);
    check(
        problems, "/data/buckets/play/country", "/data/buckets/{metric}/{breakdown}", apiKey, 200);
    check(problems, "/data/timeseries/play", "/data/timeseries/{metric}", apiKey, 200);
    check(
        problems, "/stats/medias/intro/events.json", "/stats/medias/{id}/events.json", owner, 200);
    check(
        problems,
        "/stats/medias/intro/events.json?limit=0",
        "/stats/medias/{id}/events.json",
        owner,
        400);
    check(problems, "/v1/stats/account", "/v1/stats/account", owner, 200);
    check(problems, "/v1/stats/account/by_date", "/v1/stats/account/by_date", owner, 200);
    check(problems, "/v1/stats/medias/intro", "/v1/stats/medias/{id}", owner, 200);
    check(problems, "/v1/stats/medias/intro/by_date", "/v1/stats/medias/{id}/by_date", owner, 200);
    check(
        problems,
        "/v1/stats/medias/intro/engagement",
        "/v1/stats/medias/{id}/engagement",
        owner,
        200);
    check(problems, "/v1/stats/events", "/v1/stats/events", owner, 200);
    check(problems, "/v1/stats/events/s1", "/v1/stats/events/{key}", owner, 200);
    check(problems, "/v1/stats/visitors", "/v1/stats/visitors", owner, 200);
    check(problems, "/v1/stats/visitors/v1", "/v1/stats/visitors/{key}", owner, 200);
    check(problems, "/v1/stats/events?per_page=500", "/v1/stats/events", owner, 422);
    check(problems, "/admin/v1/accounts", "/admin/v1/accounts", owner, 200);
    check(problems, "/admin/v1/accounts/docs", "/admin/v1/accounts/{account}", owner, 200);
    check(
        problems,
        "/admin/v1/accounts/docs/media",
        "/admin/v1/accounts/{account}/media",
        owner,
        200);
    check(
        problems,
        "/admin/v1/accounts/docs/users",
        "/admin/v1/accounts/{account}/users",
        owner,
        200);
    assertThat(problems).isEmpty();
  }

  /** GETs {@code url} and validates the body against the document's schema for its status. */
  private static void check(
      List<String> problems, String url, String path, String authorization, int status)
      throws Exception {
    HttpResponse<String> response =
        authorization == null ? server.get(url) : server.get(url, authorization);
    assertThat(response.statusCode()).as(url + " " + response.body()).isEqualTo(status);
    JsonNode schema =
        document
            .path("paths")
            .path(path)
            .path("get")
            .path("responses")
            .path(Integer.toString(status))
            .path("content")
            .path("application/json")
            .path("schema");
    assertThat(schema.isMissingNode()).as("a schema for " + path + " " + status).isFalse();
    // The response schema, with the document's components beside it so its $refs resolve.
    ObjectNode root = ((ObjectNode) schema.deepCopy());
    root.set("components", document.get("components"));
    Schema validator = SCHEMAS.getSchema(root);
    List<Error> errors = validator.validate(JSON.readTree(response.body()));
    errors.forEach(error -> problems.add(url + ": " + error));
  }
}
