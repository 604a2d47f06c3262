package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A video or live stream of an account, under the customer's own id. Registered by the first event
 * a valid player key sends for it (name and duration as the player knew them); editable through the
 * admin API.
 */
public record Media(
    String account,
    Environment environment,
    String id,
    String name,
    Double duration,
    Type type,
    List<String> tags,
    Instant createdAt) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public enum Type {
    VIDEO,
    LIVE_STREAM;

    public String wireName() {
      return this == VIDEO ? "video" : "live-stream";
    }

    public static Type parse(String value) {
      return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
        case "video", "vod" -> VIDEO;
        case "live-stream", "live" -> LIVE_STREAM;
        default ->
            throw new IllegalArgumentException(
                "media type must be 'video' or 'live-stream' (got '" + value + "')");
      };
    }
  }

  public Media {
    Account.checkKey(account);
    requireNonNull(environment, "environment is null");
    checkId(id);
    if (duration != null && (duration.isNaN() || duration < 0 || duration.isInfinite())) {
      throw new IllegalArgumentException("media duration must be a non-negative number");
    }
    requireNonNull(type, "type is null");
    tags = List.copyOf(tags);
    requireNonNull(createdAt, "createdAt is null");
  }

  public static String checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "media id must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-' (got '" + id + "')");
    }
    return id;
  }
}
