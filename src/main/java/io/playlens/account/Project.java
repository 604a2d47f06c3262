package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A named group of an account's media (Wistia's project): its statistics are those of its media
 * together. Media ids are the customer's own, in either environment.
 */
public record Project(
    String account, String id, String name, List<String> media, Instant createdAt) {
  /** The most media one project holds. */
  public static final int MAX_MEDIA = 1000;

  public Project {
    Account.checkKey(account);
    Media.checkId(id);
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("project name must be 1-200 characters");
    }
    media = List.copyOf(new LinkedHashSet<>(requireNonNull(media, "media is null")));
    if (media.size() > MAX_MEDIA) {
      throw new IllegalArgumentException("a project holds at most " + MAX_MEDIA + " media");
    }
    media.forEach(Media::checkId);
    requireNonNull(createdAt, "createdAt is null");
  }
}
