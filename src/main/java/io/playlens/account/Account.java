package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tenant: everything it owns (users, keys, media, events) carries its key. The time zone decides
 * what "a day" means in its reports.
 */
public record Account(
    String key, String name, ZoneId timeZone, Retention retention, State state, Instant createdAt) {
  private static final Pattern KEY = Pattern.compile("[a-z0-9-]{2,40}");
  private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

  /** Suspended accounts keep their data but neither collect nor answer (403). */
  public enum State {
    ACTIVE,
    SUSPENDED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State parse(String value) {
      return switch (value) {
        case "active" -> ACTIVE;
        case "suspended" -> SUSPENDED;
        default -> throw new IllegalArgumentException("unknown account state '" + value + "'");
      };
    }
  }

  public Account {
    checkKey(key);
    name = checkName(name);
    requireNonNull(timeZone, "timeZone is null");
    requireNonNull(retention, "retention is null");
    requireNonNull(state, "state is null");
    requireNonNull(createdAt, "createdAt is null");
  }

  public boolean active() {
    return state == State.ACTIVE;
  }

  public Account withSettings(String newName, ZoneId newZone, Retention newRetention) {
    return new Account(key, newName, newZone, newRetention, state, createdAt);
  }

  /** Throws a message fit for the user when the key is not {@code [a-z0-9-]{2,40}}. */
  public static String checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "account key must be 2-40 characters of a-z, 0-9 and '-' (got '" + key + "')");
    }
    return key;
  }

  public static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("account name must not be empty");
    }
    if (name.length() > 200) {
      throw new IllegalArgumentException("account name must be at most 200 characters");
    }
    return name.strip();
  }

  /** An IANA zone name such as {@code Europe/Paris} or {@code UTC}; offsets are refused. */
  public static ZoneId parseTimeZone(String value) {
    if (value == null || !ZONES.contains(value)) {
      throw new IllegalArgumentException(
          "time zone must be an IANA name such as Europe/Paris or UTC (got '" + value + "')");
    }
    return ZoneId.of(value);
  }
}
