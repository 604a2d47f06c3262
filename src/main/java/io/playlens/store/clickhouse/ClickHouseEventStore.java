package io.playlens.store.clickhouse;

import static io.playlens.store.clickhouse.ClickHouse.micros;
import static io.playlens.store.clickhouse.ClickHouse.number;
import static io.playlens.store.clickhouse.ClickHouse.quote;
import static io.playlens.store.clickhouse.ClickHouse.text;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.playlens.store.ContextRow;
import io.playlens.store.EventRow;
import io.playlens.store.EventStore;
import io.playlens.store.Migration;
import io.playlens.store.SessionContext;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event store on ClickHouse, shared by any number of Playlens nodes. Each append is one insert
 * of the batch's events (with their context, denormalized); the materialized views of the schema
 * fold every insert into the per-session aggregate states and the all-time play counts as part of
 * the same insert, so there is nothing left to seal and every node reads every node's events as
 * soon as the insert returns.
 */
public final class ClickHouseEventStore implements EventStore {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseEventStore.class);
  private static final JsonFactory JSON = new JsonFactory();

  static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(1, "raw events and session contexts", "db/clickhouse/V001__events.sql"),
          new Migration(
              2, "per-session states and all-time plays", "db/clickhouse/V002__sessions.sql"));

  /** Contexts this node wrote or read lately; older ones are read back from {@code contexts}. */
  private static final int REMEMBERED_CONTEXTS = 100_000;

  /**
   * Ids per statement that lists them (context lookups, retention deletes): well inside
   * ClickHouse's 256 KiB limit on a query's text, with ids of up to 64 characters.
   */
  private static final int IDS_PER_STATEMENT = 2_000;

  /** Sessions one retention run deletes at most; the next run goes on from there. */
  private static final int SESSIONS_PER_RUN = 20_000;

  private final ClickHouse clickHouse;
  private final String node;
  private final Map<UUID, SessionContext> contexts =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, SessionContext> eldest) {
          return size() > REMEMBERED_CONTEXTS;
        }
      };

  private ClickHouseEventStore(ClickHouse clickHouse, String node) {
    this.clickHouse = clickHouse;
    this.node = node;
  }

  /** Connects to {@code clickhouse://...} and migrates the database. */
  public static ClickHouseEventStore open(String url) throws StoreException {
    ClickHouse clickHouse = ClickHouse.connect(url);
    try {
      clickHouse.migrate(MIGRATIONS);
    } catch (StoreException | RuntimeException e) {
      clickHouse.close();
      throw e;
    }
    return new ClickHouseEventStore(clickHouse, UUID.randomUUID().toString());
  }

  /** The database, for the query layer. */
  public ClickHouse clickHouse() {
    return clickHouse;
  }

  @Override
  public void append(List<StoredBeacon> beacons) throws StoreException {
    // Everything is converted before anything is sent: a value ClickHouse cannot hold fails the
    // whole batch here, with nothing written.
    Map<UUID, ContextRow> fresh = new LinkedHashMap<>();
    Set<UUID> wanted = new LinkedHashSet<>();
    for (StoredBeacon beacon : beacons) {
      if (beacon.newContext() != null) {
        fresh.put(beacon.newContext().contextId(), beacon.newContext());
      }
      for (EventRow event : beacon.events()) {
        wanted.add(event.contextId());
      }
    }
    Map<UUID, SessionContext> known = resolve(wanted, fresh);
    byte[] contextLines;
    byte[] eventLines;
    try {
      contextLines = contextLines(fresh.values());
      eventLines = eventLines(beacons, known);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw new StoreException("a time the store cannot hold: " + e.getMessage(), e);
    }
    // The context rows first: they only serve later lookups (the events carry their context), so
    // a failure there is logged, not thrown, and can never make a retry store the events twice.
    if (!fresh.isEmpty()) {
      try {
        clickHouse.insert("contexts", contextLines);
      } catch (StoreException e) {
        LOG.warn(
            "storing {} session contexts failed; their events are kept: {}",
            fresh.size(),
            e.getMessage());
      }
    }
    if (eventLines.length > 0) {
      clickHouse.insert("events", eventLines);
    }
    synchronized (contexts) {
      fresh.forEach((id, row) -> contexts.put(id, row.context()));
    }
  }

  /** The contexts of the events: new in this batch, remembered, or read back. */
  private Map<UUID, SessionContext> resolve(Set<UUID> wanted, Map<UUID, ContextRow> fresh)
      throws StoreException {
    Map<UUID, SessionContext> known = new HashMap<>();
    List<UUID> missing = new ArrayList<>();
    synchronized (contexts) {
      for (UUID id : wanted) {
        ContextRow row = fresh.get(id);
        SessionContext context = row != null ? row.context() : contexts.get(id);
        if (context != null) {
          known.put(id, context);
        } else {
          missing.add(id);
        }
      }
    }
    if (missing.isEmpty()) {
      return known;
    }
    for (int i = 0; i < missing.size(); i += IDS_PER_STATEMENT) {
      String ids =
          missing.subList(i, Math.min(missing.size(), i + IDS_PER_STATEMENT)).stream()
              .map(id -> quote(id.toString()))
              .collect(Collectors.joining(", "));
      for (JsonNode row :
          clickHouse.rows(
              "SELECT * FROM contexts WHERE context_id IN (" + ids + ") LIMIT 1 BY context_id")) {
        UUID id = UUID.fromString(row.path("context_id").asText());
        SessionContext context = context(row);
        known.put(id, context);
        synchronized (contexts) {
          contexts.put(id, context);
        }
      }
    }
    return known;
  }

  private static SessionContext context(JsonNode row) {
    List<String> tags = new ArrayList<>();
    row.path("media_tags").forEach(tag -> tags.add(tag.asText()));
    return new SessionContext(
        row.path("account").asText(),
        row.path("environment").asText(),
        row.path("session_id").asText(),
        text(row, "viewer_id"),
        row.path("media_id").asText(),
        number(row, "media_duration"),
        text(row, "media_type"),
        text(row, "media_title"),
        tags,
        text(row, "page_url"),
        text(row, "referrer"),
        text(row, "email"),
        text(row, "ip"),
        text(row, "country"),
        text(row, "region"),
        text(row, "city"),
        number(row, "latitude"),
        number(row, "longitude"),
        text(row, "continent"),
        text(row, "organisation"),
        text(row, "device_type"),
        text(row, "os"),
        text(row, "os_version"),
        text(row, "browser"),
        text(row, "browser_version"),
        text(row, "user_agent"));
  }

  private static byte[] contextLines(Iterable<ContextRow> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      for (ContextRow row : rows) {
        SessionContext context = row.context();
        json.writeStartObject();
        json.writeStringField("context_id", row.contextId().toString());
        json.writeStringField("account", context.account());
        json.writeStringField("environment", context.environment());
        json.writeStringField("session_id", context.sessionId());
        json.writeStringField("media_id", context.mediaId());
        json.writeNumberField("received_at", micros(row.receivedAt()));
        contextFields(json, context);
        json.writeEndObject();
        json.writeRaw('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] eventLines(List<StoredBeacon> beacons, Map<UUID, SessionContext> known) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(beacons.size() * 1024);
    try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      for (StoredBeacon beacon : beacons) {
        for (EventRow event : beacon.events()) {
          SessionContext context = known.get(event.contextId());
          if (context == null) {
            // Kept with what the event itself says: never dropped for a context gone missing.
            LOG.warn(
                "no stored context {} for an event of session {}",
                event.contextId(),
                event.sessionId());
          }
          json.writeStartObject();
          json.writeStringField("account", event.account());
          json.writeStringField("environment", event.environment());
          json.writeStringField("media_id", event.mediaId());
          json.writeStringField("session_id", event.sessionId());
          json.writeStringField("context_id", event.contextId().toString());
          json.writeStringField("event_type", event.eventType());
          if (event.clientTime() != null) {
            json.writeNumberField("client_time", micros(event.clientTime()));
          }
          json.writeNumberField("event_time", micros(event.eventTime()));
          json.writeNumberField("received_at", micros(event.receivedAt()));
          optional(json, "position", event.position());
          optional(json, "from_position", event.fromPosition());
          optional(json, "to_position", event.toPosition());
          if (event.startupMs() != null) {
            json.writeNumberField("startup_ms", event.startupMs());
          }
          if (event.rebufferMs() != null) {
            json.writeNumberField("rebuffer_ms", event.rebufferMs());
          }
          optional(json, "error_code", event.errorCode());
          optional(json, "error_message", event.errorMessage());
          if (context != null) {
            contextFields(json, context);
          }
          json.writeEndObject();
          json.writeRaw('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void contextFields(JsonGenerator json, SessionContext context) throws IOException {
    optional(json, "viewer_id", context.viewerId());
    optional(json, "media_duration", context.mediaDuration());
    optional(json, "media_type", context.mediaType());
    optional(json, "media_title", context.mediaTitle());
    json.writeArrayFieldStart("media_tags");
    for (String tag : context.mediaTags()) {
      json.writeString(tag);
    }
    json.writeEndArray();
    optional(json, "page_url", context.pageUrl());
    optional(json, "referrer", context.referrer());
    optional(json, "email", context.email());
    optional(json, "ip", context.ip());
    optional(json, "country", context.country());
    optional(json, "region", context.region());
    optional(json, "city", context.city());
    optional(json, "latitude", context.latitude());
    optional(json, "longitude", context.longitude());
    optional(json, "continent", context.continent());
    optional(json, "organisation", context.organisation());
    optional(json, "device_type", context.deviceType());
    optional(json, "os", context.os());
    optional(json, "os_version", context.osVersion());
    optional(json, "browser", context.browser());
    optional(json, "browser_version", context.browserVersion());
    optional(json, "user_agent", context.userAgent());
  }

  private static void optional(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static void optional(JsonGenerator json, String field, Double value) throws IOException {
    if (value != null) {
      json.writeNumberField(field, value);
    }
  }

  /** Nothing to fold: the materialized views fold each insert as it happens. */
  @Override
  public long seal() {
    return 0;
  }

  @Override
  public void checkWritable() throws StoreException {
    clickHouse.insert(
        "store_probe",
        ("{\"node\":\"" + node + "\",\"checked_at\":" + micros(Instant.now()) + "}\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public long deleteBefore(String account, String environment, Instant before)
      throws StoreException {
    long end = micros(before);
    String scope = "account = " + quote(account) + " AND environment = " + quote(environment);
    long events =
        count("SELECT count() AS n FROM events WHERE " + scope + " AND event_time < " + end);
    // Sessions whose last event is before the cut-off go whole (their plays stay counted in
    // play_totals, which keeps no time); sessions that go on past it keep their states.
    List<String> expired = new ArrayList<>();
    for (JsonNode row :
        clickHouse.rows(
            "SELECT session_id FROM sessions WHERE "
                + scope
                + " GROUP BY session_id HAVING maxMerge(last_at_state) < "
                + end
                + " LIMIT "
                + SESSIONS_PER_RUN)) {
      expired.add(row.path("session_id").asText());
    }
    for (int i = 0; i < expired.size(); i += IDS_PER_STATEMENT) {
      String ids =
          expired.subList(i, Math.min(expired.size(), i + IDS_PER_STATEMENT)).stream()
              .map(ClickHouse::quote)
              .collect(Collectors.joining(", "));
      mutate("sessions", scope + " AND session_id IN (" + ids + ")");
    }
    if (events > 0) {
      mutate("events", scope + " AND event_time < " + end);
    }
    long contextEnd = micros(before.minus(CONTEXT_GRACE));
    mutate(
        "contexts",
        scope
            + " AND received_at < "
            + contextEnd
            + " AND context_id NOT IN (SELECT context_id FROM events WHERE "
            + scope
            + ")");
    return events;
  }

  /**
   * An {@code ALTER TABLE ... DELETE}, waited for (mutations run in the background): until no
   * mutation of the table created since this one started is unfinished, so an old mutation that
   * failed for good does not hold every later run up.
   */
  private void mutate(String table, String where) throws StoreException {
    long since = Instant.now().getEpochSecond() - 1;
    clickHouse.execute("ALTER TABLE " + table + " DELETE WHERE " + where);
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (count(
            "SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()"
                + " AND table = "
                + quote(table)
                + " AND is_done = 0 AND create_time >= toDateTime("
                + since
                + ")")
        > 0) {
      if (System.nanoTime() > deadline) {
        throw new StoreException(
            "deleting from " + table + " did not finish within 10 minutes", null);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while deleting from " + table, e);
      }
    }
  }

  private long count(String sql) throws StoreException {
    List<JsonNode> rows = clickHouse.rows(sql);
    return rows.isEmpty() ? 0 : rows.get(0).path("n").asLong();
  }

  @Override
  public long countEvents() throws StoreException {
    return count("SELECT count() AS n FROM events");
  }

  @Override
  public void close() {
    clickHouse.close();
  }

  /** For tests: drop a node's memory of contexts, as a restart would. */
  void forgetContexts() {
    synchronized (contexts) {
      contexts.clear();
    }
  }
}
