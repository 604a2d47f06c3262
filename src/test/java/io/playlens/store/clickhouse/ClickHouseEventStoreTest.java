package io.playlens.store.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.ClickHouseServer;
import io.playlens.query.ClickHouseAnalytics;
import io.playlens.query.Filters;
import io.playlens.query.Scope;
import io.playlens.store.EventRow;
import io.playlens.store.EventStore;
import io.playlens.store.EventStoreContract;
import io.playlens.store.RowIds;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event store contract on a real ClickHouse server (a throwaway one on 127.0.0.1). */
class ClickHouseEventStoreTest extends EventStoreContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private ClickHouseEventStore store;
  private String url;

  @BeforeEach
  void open() throws StoreException {
    url = ClickHouseServer.get().newDatabase();
    store = ClickHouseEventStore.open(url);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  protected EventStore store() {
    return store;
  }

  /** Rows read over ClickHouse's own HTTP interface in its JSON format, typed by its metadata. */
  @Override
  protected List<Map<String, Object>> query(String sql) {
    try {
      JsonNode answer = JSON.readTree(ClickHouseServer.get().sql(url, sql + " FORMAT JSON"));
      Map<String, String> types = new LinkedHashMap<>();
      answer.path("meta").forEach(c -> types.put(c.path("name").asText(), c.path("type").asText()));
      List<Map<String, Object>> rows = new ArrayList<>();
      for (JsonNode row : answer.path("data")) {
        Map<String, Object> values = new LinkedHashMap<>();
        types.forEach(
            (name, type) -> {
              JsonNode value = row.path(name);
              values.put(
                  name,
                  value.isNull()
                      ? null
                      : type.contains("Float")
                          ? (Object) value.asDouble()
                          : type.contains("Int") ? (Object) value.asLong() : value.asText());
            });
        rows.add(values);
      }
      return rows;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aContextWrittenEarlierIsFoundAfterTheNodeForgotIt() throws Exception {
    UUID contextId = RowIds.next(NOW.toEpochMilli());
    store.append(List.of(beacon("s9", 1, true, contextId, NOW)));
    store.forgetContexts();

    store.append(List.of(beacon("s9", 2, false, contextId, NOW)));

    assertThat(query("SELECT count() AS n, uniqExact(city) AS c FROM events WHERE city = 'London'"))
        .containsExactly(Map.of("n", 3L, "c", 1L));
  }

  @Test
  void migrationsAreAppliedOnceAndRecorded() throws Exception {
    String other = ClickHouseServer.get().newDatabase();
    try (ClickHouseEventStore first = ClickHouseEventStore.open(other);
        ClickHouseEventStore second = ClickHouseEventStore.open(other)) {
      first.append(List.of(beacon("m1", 1, true)));
      assertThat(second.countEvents()).isEqualTo(1);
      assertThat(
              second
                  .clickHouse()
                  .rows("SELECT version, description FROM schema_migrations ORDER BY version"))
          .extracting(row -> row.path("version").asInt() + " " + row.path("description").asText())
          .containsExactly(
              "1 raw events and session contexts", "2 per-session states and all-time plays");
    }
  }

  @Test
  void retentionRemovesOldSessionsButTheirPlaysStayCountedAllTime() throws Exception {
    Instant old = NOW.minus(Duration.ofDays(40));
    UUID oldContext = RowIds.next(old.toEpochMilli());
    UUID newContext = RowIds.next(NOW.toEpochMilli());
    store.append(
        List.of(
            beacon("old", 2, true, oldContext, null, old),
            new StoredBeacon(null, List.of(play("old", oldContext, old))),
            beacon("new", 1, true, newContext, null, NOW),
            new StoredBeacon(null, List.of(play("new", newContext, NOW)))));
    ClickHouseAnalytics analytics = new ClickHouseAnalytics(store.clickHouse());
    Scope all =
        new Scope(
            "acme", "production", NOW.minus(Duration.ofDays(60)), NOW.plusSeconds(1), Filters.NONE);
    assertThat(analytics.count(all, "play")).isEqualTo(2);

    assertThat(store.deleteBefore("acme", "production", NOW.minus(Duration.ofDays(30))))
        .isEqualTo(3);

    assertThat(analytics.count(all, "play")).isEqualTo(1);
    assertThat(analytics.playTotals("acme", "production", Filters.NONE)).containsEntry("m1", 2L);
    assertThat(store.countEvents()).isEqualTo(2);
  }

  private static EventRow play(String session, UUID context, Instant at) {
    return new EventRow(
        "acme",
        "production",
        "m1",
        session,
        context,
        "play",
        null,
        at,
        at,
        0.0,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void anAddressIsTakenApartWithItsDefaultsAndNeverShowsThePassword() {
    ClickHouse.Location tls =
        ClickHouse.Location.parse("clickhouses://ops:s%40cret@ch.internal/events");
    assertThat(tls.port()).isEqualTo(8443);
    assertThat(tls.password()).isEqualTo("s@cret");
    assertThat(tls.display()).isEqualTo("clickhouses://ops@ch.internal:8443/events");
    assertThat(ClickHouse.Location.parse("clickhouse://ch.internal/events?secure=true").secure())
        .isTrue();
    assertThat(ClickHouse.Location.parse("clickhouse://ch.internal/events").port()).isEqualTo(8123);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ClickHouse.Location.parse("http://ch.internal/events"))
        .hasMessageContaining("starts with clickhouse://");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ClickHouse.Location.parse("clickhouse://ch.internal:8123"))
        .hasMessageContaining("/DATABASE");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ClickHouse.Location.parse("clickhouse://ch.internal/events;DROP"))
        .hasMessageContaining("letters, digits and _");
  }
}
