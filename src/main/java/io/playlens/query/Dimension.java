package io.playlens.query;

import java.util.Optional;

/** What buckets are cut by: api.video's breakdowns, each a column of the session context. */
public enum Dimension {
  MEDIA_ID("media-id", "c.media_id"),
  MEDIA_TYPE("media-type", "coalesce(c.media_type, 'video')"),
  CONTINENT("continent", "coalesce(c.continent, 'unknown')"),
  COUNTRY("country", "coalesce(c.country, 'unknown')"),
  DEVICE_TYPE("device-type", "coalesce(c.device_type, 'unknown')"),
  OPERATING_SYSTEM("operating-system", "coalesce(c.os, 'unknown')"),
  BROWSER("browser", "coalesce(c.browser, 'unknown')"),
  /** Empty for sessions without a referrer, as the referrer filter takes it. */
  REFERRER("referrer", "coalesce(c.referrer, '')");

  private final String wireName;
  private final String column;

  Dimension(String wireName, String column) {
    this.wireName = wireName;
    this.column = column;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * The SQL expression over a session, context or minute-mark row {@code c}; a constant of this
   * enum, never input.
   */
  public String column() {
    return column;
  }

  public static Optional<Dimension> parse(String value) {
    for (Dimension dimension : values()) {
      if (dimension.wireName.equals(value)) {
        return Optional.of(dimension);
      }
    }
    return Optional.empty();
  }
}
