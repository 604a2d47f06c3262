package io.playlens.enrich;

import static java.util.Objects.requireNonNull;

import io.playlens.enrich.EnrichmentStep.Drop;
import io.playlens.enrich.EnrichmentStep.Keep;
import io.playlens.enrich.EnrichmentStep.Outcome;
import java.util.List;

/**
 * Runs the enrichment steps in order (bot → place → organisation → device → IP policy), stopping at
 * the first drop.
 */
public final class EnrichmentPipeline {
  private final List<EnrichmentStep> steps;

  public EnrichmentPipeline(List<EnrichmentStep> steps) {
    this.steps = List.copyOf(requireNonNull(steps, "steps is null"));
  }

  public Outcome run(Visit visit) {
    Visit current = visit;
    for (EnrichmentStep step : steps) {
      Outcome outcome = step.apply(current);
      switch (outcome) {
        case Drop drop -> {
          return drop;
        }
        case Keep keep -> current = keep.visit();
      }
    }
    return new Keep(current);
  }

  public List<String> stepNames() {
    return steps.stream().map(EnrichmentStep::name).toList();
  }
}
