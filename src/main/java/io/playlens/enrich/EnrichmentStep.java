package io.playlens.enrich;

/** One named stage of enrichment: returns the visit, completed a little, or drops it. */
public interface EnrichmentStep {
  String name();

  Outcome apply(Visit visit);

  /** What a step decided. */
  sealed interface Outcome permits Keep, Drop {}

  record Keep(Visit visit) implements Outcome {}

  record Drop(DropReason reason) implements Outcome {}
}
