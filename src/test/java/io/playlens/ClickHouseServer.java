package io.playlens;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway ClickHouse server for the tests: Debian's binary with a copy of its configuration
 * pointed at a temp dir, listening on 127.0.0.1 only, started once per test JVM and stopped (and
 * deleted) when it exits. Each test gets a database of its own from {@link #newDatabase()}.
 */
public final class ClickHouseServer {
  private static final Path BINARY = Path.of("/usr/sbin/clickhouse-server");
  private static ClickHouseServer shared;

  private final Path dir;
  private final Process process;
  private final int httpPort;
  private final AtomicInteger databases = new AtomicInteger();

  private ClickHouseServer(Path dir, Process process, int httpPort) {
    this.dir = dir;
    this.process = process;
    this.httpPort = httpPort;
  }

  /**
   * The server of this JVM, started on first use; with {@code -Dplaylens.test.clickhouse.port=N}
   * one already listening on 127.0.0.1:N instead (another ClickHouse version, see
   * scripts/clickhouse-current.sh).
   */
  public static synchronized ClickHouseServer get() {
    if (shared == null) {
      String external = System.getProperty("playlens.test.clickhouse.port");
      if (external != null) {
        shared = new ClickHouseServer(null, null, Integer.parseInt(external));
        return shared;
      }
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "clickhouse-stop"));
    }
    return shared;
  }

  /** A {@code clickhouse://} address of a database no other test uses (created on connect). */
  public String newDatabase() {
    return "clickhouse://127.0.0.1:"
        + httpPort
        + "/t"
        + ProcessHandle.current().pid()
        + "_"
        + databases.incrementAndGet();
  }

  public int httpPort() {
    return httpPort;
  }

  /**
   * Runs {@code sql} in the database of a {@link #newDatabase()} address over ClickHouse's own HTTP
   * interface (not Playlens' client) and returns the answer's body; fails on any status but 200.
   */
  public String sql(String url, String sql) {
    String database = url.substring(url.lastIndexOf('/') + 1);
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + httpPort + "/?database=" + database))
                      .POST(HttpRequest.BodyPublishers.ofString(sql))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(sql + ": " + response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ClickHouseServer start() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          "ClickHouse is not installed (no "
              + BINARY
              + "): run `apt-get install clickhouse-server clickhouse-client` (bash .ci/run does)");
    }
    try {
      Path dir = Files.createTempDirectory("playlens-ch-");
      int http = ServerProcess.freePort();
      int tcp = ServerProcess.freePort();
      String config = Files.readString(Path.of("/etc/clickhouse-server/config.xml"));
      config =
          config
              .replaceAll("<log>[^<]*</log>", "<log>" + dir + "/server.log</log>")
              .replaceAll(
                  "<errorlog>[^<]*</errorlog>", "<errorlog>" + dir + "/error.log</errorlog>")
              .replaceAll("<level>[^<]*</level>", "<level>warning</level>")
              .replaceAll("<interserver_http_port>[^<]*</interserver_http_port>", "")
              .replaceAll("\\s*<listen_host>[^<]*</listen_host>", "")
              .replaceAll(
                  "<http_port>[^<]*</http_port>",
                  "<http_port>" + http + "</http_port><listen_host>127.0.0.1</listen_host>")
              .replaceAll("<tcp_port>[^<]*</tcp_port>", "<tcp_port>" + tcp + "</tcp_port>")
              .replaceAll("<https_port>[^<]*</https_port>", "")
              .replaceAll("<tcp_port_secure>[^<]*</tcp_port_secure>", "")
              .replaceAll("<mysql_port>[^<]*</mysql_port>", "")
              .replaceAll("<path>/var/lib/clickhouse/</path>", "<path>" + dir + "/data/</path>")
              .replaceAll("<tmp_path>[^<]*</tmp_path>", "<tmp_path>" + dir + "/tmp/</tmp_path>")
              .replaceAll(
                  "<user_files_path>[^<]*</user_files_path>",
                  "<user_files_path>" + dir + "/user_files/</user_files_path>")
              .replaceAll(
                  "<format_schema_path>[^<]*</format_schema_path>",
                  "<format_schema_path>" + dir + "/format_schemas/</format_schema_path>")
              .replaceAll(
                  "<users_config>[^<]*</users_config>",
                  "<users_config>" + dir + "/users.xml</users_config>");
      Files.writeString(dir.resolve("config.xml"), config);
      String users =
          Files.readString(Path.of("/etc/clickhouse-server/users.xml"))
              .replace("<ip>::/0</ip>", "<ip>127.0.0.1</ip>");
      Files.writeString(dir.resolve("users.xml"), users);
      Process process =
          new ProcessBuilder(BINARY.toString(), "--config-file=" + dir.resolve("config.xml"))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      ClickHouseServer server = new ClickHouseServer(dir, process, http);
      server.awaitPing();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start ClickHouse for the tests: " + e, e);
    }
  }

  private void awaitPing() throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "ClickHouse exited at start:\n" + Files.readString(dir.resolve("stdout.log")));
      }
      try {
        HttpResponse<String> ping =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ping"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (ping.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("ClickHouse did not answer /ping within 30 s");
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
    }
    PostgresServer.deleteTree(dir);
  }
}
