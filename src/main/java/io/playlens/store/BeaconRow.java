package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One accepted beacon: who sent it, from where, on what, about which media. Its events are {@link
 * EventRow}s with the same {@code beaconId}. Unknown values are null.
 */
public record BeaconRow(
    UUID beaconId,
    String account,
    String environment,
    String sessionId,
    String viewerId,
    String mediaId,
    Instant receivedAt,
    Instant sentAt,
    int eventCount,
    Double mediaDuration,
    String mediaType,
    String mediaTitle,
    List<String> mediaTags,
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
  public BeaconRow {
    requireNonNull(beaconId, "beaconId is null");
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(sessionId, "sessionId is null");
    requireNonNull(mediaId, "mediaId is null");
    requireNonNull(receivedAt, "receivedAt is null");
    mediaTags = mediaTags == null ? List.of() : List.copyOf(mediaTags);
  }
}
