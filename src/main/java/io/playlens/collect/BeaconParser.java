package io.playlens.collect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.FieldError;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a collect request body into a {@link Beacon}, or rejects it with every wrong field named.
 * Beacon data comes from browsers we do not control, so each value is checked for type, pattern and
 * bounds here, once; nothing downstream re-validates.
 */
public final class BeaconParser {
  public static final int MAX_EVENTS = 500;
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@[^\\s@]{1,253}");
  private static final double MAX_MEDIA_SECONDS = 10_000_000; // ~115 days: live streams included
  private static final int MAX_URL = 2048;
  private static final int MAX_TEXT = 512;
  private static final int MAX_TAGS = 32;
  private static final int MAX_STARTUP_MS = 600_000;
  private static final int MAX_REBUFFER_MS = 86_400_000;

  // Device clocks can be far off (sentAt corrects them), but not outside these: beyond them the
  // skew arithmetic and the store's timestamps overflow.
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private final ObjectMapper json;

  public BeaconParser() {
    this.json = JsonMapper.builder().build();
    json.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxStringLength(MAX_BODY_BYTES)
                .maxNumberLength(64)
                .build());
  }

  /** Parses and validates; throws a 400 {@link ClientError} listing every problem found. */
  public Beacon parse(byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ClientError(400, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ClientError(400, "unreadable body: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new ClientError(400, "empty body: expected a JSON object");
    }
    if (!root.isObject()) {
      throw new ClientError(400, "expected a JSON object, got " + describe(root));
    }
    Fields fields = new Fields();
    String key = fields.requiredId(root, "key");
    String session = fields.requiredId(root, "session");
    String viewer = fields.optionalId(root, "viewer");
    Instant sentAt = fields.optionalTime(root, "sentAt", "sentAt");
    MediaInfo media = parseMedia(root, fields);
    String pageUrl = null;
    String referrer = null;
    JsonNode page = root.get("page");
    if (page != null && !page.isNull()) {
      if (!page.isObject()) {
        fields.error("page", "must be an object, got " + describe(page));
      } else {
        pageUrl = fields.optionalText(page, "url", "page.url", MAX_URL);
        referrer = fields.optionalText(page, "referrer", "page.referrer", MAX_URL);
      }
    }
    String email = fields.optionalText(root, "email", "email", 254);
    if (email != null && !email.isEmpty() && !EMAIL.matcher(email).matches()) {
      fields.error("email", "must be an email address");
    }
    List<BeaconEvent> events = parseEvents(root, fields);
    if (!fields.errors.isEmpty()) {
      throw new ClientError(400, "invalid beacon", fields.errors);
    }
    return new Beacon(key, session, viewer, sentAt, media, pageUrl, referrer, email, events);
  }

  private static MediaInfo parseMedia(JsonNode root, Fields fields) {
    JsonNode media = root.get("media");
    if (media == null || media.isNull()) {
      fields.error("media", "is required");
      return null;
    }
    if (!media.isObject()) {
      fields.error("media", "must be an object, got " + describe(media));
      return null;
    }
    String id = fields.requiredId(media, "id", "media.id");
    Double duration =
        fields.optionalNumber(media, "duration", "media.duration", 0, MAX_MEDIA_SECONDS);
    String type = fields.optionalText(media, "type", "media.type", 16);
    if (type != null && !type.equals("video") && !type.equals("live-stream")) {
      fields.error("media.type", "must be 'video' or 'live-stream'");
    }
    String title = fields.optionalText(media, "title", "media.title", MAX_TEXT);
    List<String> tags = new ArrayList<>();
    JsonNode tagsNode = media.get("tags");
    if (tagsNode != null && !tagsNode.isNull()) {
      if (!tagsNode.isArray()) {
        fields.error("media.tags", "must be an array of strings, got " + describe(tagsNode));
      } else if (tagsNode.size() > MAX_TAGS) {
        fields.error("media.tags", "must hold at most " + MAX_TAGS + " tags");
      } else {
        for (int i = 0; i < tagsNode.size(); i++) {
          JsonNode tag = tagsNode.get(i);
          if (!tag.isTextual() || tag.asText().isEmpty() || tag.asText().length() > 64) {
            fields.error("media.tags[" + i + "]", "must be a string of 1 to 64 characters");
          } else {
            tags.add(tag.asText());
          }
        }
      }
    }
    return id == null ? null : new MediaInfo(id, duration, type, title, tags);
  }

  private static List<BeaconEvent> parseEvents(JsonNode root, Fields fields) {
    JsonNode events = root.get("events");
    List<BeaconEvent> parsed = new ArrayList<>();
    if (events == null || events.isNull()) {
      fields.error("events", "is required");
      return parsed;
    }
    if (!events.isArray()) {
      fields.error("events", "must be an array, got " + describe(events));
      return parsed;
    }
    if (events.isEmpty() || events.size() > MAX_EVENTS) {
      fields.error("events", "must hold 1 to " + MAX_EVENTS + " events, got " + events.size());
      return parsed;
    }
    for (int i = 0; i < events.size(); i++) {
      BeaconEvent event = parseEvent(events.get(i), "events[" + i + "]", fields);
      if (event != null) {
        parsed.add(event);
      }
    }
    return parsed;
  }

  private static BeaconEvent parseEvent(JsonNode node, String path, Fields fields) {
    if (!node.isObject()) {
      fields.error(path, "must be an object, got " + describe(node));
      return null;
    }
    int errorsBefore = fields.errors.size();
    JsonNode typeNode = node.get("type");
    EventType type = null;
    if (typeNode == null || typeNode.isNull()) {
      fields.error(path + ".type", "is required");
    } else if (!typeNode.isTextual()) {
      fields.error(path + ".type", "must be a string, got " + describe(typeNode));
    } else {
      type = EventType.parse(typeNode.asText()).orElse(null);
      if (type == null) {
        fields.error(
            path + ".type",
            "unknown event type '"
                + truncate(typeNode.asText())
                + "'; expected one of "
                + EventType.WIRE_NAMES);
      }
    }
    Instant at = fields.optionalTime(node, "at", path + ".at");
    Double position =
        fields.optionalNumber(node, "position", path + ".position", 0, MAX_MEDIA_SECONDS);
    Double from = fields.optionalNumber(node, "from", path + ".from", 0, MAX_MEDIA_SECONDS);
    Double to = fields.optionalNumber(node, "to", path + ".to", 0, MAX_MEDIA_SECONDS);
    Integer startupMs = fields.optionalInt(node, "startupMs", path + ".startupMs", MAX_STARTUP_MS);
    Integer durationMs =
        fields.optionalInt(node, "durationMs", path + ".durationMs", MAX_REBUFFER_MS);
    String code = fields.optionalText(node, "code", path + ".code", 64);
    String message = fields.optionalText(node, "message", path + ".message", 1024);
    if (type == EventType.WATCH || type == EventType.SEEK) {
      if (absent(node, "from")) {
        fields.error(path + ".from", "is required for " + type.wireName() + " events");
      }
      if (absent(node, "to")) {
        fields.error(path + ".to", "is required for " + type.wireName() + " events");
      }
      if (type == EventType.WATCH && from != null && to != null && from > to) {
        fields.error(path + ".to", "must not be before 'from' in a watch interval");
      }
    }
    if (type == EventType.REBUFFER && absent(node, "durationMs")) {
      fields.error(path + ".durationMs", "is required for rebuffer events");
    }
    if (fields.errors.size() > errorsBefore) {
      return null;
    }
    return new BeaconEvent(type, at, position, from, to, startupMs, durationMs, code, message);
  }

  private static boolean absent(JsonNode parent, String name) {
    JsonNode node = parent.get(name);
    return node == null || node.isNull();
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String truncate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }

  /** Collects field errors while reading typed values out of JSON objects. */
  private static final class Fields {
    final List<FieldError> errors = new ArrayList<>();

    void error(String field, String message) {
      if (errors.size() < 50) {
        errors.add(new FieldError(field, message));
      }
    }

    String requiredId(JsonNode parent, String name) {
      return requiredId(parent, name, name);
    }

    String requiredId(JsonNode parent, String name, String path) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        error(path, "is required");
        return null;
      }
      return checkId(node, path);
    }

    String optionalId(JsonNode parent, String name) {
      JsonNode node = parent.get(name);
      return node == null || node.isNull() ? null : checkId(node, name);
    }

    private String checkId(JsonNode node, String path) {
      if (!node.isTextual()) {
        error(path, "must be a string, got " + describe(node));
        return null;
      }
      if (!ID.matcher(node.asText()).matches()) {
        error(path, "must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'");
        return null;
      }
      return node.asText();
    }

    String optionalText(JsonNode parent, String name, String path, int maxLength) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual()) {
        error(path, "must be a string, got " + describe(node));
        return null;
      }
      String value = node.asText();
      if (value.length() > maxLength) {
        error(path, "must be at most " + maxLength + " characters");
        return null;
      }
      return value;
    }

    Double optionalNumber(JsonNode parent, String name, String path, double min, double max) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isNumber()) {
        error(path, "must be a number, got " + describe(node));
        return null;
      }
      double value = node.asDouble();
      if (!Double.isFinite(value) || value < min || value > max) {
        error(path, "must be between " + format(min) + " and " + format(max));
        return null;
      }
      return value;
    }

    Integer optionalInt(JsonNode parent, String name, String path, int max) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isNumber()) {
        error(path, "must be a number, got " + describe(node));
        return null;
      }
      double value = node.asDouble();
      if (!Double.isFinite(value) || value < 0 || value > max) {
        error(path, "must be between 0 and " + max);
        return null;
      }
      return (int) Math.round(value);
    }

    Instant optionalTime(JsonNode parent, String name, String path) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual()) {
        error(path, "must be an ISO-8601 timestamp string, got " + describe(node));
        return null;
      }
      try {
        Instant instant =
            OffsetDateTime.parse(node.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
          error(path, "must be between 1970-01-01 and 9999-12-31");
          return null;
        }
        return instant;
      } catch (DateTimeParseException e) {
        error(path, "must be an ISO-8601 timestamp with offset, e.g. 2026-11-22T10:00:07.000Z");
        return null;
      }
    }

    private static String format(double value) {
      return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
  }
}
