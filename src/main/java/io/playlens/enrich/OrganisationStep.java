package io.playlens.enrich;

/** Fills in Wistia's "Organization": the owner of the network the IP belongs to. */
public final class OrganisationStep implements EnrichmentStep {
  private final Organisations organisations;

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
    return organisations == null
        ? new Keep(visit)
        : new Keep(visit.withOrganisation(organisations.lookup(visit.ip())));
  }
}
