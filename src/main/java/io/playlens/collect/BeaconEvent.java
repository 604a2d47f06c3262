package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One player event as the tracker sent it. Fields that a type does not use are null; the parser has
 * already checked that each type carries what it needs ({@code watch} and {@code seek} a from/to
 * pair, {@code rebuffer} a duration).
 *
 * @param at client time of the event, null when the tracker left it out
 * @param position media time in seconds at the event
 * @param from start of a watched interval, or seek origin, in media seconds
 * @param to end of a watched interval, or seek target, in media seconds
 */
public record BeaconEvent(
    EventType type,
    Instant at,
    Double position,
    Double from,
    Double to,
    Integer startupMs,
    Integer durationMs,
    String code,
    String message) {
  public BeaconEvent {
    requireNonNull(type, "type is null");
  }
}
