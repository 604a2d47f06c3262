package io.playlens.query;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * How a question's answer is cut: one number for the whole scope, one per value of a dimension, or
 * one per time bucket. A session counts in the bucket of its first qualifying event in scope, so
 * the buckets of a count add up to the whole.
 */
public sealed interface Grouping {
  /** The one group of a question asked as a whole. */
  String WHOLE = "";

  /** One number for the scope, under the key {@link #WHOLE}. */
  record Whole() implements Grouping {}

  /** One number per value of the dimension, keyed by the value. */
  record By(Dimension dimension) implements Grouping {
    public By {
      requireNonNull(dimension, "dimension is null");
    }
  }

  /**
   * One number per time bucket, keyed by the bucket's index as text. Bucket {@code i} runs from
   * {@code starts[i]} to {@code starts[i + 1]} (the last to the scope's end), each clipped to the
   * scope; the first start may lie before the scope's start (buckets align to whole hours or days).
   */
  record Over(List<Instant> starts) implements Grouping {
    public Over {
      starts = List.copyOf(starts);
      if (starts.isEmpty()) {
        throw new IllegalArgumentException("no buckets");
      }
      for (int i = 1; i < starts.size(); i++) {
        if (!starts.get(i - 1).isBefore(starts.get(i))) {
          throw new IllegalArgumentException("bucket starts must increase");
        }
      }
    }
  }

  Grouping WHOLE_SCOPE = new Whole();
}
