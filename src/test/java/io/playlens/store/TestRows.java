package io.playlens.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Stored beacons for tests of the ingest path that do not care about their content. */
public final class TestRows {
  private TestRows() {}

  /** A beacon of {@code events} watch events in {@code session}, with no new context row. */
  public static StoredBeacon beacon(String session, int events) {
    List<EventRow> rows = new ArrayList<>();
    Instant now = Instant.now();
    UUID contextId = RowIds.next(now.toEpochMilli());
    for (int i = 0; i < events; i++) {
      rows.add(
          new EventRow(
              "acme",
              "production",
              "m1",
              session,
              contextId,
              "watch",
              null,
              now,
              now,
              null,
              i * 5.0,
              i * 5.0 + 5,
              null,
              null,
              null,
              null));
    }
    return new StoredBeacon(null, rows);
  }
}
