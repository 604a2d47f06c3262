package io.playlens.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Player keys read from a JSON file ({@code player-keys.json} in the data dir), the key source
 * until accounts live in the store. Format: {@code {"playerKeys":[{"key","account","environment",
 * "allowedOrigins":[]}]}}.
 */
public final class FilePlayerKeys implements PlayerKeys {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, PlayerKey> byKey;

  public FilePlayerKeys(List<PlayerKey> keys) {
    this.byKey =
        keys.stream().collect(Collectors.toUnmodifiableMap(PlayerKey::key, Function.identity()));
  }

  /** Reads the file; a missing file means no keys (every beacon then gets 401). */
  public static FilePlayerKeys load(Path file) {
    if (!Files.exists(file)) {
      return new FilePlayerKeys(List.of());
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      List<PlayerKey> keys = new ArrayList<>();
      for (JsonNode node : root.path("playerKeys")) {
        String environmentName = node.path("environment").asText("production");
        Environment environment =
            Environment.parse(environmentName)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            file + ": unknown environment '" + environmentName + "'"));
        List<String> origins = new ArrayList<>();
        node.path("allowedOrigins").forEach(origin -> origins.add(origin.asText()));
        String key = node.path("key").asText("");
        String account = node.path("account").asText("");
        if (key.isEmpty() || account.isEmpty()) {
          throw new IllegalArgumentException(file + ": every player key needs 'key' and 'account'");
        }
        keys.add(new PlayerKey(key, account, environment, origins));
      }
      return new FilePlayerKeys(keys);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read player keys from " + file, e);
    }
  }

  /** Adds a key to the file (atomically replaced), creating it when missing. */
  public static void append(Path file, PlayerKey key) {
    try {
      ObjectNode root =
          Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
      ArrayNode keys =
          root.has("playerKeys") ? (ArrayNode) root.get("playerKeys") : root.putArray("playerKeys");
      ObjectNode node = keys.addObject();
      node.put("key", key.key());
      node.put("account", key.account());
      node.put("environment", key.environment().wireName());
      ArrayNode origins = node.putArray("allowedOrigins");
      key.allowedOrigins().forEach(origins::add);
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), root);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write player keys to " + file, e);
    }
  }

  @Override
  public Optional<PlayerKey> resolve(String key) {
    return Optional.ofNullable(byKey.get(key));
  }

  public List<PlayerKey> all() {
    return List.copyOf(byKey.values());
  }
}
