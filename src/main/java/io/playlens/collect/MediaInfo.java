package io.playlens.collect;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What the player knows of the media it plays; only the id is required. */
public record MediaInfo(String id, Double duration, String type, String title, List<String> tags) {
  public MediaInfo {
    requireNonNull(id, "id is null");
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
