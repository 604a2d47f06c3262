package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One stored player event: the beacon's facts, the server's receive time and the enrichment, in the
 * store's column order. Times are UTC; unknown values are null.
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
    String viewerId,
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
    String errorMessage,
    Double mediaDuration,
    String mediaType,
    String mediaTitle,
    String pageUrl,
    String referrer,
    String email,
    String ip,
    String country,
    String region,
    String city,
    Double latitude,
    Double longitude,
    String continent,
    String organisation,
    String deviceType,
    String os,
    String osVersion,
    String browser,
    String browserVersion,
    String userAgent) {
  public EventRow {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(mediaId, "mediaId is null");
    requireNonNull(sessionId, "sessionId is null");
    requireNonNull(eventType, "eventType is null");
    requireNonNull(eventTime, "eventTime is null");
    requireNonNull(receivedAt, "receivedAt is null");
  }
}
