package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** A validated batch of player events from one playback session. */
public record Beacon(
    String key,
    String session,
    String viewer,
    Instant sentAt,
    MediaInfo media,
    String pageUrl,
    String referrer,
    String email,
    List<BeaconEvent> events) {
  public Beacon {
    requireNonNull(key, "key is null");
    requireNonNull(session, "session is null");
    requireNonNull(media, "media is null");
    events = List.copyOf(events);
  }
}
