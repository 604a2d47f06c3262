package io.playlens.enrich;

/** Fills in country, region, city, coordinates and continent; leaves them empty without data. */
public final class PlaceStep implements EnrichmentStep {
  private final PlaceDatabase database;
  private final LookupFailures failures = new LookupFailures(name());

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
    if (database == null) {
      return new Keep(visit);
    }
    try {
      return new Keep(visit.withPlace(database.lookup(visit.ip())));
    } catch (RuntimeException e) {
      // A damaged database file must cost the place, not the events.
      failures.report(e);
      return new Keep(visit);
    }
  }
}
