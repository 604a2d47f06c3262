package io.playlens.enrich;

import java.util.Locale;

/** Why the enrichment pipeline refused a visit's events: a closed set, each reason counted. */
public enum DropReason {
  /** Crawlers, headless browsers, monitoring agents and HTTP libraries. */
  BOT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
