package io.playlens.enrich;

/** Fills in country, region, city, coordinates and continent; leaves them empty without data. */
public final class PlaceStep implements EnrichmentStep {
  private final PlaceDatabase database;

  /**
   * @param database the geo database, or null when none is installed
   */
  public PlaceStep(PlaceDatabase database) {
    this.database = database;
  }

  @Override
  public String name() {
    return "place";
  }

  @Override
  public Outcome apply(Visit visit) {
    return database == null
        ? new Keep(visit)
        : new Keep(visit.withPlace(database.lookup(visit.ip())));
  }
}
