package io.playlens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code playlens serve} as a separate process on a free port, its output in a log file: for tests
 * that kill it, stop it with a signal, or read what it logged.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts on {@code port} (0: a free one) and waits until {@code /healthz} answers 200. */
  public static ServerProcess start(Path dataDir, int port, String... extraArgs) throws Exception {
    return start(dataDir, port, List.of(), extraArgs);
  }

  /** As {@link #start(Path, int, String...)}, with extra JVM options. */
  public static ServerProcess start(
      Path dataDir, int port, List<String> jvmOptions, String... extraArgs) throws Exception {
    int chosen = port == 0 ? freePort() : port;
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--data",
                dataDir.toString(),
                "--port",
                Integer.toString(chosen),
                "--store-memory",
                "256MB"));
    args.addAll(List.of(extraArgs));
    Path log = dataDir.resolve("server-" + System.nanoTime() + ".log");
    Process process =
        TestServer.cli(jvmOptions, args.toArray(String[]::new))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ServerProcess server = new ServerProcess(process, chosen, log);
    server.awaitHealthy(Duration.ofSeconds(60));
    return server;
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(uri("/healthz")).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("server not healthy within " + timeout + ":\n" + log());
      }
      Thread.sleep(20);
    }
  }

  public int port() {
    return port;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public Process process() {
    return process;
  }

  /** Everything the server wrote to stdout and stderr so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGTERM, as an operator stops it, and waits for the exit. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not stop within 30 s of SIGTERM");
    }
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
