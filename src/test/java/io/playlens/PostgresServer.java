package io.playlens;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster under a temp dir,
 * listening on 127.0.0.1 only, started once per test JVM and stopped (and deleted) when it exits.
 * Each test gets a database of its own from {@link #newDatabase()}.
 */
public final class PostgresServer {
  private static PostgresServer shared;

  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asRoot;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path dir, Path bin, int port, boolean asRoot) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asRoot = asRoot;
  }

  /** The server of this JVM, started on first use. */
  public static synchronized PostgresServer get() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
    }
    return shared;
  }

  public int port() {
    return port;
  }

  /** A new empty database; returns its {@code postgresql://} address. */
  public String newDatabase() {
    String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "playlens", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
    }
    return "postgresql://playlens@127.0.0.1:" + port + "/" + name;
  }

  private static PostgresServer start() {
    Path bin = binaries();
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    try {
      Path dir = Files.createTempDirectory("playlens-pg-");
      Path data = dir.resolve("data");
      if (asRoot) {
        // PostgreSQL refuses to run as root: the cluster belongs to Debian's postgres user.
        run(List.of("chown", "postgres:postgres", dir.toString()), false, Path.of("/"));
      }
      run(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              "playlens",
              "-A",
              "trust",
              "-E",
              "UTF8",
              "--no-locale"),
          asRoot,
          dir);
      int port = ServerProcess.freePort();
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "30",
              "-o",
              "-p "
                  + port
                  + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                  + dir
                  + " -c fsync=off -c max_connections=200",
              "start"),
          asRoot,
          dir);
      return new PostgresServer(dir, bin, port, asRoot);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start PostgreSQL for the tests: " + e, e);
    }
  }

  private void stop() {
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          asRoot,
          dir);
    } catch (RuntimeException e) {
      System.err.println("stopping the test PostgreSQL failed: " + e.getMessage());
    }
    deleteTree(dir);
  }

  /** Debian's newest installed PostgreSQL; a clear failure when there is none. */
  private static Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparingInt(
                  b -> Integer.parseInt(b.getParent().getFileName().toString())))
          .orElseThrow();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run"
              + " `apt-get install postgresql` (bash .ci/run does)",
          e);
    }
  }

  private static void run(List<String> command, boolean asPostgres, Path dir) {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Process process =
          new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        String log = "";
        Path serverLog = dir.resolve("server.log");
        if (Files.exists(serverLog)) {
          log = "\nserver.log:\n" + Files.readString(serverLog);
        }
        throw new IllegalStateException(String.join(" ", full) + " failed:\n" + output + log);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", full) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e.getMessage());
    }
  }
}
