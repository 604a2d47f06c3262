package io.playlens.account;

import java.time.Duration;
import java.util.Locale;

/** How long an account's production data is kept; sandbox data is always kept 24 hours. */
public enum Retention {
  DAYS_30(30),
  DAYS_90(90),
  DAYS_365(365);

  private final int days;

  Retention(int days) {
    this.days = days;
  }

  public int days() {
    return days;
  }

  public Duration duration() {
    return Duration.ofDays(days);
  }

  /** {@code 30d}, {@code 90d} or {@code 365d}. */
  public String wireName() {
    return days + "d";
  }

  /** Parses {@code 30d}, {@code 90d} or {@code 365d}; anything else is a clear error. */
  public static Retention parse(String value) {
    String normalised = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    for (Retention retention : values()) {
      if (retention.wireName().equals(normalised)) {
        return retention;
      }
    }
    throw new IllegalArgumentException(
        "retention must be one of 30d, 90d, 365d (got '" + value + "')");
  }

  public static Retention ofDays(int days) {
    for (Retention retention : values()) {
      if (retention.days == days) {
        return retention;
      }
    }
    throw new IllegalArgumentException("no retention of " + days + " days");
  }
}
