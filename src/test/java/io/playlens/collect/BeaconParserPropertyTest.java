package io.playlens.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.playlens.TestServer;
import io.playlens.server.ClientError;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random and mutated bodies: the parser answers with a beacon or a 400, never anything else. */
class BeaconParserPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BeaconParser PARSER = new BeaconParser();
  private static final String VALID = TestServer.fixture("beacons/full-batch.json");
  private static Path dataDir;
  private static TestServer server;

  @BeforeContainer
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("playlens-fuzz");
    server = TestServer.start(dataDir);
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 2000)
  void randomBytesAreParsedOrRefusedWith400(@ForAll byte[] body) {
    assertParsedOrBadRequest(body);
  }

  @Property(tries = 2000)
  void randomTextIsParsedOrRefusedWith400(@ForAll String body) {
    assertParsedOrBadRequest(body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 3000)
  void mutatedBeaconsAreParsedOrRefusedWith400(@ForAll("mutatedBeacons") String body) {
    assertParsedOrBadRequest(body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 300)
  void theServerNeverAnswers500ToMutatedBeacons(@ForAll("mutatedBeacons") String body) {
    HttpResponse<String> response = server.collect(body);

    assertThat(response.statusCode()).isIn(202, 400, 401, 413);
    assertThat(response.body()).startsWith("{");
  }

  private static void assertParsedOrBadRequest(byte[] body) {
    try {
      assertThat(PARSER.parse(body)).isNotNull();
    } catch (ClientError e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> mutatedBeacons() {
    return Arbitraries.longs().map(BeaconParserPropertyTest::mutate);
  }

  /** Replaces, removes or retypes a few values anywhere in a valid beacon. */
  static String mutate(long seed) {
    Random random = new Random(seed);
    try {
      JsonNode root = JSON.readTree(VALID);
      int mutations = 1 + random.nextInt(4);
      for (int i = 0; i < mutations; i++) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode container = containers.get(random.nextInt(containers.size()));
        if (container instanceof ObjectNode object && !object.isEmpty()) {
          List<String> names = new ArrayList<>();
          object.fieldNames().forEachRemaining(names::add);
          String name = names.get(random.nextInt(names.size()));
          if (random.nextInt(5) == 0) {
            object.remove(name);
          } else {
            object.set(name, randomValue(random, 2));
          }
        } else if (container instanceof ArrayNode array && !array.isEmpty()) {
          array.set(random.nextInt(array.size()), randomValue(random, 2));
        }
      }
      String text = JSON.writeValueAsString(root);
      if (random.nextInt(10) == 0) {
        text = text.substring(0, random.nextInt(text.length())); // truncated in flight
      }
      return text;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void collect(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      node.forEach(child -> collect(child, containers));
    }
  }

  private static JsonNode randomValue(Random random, int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(depth > 0 ? 12 : 10)) {
      case 0 -> f.nullNode();
      case 1 -> f.booleanNode(random.nextBoolean());
      case 2 -> f.numberNode(random.nextInt());
      case 3 -> f.numberNode(random.nextDouble() * 1e12 - 5e11);
      case 4 -> f.numberNode(new java.math.BigDecimal("1e400"));
      case 5 -> f.textNode("");
      case 6 -> f.textNode("x".repeat(random.nextInt(3000)));
      case 7 ->
          f.textNode(
              List.of("play", "watch", "seek", "rebuffer", "impression", "?")
                  .get(random.nextInt(6)));
      case 8 ->
          f.textNode(
              List.of("2026-11-22T10:00:00Z", "9999-12-31T23:59:59Z", "-1", "NaN")
                  .get(random.nextInt(4)));
      case 9 -> f.numberNode(-random.nextInt(1000));
      case 10 -> {
        ArrayNode array = f.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomValue(random, depth - 1));
        }
        yield array;
      }
      default -> {
        ObjectNode object = f.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          object.set(
              List.of("type", "from", "to", "id", "at").get(random.nextInt(5)),
              randomValue(random, depth - 1));
        }
        yield object;
      }
    };
  }
}
