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
