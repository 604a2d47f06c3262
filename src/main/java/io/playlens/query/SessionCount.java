package io.playlens.query;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * How many playback sessions of one account and environment had an event of a type in [from, to),
 * within the filters: the base of api.video's impression, play, start and end counts (a session
 * counts once however often it sent the event, so a replay is not a second play).
 */
public record SessionCount(
    String account,
    String environment,
    String eventType,
    Instant from,
    Instant to,
    Filters filters) {
  public SessionCount {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(eventType, "eventType is null");
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    requireNonNull(filters, "filters is null");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
  }
}
