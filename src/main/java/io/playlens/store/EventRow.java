package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/**
 * One stored player event. What all events of a session share (viewer, page, place, device...)
 * lives once in its {@link BeaconRow}, joined by {@code beaconId}; the {@code event_details} view
 * shows both as one row per event.
 *
 * @param clientTime the event time the tracker sent, uncorrected
 * @param eventTime the event time corrected for the client's clock skew
 * @param position media time at the event, in seconds
 * @param fromPosition start of a watched interval or seek origin, in media seconds
 * @param toPosition end of a watched interval or seek target, in media seconds
 */
public record EventRow(
    String account,
    String environment,
    String mediaId,
    String sessionId,
    UUID contextId,
    String eventType,
    Instant clientTime,
    Instant eventTime,
    Instant receivedAt,
    Double position,
    Double fromPosition,
    Double toPosition,
    Integer startupMs,
    Integer rebufferMs,
    String errorCode,
    String errorMessage) {
  public EventRow {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(mediaId, "mediaId is null");
    requireNonNull(sessionId, "sessionId is null");
    requireNonNull(contextId, "contextId is null");
    requireNonNull(eventType, "eventType is null");
    requireNonNull(eventTime, "eventTime is null");
    requireNonNull(receivedAt, "receivedAt is null");
  }
}
