package io.playlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.store.duckdb.DuckDbEventStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while clients send: every request either got its 202 (and is stored) or was never stored,
 * so a client retrying what failed cannot store it twice.
 */
class GracefulShutdownTest {
  @TempDir Path dataDir;

  @Test
  void aRequestThatGotNoAnswerIsNotStoredAfterACleanStop() throws Exception {
    TestServer.seed(dataDir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server =
        TestServer.cli("serve", "--data", dataDir.toString(), "--port", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("server.log").toFile())
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI collect = URI.create("http://127.0.0.1:" + port + "/v1/collect");
    waitForHealth(http, port, server);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Set<String> unanswered = ConcurrentHashMap.newKeySet();
    AtomicBoolean sending = new AtomicBoolean(true);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < 16; c++) {
        clients.submit(
            () -> {
              while (sending.get()) {
                String session = UUID.randomUUID().toString();
                String body =
                    """
                    {"key":"%s","session":"%s","media":{"id":"m1"},"events":[{"type":"play"}]}"""
                        .formatted(TestServer.KEY, session);
                try {
                  HttpResponse<String> response =
                      http.send(
                          HttpRequest.newBuilder(collect)
                              .header("User-Agent", TestServer.BROWSER)
                              .POST(HttpRequest.BodyPublishers.ofString(body))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  (response.statusCode() == 202 ? acknowledged : unanswered).add(session);
                } catch (IOException e) {
                  unanswered.add(session);
                  if (!server.isAlive()) {
                    return null;
                  }
                }
              }
              return null;
            });
      }
      Thread.sleep(1500);
      long stopping = System.nanoTime();
      server.destroy(); // SIGTERM
      assertThat(server.waitFor(40, TimeUnit.SECONDS)).isTrue();
      System.out.printf(
          "clean stop took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
      sending.set(false);
    }

    Set<String> stored = new HashSet<>();
    try (DuckDbEventStore store = DuckDbEventStore.open(dataDir, 1, "256MB");
        Connection connection = store.readConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT DISTINCT session_id FROM event_details")) {
      while (rows.next()) {
        stored.add(rows.getString(1));
      }
    }
    assertThat(acknowledged).isNotEmpty();
    assertThat(stored).containsAll(acknowledged);
    assertThat(unanswered)
        .as("sessions that got no 202 but were stored")
        .doesNotContainAnyElementsOf(stored);
  }

  private static void waitForHealth(HttpClient http, int port, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server running").isTrue();
      try {
        HttpRequest health =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build();
        if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server not healthy within 60 s");
  }
}
