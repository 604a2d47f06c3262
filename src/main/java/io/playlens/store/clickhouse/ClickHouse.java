package io.playlens.store.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.store.Migration;
import io.playlens.store.ServiceAddress;
import io.playlens.store.StoreException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ClickHouse database through the official Java client (client-v2), in the subset of it that
 * works against every ClickHouse from Debian's 18.16 to current: statements, inserts and queries in
 * {@code JSONEachRow} (every query ends with an explicit {@code FORMAT JSONEachRow}, and responses
 * are not compressed: with compression 18.16's answers arrive empty). 18.16 has no query
 * parameters, so values go into the SQL as literals made by {@link #quote} and {@link #micros}.
 */
public final class ClickHouse implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouse.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 120;

  private final Client client;
  private final Location location;

  private ClickHouse(Client client, Location location) {
    this.client = client;
    this.location = location;
  }

  /**
   * Connects to {@code clickhouse://[user[:password]@]host[:port]/database} (HTTP, port 8123 by
   * default; {@code clickhouses://} or {@code ?secure=true} for HTTPS, port 8443), creating the
   * database when it does not exist. The password may also come from {@code
   * PLAYLENS_STORE_PASSWORD}.
   */
  public static ClickHouse connect(String url) throws StoreException {
    Location location = Location.parse(url);
    String password =
        location.password() != null
            ? location.password()
            : System.getenv("PLAYLENS_STORE_PASSWORD");
    Client admin = client(location, password, null);
    try {
      if (!admin.ping(5_000)) {
        throw new StoreException(
            "cannot reach ClickHouse at " + location.display() + " (no answer to ping)", null);
      }
      admin
          .execute("CREATE DATABASE IF NOT EXISTS " + identifier(location.database()))
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .close();
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new StoreException(
          "cannot reach ClickHouse at " + location.display() + ": " + cause.getMessage(), cause);
    } finally {
      admin.close();
    }
    ClickHouse clickHouse =
        new ClickHouse(client(location, password, location.database()), location);
    return clickHouse;
  }

  private static Client client(Location location, String password, String database) {
    Client.Builder builder =
        new Client.Builder()
            .addEndpoint(location.endpoint())
            .setUsername(location.user() == null ? "default" : location.user())
            .setPassword(password == null ? "" : password)
            .compressServerResponse(false)
            .compressClientRequest(false)
            .setMaxConnections(32)
            .setConnectTimeout(5, java.time.temporal.ChronoUnit.SECONDS)
            .setSocketTimeout(TIMEOUT_SECONDS, java.time.temporal.ChronoUnit.SECONDS)
            // 64-bit numbers as JSON numbers, not strings
            .serverSetting("output_format_json_quote_64bit_integers", "0")
            // the server gives up on a query before this client stops waiting for it
            .serverSetting("max_execution_time", Long.toString(TIMEOUT_SECONDS - 10));
    if (database != null) {
      // as the URL parameter 18.16 reads (it ignores the client's database header)
      builder.setDefaultDatabase(database).serverSetting("database", database);
    }
    return builder.build();
  }

  /** Where it is, without the password. */
  public String location() {
    return location.display();
  }

  /** Runs a statement that returns no rows (DDL, ALTER ... DELETE, INSERT ... SELECT). */
  public void execute(String sql) throws StoreException {
    try {
      client.execute(sql).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).close();
    } catch (Exception e) {
      throw failure("running " + abbreviated(sql), e);
    }
  }

  /** Inserts rows given as {@code JSONEachRow} (one JSON object per line) into a table. */
  public void insert(String table, byte[] jsonLines) throws StoreException {
    var settings = new com.clickhouse.client.api.insert.InsertSettings();
    settings.serverSetting("input_format_skip_unknown_fields", "1");
    try (InsertResponse response =
        client
            .insert(
                table, new ByteArrayInputStream(jsonLines), ClickHouseFormat.JSONEachRow, settings)
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      LOG.trace("inserted {} rows into {}", response.getWrittenRows(), table);
    } catch (Exception e) {
      throw failure("inserting into " + table, e);
    }
  }

  /** Receives the rows of a query one by one. */
  @FunctionalInterface
  public interface RowSink {
    void accept(JsonNode row) throws IOException;
  }

  /** The rows of a query (without a FORMAT clause: this adds {@code FORMAT JSONEachRow}). */
  public List<JsonNode> rows(String sql) throws StoreException {
    List<JsonNode> rows = new ArrayList<>();
    try {
      stream(sql, rows::add);
    } catch (IOException e) {
      throw new StoreException("reading rows failed: " + e.getMessage(), e);
    }
    return rows;
  }

  /** Streams a query's rows to {@code sink} without holding them all. */
  public void stream(String sql, RowSink sink) throws StoreException, IOException {
    var settings = new com.clickhouse.client.api.query.QuerySettings();
    settings.setFormat(ClickHouseFormat.JSONEachRow);
    QueryResponse response;
    try {
      response =
          client
              .query(sql + " FORMAT JSONEachRow", settings)
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw failure("querying " + abbreviated(sql), e);
    }
    try (response;
        InputStream in = response.getInputStream();
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("Code: ")) {
          // an error after the first rows: ClickHouse writes it into the body
          throw new StoreException("ClickHouse failed mid-answer: " + line, null);
        }
        sink.accept(JSON.readTree(line));
      }
    } catch (StoreException e) {
      throw e;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw failure("reading " + abbreviated(sql), e);
    }
  }

  /** Applies the migrations not applied yet, recording each in {@code schema_migrations}. */
  public int migrate(List<Migration> migrations) throws StoreException {
    execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, description String,"
            + " applied_at Int64) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version");
    int current = 0;
    for (JsonNode row : rows("SELECT max(version) AS v FROM schema_migrations FINAL")) {
      current = row.path("v").asInt();
    }
    for (Migration migration : migrations) {
      if (migration.version() <= current) {
        continue;
      }
      // Statements are idempotent (IF NOT EXISTS): nodes starting together may both run them.
      for (String sql : statements(migration.resource())) {
        execute(sql);
      }
      execute(
          "INSERT INTO schema_migrations SELECT "
              + migration.version()
              + ", "
              + quote(migration.description())
              + ", "
              + micros(Instant.now())
              + " WHERE (SELECT count() FROM schema_migrations WHERE version = "
              + migration.version()
              + ") = 0");
      current = migration.version();
      LOG.info("Applied ClickHouse migration {}: {}", migration.version(), migration.description());
    }
    return current;
  }

  private static List<String> statements(String resource) {
    try (InputStream in = ClickHouse.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + resource);
      }
      String code =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(line -> !line.strip().startsWith("--"))
              .collect(Collectors.joining("\n"));
      return Arrays.stream(code.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** A string literal: quoted, with backslashes and quotes escaped. */
  public static String quote(String value) {
    if (value == null) {
      return "NULL";
    }
    StringBuilder literal = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> literal.append("\\\\");
        case '\'' -> literal.append("\\'");
        case '\n' -> literal.append("\\n");
        case '\r' -> literal.append("\\r");
        case '\t' -> literal.append("\\t");
        case '\0' -> literal.append("\\0");
        default -> literal.append(c);
      }
    }
    return literal.append('\'').toString();
  }

  /** A text field of an answer row; null when absent or NULL. */
  public static String text(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** A number field of an answer row; null when absent or NULL. */
  public static Double number(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || value.isNull() ? null : value.asDouble();
  }

  /** A time as its epoch microseconds, the form every time column holds. */
  public static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /** The instant of epoch microseconds. */
  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }

  static String identifier(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "a ClickHouse database name is letters, digits and _ (got '" + name + "')");
    }
    return name;
  }

  private static String abbreviated(String sql) {
    String flat = sql.replaceAll("\\s+", " ");
    return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
  }

  private StoreException failure(String what, Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    String message =
        e instanceof TimeoutException
            ? "no answer within " + TIMEOUT_SECONDS + " s"
            : String.valueOf(cause.getMessage());
    return new StoreException(
        "ClickHouse at " + location.display() + ": " + what + " failed: " + message, cause);
  }

  @Override
  public void close() {
    client.close();
  }

  /** A {@code clickhouse://} address taken apart. */
  public record Location(
      String host, int port, boolean secure, String database, String user, String password) {
    public static Location parse(String url) {
      ServiceAddress address =
          ServiceAddress.parse(url, "ClickHouse", 8123, "clickhouse", "clickhouses");
      boolean secure =
          address.scheme().equals("clickhouses")
              || (address.query() != null
                  && address.query().matches("(.*&)?secure=(true|1)(&.*)?"));
      identifier(address.database());
      int port = address.port() >= 0 ? address.port() : secure ? 8443 : 8123;
      return new Location(
          address.host(), port, secure, address.database(), address.user(), address.password());
    }

    String endpoint() {
      return (secure ? "https://" : "http://") + host + ":" + port + "/";
    }

    public String display() {
      return ServiceAddress.display(
          secure ? "clickhouses" : "clickhouse", user, host, port, database);
    }
  }
}
