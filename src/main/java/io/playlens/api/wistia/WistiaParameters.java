package io.playlens.api.wistia;

import io.javalin.http.Context;
import io.playlens.server.ClientError;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The query parameters of one Wistia request, each refused with a message naming it, in the status
 * of its route family: 400 for the export (as the issue asks), 422 for {@code /v1/stats} (as
 * Wistia's API answers). A parameter the route does not take is refused too.
 */
final class WistiaParameters {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

  private final Context ctx;
  private final int status;

  WistiaParameters(Context ctx, int status, Set<String> allowed) {
    this.ctx = ctx;
    this.status = status;
    for (String name : ctx.queryParamMap().keySet()) {
      if (!allowed.contains(name)) {
        throw invalid(
            "unknown parameter '"
                + name
                + "'; "
                + (allowed.isEmpty()
                    ? "this route takes none"
                    : "this route takes " + String.join(", ", new TreeSet<>(allowed))));
      }
    }
  }

  /** A refusal in this route family's status. */
  ClientError invalid(String message) {
    return new ClientError(status, ClientError.Code.INVALID_QUERY_PARAMETER, message);
  }

  /** The value as given, or null. */
  String text(String name) {
    return ctx.queryParam(name);
  }

  /** A whole number from {@code min} to {@code max}, or {@code fallback} when absent. */
  long whole(String name, long fallback, long min, long max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    if (!DIGITS.matcher(value).matches()) {
      throw invalid(name + " must be a whole number ≥ " + min + " (got '" + value + "')");
    }
    long number = Long.parseLong(value);
    if (number < min || number > max) {
      throw invalid(name + " must be between " + min + " and " + max + " (got " + value + ")");
    }
    return number;
  }

  /** A {@code yyyy-mm-dd} date, or {@code fallback} when absent. */
  LocalDate date(String name, LocalDate fallback) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      if (DATE.matcher(value).matches()) {
        return LocalDate.parse(value);
      }
    } catch (DateTimeParseException e) {
      // not a real day, e.g. 2026-02-30: refused below
    }
    throw invalid(name + " must be a date as yyyy-mm-dd (got '" + value + "')");
  }

  /** A time range [from, to); empty when {@code from == to}. */
  record Range(Instant from, Instant to) {
    boolean isEmpty() {
      return !from.isBefore(to);
    }
  }

  /**
   * The days {@code start_date} to {@code end_date} (inclusive, in {@code zone}) as a time range,
   * no earlier than {@code earliest} (the data kept); without {@code start_date} from {@code
   * earliest}, without {@code end_date} to just past {@code now}. A range wholly before {@code
   * earliest} is empty, not an error.
   */
  Range range(ZoneId zone, Instant earliest, Instant now) {
    LocalDate start = date("start_date", null);
    LocalDate end = date("end_date", null);
    if (start != null && end != null && start.isAfter(end)) {
      throw invalid("start_date " + start + " is after end_date " + end);
    }
    Instant from = start == null ? earliest : start.atStartOfDay(zone).toInstant();
    if (from.isBefore(earliest)) {
      from = earliest;
    }
    Instant to = end == null ? now.plusSeconds(1) : end.plusDays(1).atStartOfDay(zone).toInstant();
    return new Range(from, from.isBefore(to) ? to : from);
  }
}
