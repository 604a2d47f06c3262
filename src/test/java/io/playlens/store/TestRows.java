package io.playlens.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Stored beacons for tests of the ingest path and the stores. */
public final class TestRows {
  private TestRows() {}

  /** A beacon of {@code events} watch events in {@code session}, with no new context row. */
  public static StoredBeacon beacon(String session, int events) {
    Instant now = Instant.now();
    return new StoredBeacon(
        null, watchEvents(session, events, RowIds.next(now.toEpochMilli()), null, now));
  }

  /** Consecutive 5-second watch intervals of account acme's media m1. */
  public static List<EventRow> watchEvents(
      String session, int events, UUID contextId, Instant clientTime, Instant receivedAt) {
    List<EventRow> rows = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      rows.add(
          new EventRow(
              "acme",
              "production",
              "m1",
              session,
              contextId,
              "watch",
              clientTime,
              receivedAt,
              receivedAt,
              null,
              i * 5.0,
              i * 5.0 + 5,
              null,
              null,
              null,
              null));
    }
    return rows;
  }
}
