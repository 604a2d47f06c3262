package io.playlens.collect;

import io.playlens.enrich.DropReason;
import java.util.EnumMap;
import java.util.Map;

/** What became of a beacon's events: stored, or dropped for a reason. */
public record CollectResult(int accepted, Map<DropReason, Integer> dropped) {
  public CollectResult {
    EnumMap<DropReason, Integer> all = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      all.put(reason, dropped.getOrDefault(reason, 0));
    }
    dropped = java.util.Collections.unmodifiableMap(all);
  }
}
