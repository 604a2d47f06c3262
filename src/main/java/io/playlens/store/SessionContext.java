package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What all events of a playback session share while it lasts: viewer, media as the player saw it,
 * page, place, organisation and device. Stored once per distinct value per session (a {@link
 * ContextRow}), not once per event: heartbeats repeat it every few seconds. Unknown values are
 * null; equality covers every field, so any change (an {@code identify(email)}, a new IP) makes a
 * new row.
 */
public record SessionContext(
    String account,
    String environment,
    String sessionId,
    String viewerId,
    String mediaId,
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
  public SessionContext {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(sessionId, "sessionId is null");
    requireNonNull(mediaId, "mediaId is null");
    mediaTags = mediaTags == null ? List.of() : List.copyOf(mediaTags);
  }
}
