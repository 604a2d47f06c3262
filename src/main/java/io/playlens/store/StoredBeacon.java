package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A beacon and its events, as written together in one commit. */
public record StoredBeacon(BeaconRow beacon, List<EventRow> events) {
  public StoredBeacon {
    requireNonNull(beacon, "beacon is null");
    events = List.copyOf(events);
  }
}
