package io.playlens.query;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Calendar buckets of a time zone: whole minutes, hours or days as the account's clock shows them,
 * so a day runs from local midnight to local midnight (23 or 25 hours across a DST change).
 */
public final class TimeBuckets {
  private TimeBuckets() {}

  public enum Interval {
    MINUTE,
    HOUR,
    DAY
  }

  /**
   * The starts of the buckets that overlap [from, to): the first is the bucket holding {@code from}
   * (so it may start before it), each later one the next whole unit of the zone's clock.
   */
  public static List<Instant> starts(Instant from, Instant to, Interval interval, ZoneId zone) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
    List<Instant> starts = new ArrayList<>();
    for (ZonedDateTime start = truncate(from.atZone(zone), interval);
        start.toInstant().isBefore(to);
        start = next(start, interval)) {
      starts.add(start.toInstant());
    }
    return starts;
  }

  private static ZonedDateTime truncate(ZonedDateTime time, Interval interval) {
    return switch (interval) {
      case MINUTE -> time.truncatedTo(ChronoUnit.MINUTES);
      case HOUR -> time.truncatedTo(ChronoUnit.HOURS);
      case DAY -> time.toLocalDate().atStartOfDay(time.getZone());
    };
  }

  private static ZonedDateTime next(ZonedDateTime start, Interval interval) {
    return switch (interval) {
      case MINUTE -> start.plusMinutes(1);
      case HOUR -> start.plusHours(1).truncatedTo(ChronoUnit.HOURS);
      case DAY -> start.toLocalDate().plusDays(1).atStartOfDay(start.getZone());
    };
  }
}
