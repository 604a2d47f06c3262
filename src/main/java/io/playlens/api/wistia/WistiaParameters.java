package io.playlens.api.wistia;

import io.playlens.server.ClientError;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Query parameters as Wistia's routes take them, each refused with a message naming it. */
final class WistiaParameters {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

  private WistiaParameters() {}

  /** A whole number ≥ 0, or {@code fallback} when absent. */
  static long nonNegative(String name, String value, long fallback) {
    if (value == null) {
      return fallback;
    }
    if (!DIGITS.matcher(value).matches()) {
      throw new ClientError(400, name + " must be a whole number ≥ 0 (got '" + value + "')");
    }
    return Long.parseLong(value);
  }

  /** A {@code yyyy-mm-dd} date, or null when absent. */
  static LocalDate date(String name, String value) {
    if (value == null) {
      return null;
    }
    try {
      if (DATE.matcher(value).matches()) {
        return LocalDate.parse(value);
      }
    } catch (DateTimeParseException e) {
      // not a real day, e.g. 2026-02-30: refused below
    }
    throw new ClientError(400, name + " must be a date as yyyy-mm-dd (got '" + value + "')");
  }
}
