package io.playlens.enrich;

import static java.util.Objects.requireNonNull;

/** Fills in device type, OS and browser from the user agent. */
public final class DeviceStep implements EnrichmentStep {
  private final UserAgents userAgents;

  public DeviceStep(UserAgents userAgents) {
    this.userAgents = requireNonNull(userAgents, "userAgents is null");
  }

  @Override
  public String name() {
    return "device";
  }

  @Override
  public Outcome apply(Visit visit) {
    return new Keep(visit.withDevice(userAgents.device(visit.userAgent())));
  }
}
