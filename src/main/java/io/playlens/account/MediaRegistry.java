package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers a media the first time a valid player key sends an event for it. The set of media
 * already registered is remembered, so the store sees one write per new media, not per beacon.
 */
public final class MediaRegistry {
  private static final int MAX_REMEMBERED = 500_000;

  private final MetadataStore store;
  private final Clock clock;
  private final Set<Registered> registered = ConcurrentHashMap.newKeySet();

  /** A media of one account and environment, as the set of registered ones holds it. */
  private record Registered(String account, Environment environment, String mediaId) {}

  public MediaRegistry(MetadataStore store, Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** What the player said about the media; only the id is required. */
  public void seen(
      PlayerKey key,
      String mediaId,
      String title,
      Double duration,
      String type,
      List<String> tags) {
    Registered identity = new Registered(key.account(), key.environment(), mediaId);
    if (registered.contains(identity)) {
      return;
    }
    Media.Type mediaType;
    try {
      mediaType = type == null ? Media.Type.VIDEO : Media.Type.parse(type);
    } catch (IllegalArgumentException e) {
      mediaType = Media.Type.VIDEO;
    }
    boolean validDuration = duration != null && Double.isFinite(duration) && duration >= 0;
    store.registerMedia(
        new Media(
            key.account(),
            key.environment(),
            mediaId,
            title,
            validDuration ? duration : null,
            mediaType,
            tags,
            clock.instant()));
    if (registered.size() >= MAX_REMEMBERED) {
      registered.clear();
    }
    registered.add(identity);
  }
}
