package io.playlens.enrich;

/** Fills in Wistia's "Organization": the owner of the network the IP belongs to. */
public final class OrganisationStep implements EnrichmentStep {
  private final Organisations organisations;
  private final LookupFailures failures = new LookupFailures(name());

  /**
   * @param organisations the ASN data, or null when none is installed
   */
  public OrganisationStep(Organisations organisations) {
    this.organisations = organisations;
  }

  @Override
  public String name() {
    return "organisation";
  }

  @Override
  public Outcome apply(Visit visit) {
    if (organisations == null) {
      return new Keep(visit);
    }
    try {
      return new Keep(visit.withOrganisation(organisations.lookup(visit.ip())));
    } catch (RuntimeException e) {
      // A damaged database file must cost the organisation, not the events.
      failures.report(e);
      return new Keep(visit);
    }
  }
}
