package io.playlens.query;

import java.util.List;

/**
 * What a question is narrowed to: each list holds the accepted values of one dimension (empty: any
 * value). Values were checked against allow-lists where the dimension has one.
 */
public record Filters(
    List<String> mediaIds,
    String mediaType,
    List<String> continents,
    List<String> countries,
    List<String> deviceTypes,
    List<String> operatingSystems,
    List<String> browsers,
    String tag,
    List<String> referrers) {
  public static final Filters NONE = ofMedia(List.of());

  /** Only the listed media (an empty list: no media filter at all). */
  public static Filters ofMedia(List<String> mediaIds) {
    return new Filters(
        mediaIds, null, List.of(), List.of(), List.of(), List.of(), List.of(), null, List.of());
  }

  /**
   * These filters, kept within the media a user may read (an empty list: every media). When none of
   * the asked media is readable, the filter names an id no media has (ids are never empty), so it
   * matches nothing rather than everything.
   */
  public Filters within(List<String> readable) {
    if (readable.isEmpty()) {
      return this;
    }
    List<String> media =
        mediaIds.isEmpty() ? readable : mediaIds.stream().filter(readable::contains).toList();
    return new Filters(
        media.isEmpty() ? List.of("") : media,
        mediaType,
        continents,
        countries,
        deviceTypes,
        operatingSystems,
        browsers,
        tag,
        referrers);
  }

  /**
   * The media filters alone (ids and type), for the questions only they apply to; refuses filters
   * that hold more, so no caller silently loses a filter.
   */
  public Filters mediaOnly() {
    Filters media =
        new Filters(
            mediaIds, mediaType, List.of(), List.of(), List.of(), List.of(), List.of(), null,
            List.of());
    if (!media.equals(this)) {
      throw new IllegalArgumentException("only the media filters apply to all-time plays");
    }
    return media;
  }

  public Filters {
    mediaIds = List.copyOf(mediaIds);
    continents = List.copyOf(continents);
    countries = List.copyOf(countries);
    deviceTypes = List.copyOf(deviceTypes);
    operatingSystems = List.copyOf(operatingSystems);
    browsers = List.copyOf(browsers);
    referrers = List.copyOf(referrers);
  }
}
