package io.playlens.enrich;

import static java.util.Objects.requireNonNull;

/** Drops crawlers, headless browsers, monitoring agents and plain HTTP libraries. */
public final class BotFilter implements EnrichmentStep {
  private final UserAgents userAgents;

  public BotFilter(UserAgents userAgents) {
    this.userAgents = requireNonNull(userAgents, "userAgents is null");
  }

  @Override
  public String name() {
    return "bot";
  }

  @Override
  public Outcome apply(Visit visit) {
    return userAgents.isBot(visit.userAgent()) ? new Drop(DropReason.BOT) : new Keep(visit);
  }
}
