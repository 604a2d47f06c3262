package io.playlens.store;

import java.util.List;

/**
 * A beacon's events as written in one commit, with the context row they refer to when that context
 * is not stored yet (null when an earlier, committed row already holds it).
 */
public record StoredBeacon(ContextRow newContext, List<EventRow> events) {
  public StoredBeacon {
    events = List.copyOf(events);
  }
}
