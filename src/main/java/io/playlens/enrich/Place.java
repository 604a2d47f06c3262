package io.playlens.enrich;

/**
 * Where an IP address is, as far as the geo database knows; unknown parts are null.
 *
 * @param continent api.video's continent code (AF, AN, AS, EU, NA, SA, and AZ for Oceania)
 */
public record Place(
    String country,
    String region,
    String city,
    Double latitude,
    Double longitude,
    String continent) {
  public static final Place UNKNOWN = new Place(null, null, null, null, null, null);
}
