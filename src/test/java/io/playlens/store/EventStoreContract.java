package io.playlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventStore} must do, run against each engine by a subclass that opens a real
 * instance and reads it back with the engine's own SQL.
 */
public abstract class EventStoreContract {
  /** A fresh, empty, migrated store. */
  protected abstract EventStore store();

  /** Rows of a query over the engine, column label to value. */
  protected abstract List<Map<String, Object>> query(String sql);

  protected static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  protected static StoredBeacon beacon(String session, int events, boolean withContext) {
    return beacon(session, events, withContext, RowIds.next(NOW.toEpochMilli()), NOW);
  }

  /** Events of a session referring to {@code contextId}; the context row too when asked. */
  protected static StoredBeacon beacon(
      String session, int events, boolean withContext, UUID contextId, Instant clientTime) {
    return beacon(session, events, withContext, contextId, clientTime, NOW);
  }

  /** As above, received (and so timed) at {@code receivedAt}. */
  protected static StoredBeacon beacon(
      String session,
      int events,
      boolean withContext,
      UUID contextId,
      Instant clientTime,
      Instant receivedAt) {
    SessionContext context =
        new SessionContext(
            "acme",
            "production",
            session,
            "viewer-1",
            "m1",
            125.3,
            "video",
            "Intro",
            List.of("a", "b"),
            "https://example.com/p",
            null,
            "ada@example.com",
            "81.2.69.142",
            "GB",
            "England",
            "London",
            51.5,
            -0.09,
            "EU",
            "Andrews & Arnold Ltd",
            "computer",
            "windows",
            "10",
            "chrome",
            "142",
            "Mozilla/5.0");
    List<EventRow> rows = TestRows.watchEvents(session, events, contextId, clientTime, receivedAt);
    return new StoredBeacon(
        withContext ? new ContextRow(contextId, receivedAt, context) : null, rows);
  }

  @Test
  void appendedEventsAreReadBackWithTheirContext() throws Exception {
    store().append(List.of(beacon("s1", 3, true), beacon("s2", 2, true)));

    assertThat(store().countEvents()).isEqualTo(5);
    List<Map<String, Object>> rows =
        query(
            "SELECT session_id, from_position, to_position, city, organisation, email "
                + "FROM event_details WHERE session_id = 's1' ORDER BY from_position");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(2))
        .containsEntry("from_position", 10.0)
        .containsEntry("to_position", 15.0)
        .containsEntry("city", "London")
        .containsEntry("organisation", "Andrews & Arnold Ltd")
        .containsEntry("email", "ada@example.com");
  }

  @Test
  void aBatchWithoutNewContextsWritesOnlyEventsThatJoinTheStoredContext() throws Exception {
    UUID contextId = RowIds.next(NOW.toEpochMilli());
    store().append(List.of(beacon("s3", 1, true, contextId, NOW)));

    store().append(List.of(beacon("s3", 4, false, contextId, NOW)));

    assertThat(count("contexts")).isEqualTo(1);
    assertThat(count("events")).isEqualTo(5);
    assertThat(count("event_details")).isEqualTo(5);
  }

  @Test
  void aFailedAppendStoresNothingAndTheNextAppendWorks() throws Exception {
    // A client time the store cannot represent fails the second beacon of the batch.
    Instant unrepresentable = Instant.MAX;
    List<StoredBeacon> batch =
        List.of(
            beacon("good", 2, true),
            beacon("bad", 2, true, RowIds.next(NOW.toEpochMilli()), unrepresentable));

    assertThatThrownBy(() -> store().append(batch)).isInstanceOf(StoreException.class);

    assertThat(count("events")).isZero();
    assertThat(count("contexts")).isZero();
    for (int i = 0; i < 3; i++) {
      store().append(List.of(beacon("after-" + i, 1, true)));
    }
    assertThat(count("events")).isEqualTo(3);
    store().checkWritable();
  }

  @Test
  void deletingBeforeACutOffRemovesOnlyThatAccountsOlderEventsAndTheirUnusedContexts()
      throws Exception {
    Instant old = NOW.minus(java.time.Duration.ofDays(40));
    store()
        .append(
            List.of(
                beacon("old", 3, true, RowIds.next(old.toEpochMilli()), null, old),
                beacon("new", 2, true)));
    Instant cutOff = NOW.minus(java.time.Duration.ofDays(30));

    assertThat(store().deleteBefore("acme", "sandbox", cutOff)).isZero();
    assertThat(store().deleteBefore("other", "production", cutOff)).isZero();
    assertThat(store().countEvents()).isEqualTo(5);

    assertThat(store().deleteBefore("acme", "production", cutOff)).isEqualTo(3);
    assertThat(store().countEvents()).isEqualTo(2);
    assertThat(query("SELECT session_id FROM contexts"))
        .containsExactly(java.util.Map.of("session_id", "new"));
  }

  @Test
  void aStoreThatTakesWritesSaysSo() throws Exception {
    store().checkWritable();
  }

  private long count(String table) {
    return ((Number) query("SELECT count(*) AS n FROM " + table).get(0).get("n")).longValue();
  }
}
