package io.playlens.cli;

import io.playlens.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code playlens serve} in a process of its own, started from this one's JDK and class path: a
 * benchmark's client then measures the server without sharing its JVM (threads, heap, garbage
 * collection) with it. The server's output goes to a log file, shown when it fails to start.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("Playlens listening on (http://[^ ]+:\\d+)");

  private final Process process;
  private final Path log;
  private final URI base;

  private ServerProcess(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  /**
   * Starts {@code serve} with {@code arguments} (which should include {@code --port 0}) and waits
   * up to {@code startup} for it to listen.
   */
  static ServerProcess start(List<String> arguments, Duration startup) throws IOException {
    Path log = Files.createTempFile("playlens-bench-server", ".log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("serve");
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread.ofVirtual().name("bench-server-output").start(() -> copyOutput(process, log, listening));
    try {
      URI base = listening.get(startup.toMillis(), TimeUnit.MILLISECONDS);
      return new ServerProcess(process, log, base);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(process, log, "was interrupted while starting");
    } catch (TimeoutException e) {
      throw failed(process, log, "did not start within " + startup.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw failed(process, log, "stopped while starting");
    }
  }

  /** Copies the server's output to its log, completing {@code listening} at its address line. */
  private static void copyOutput(Process process, Path log, CompletableFuture<URI> listening) {
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintStream out =
            new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        out.println(line);
        Matcher address = LISTENING.matcher(line);
        if (!listening.isDone() && address.find()) {
          listening.complete(URI.create(address.group(1)));
        }
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
      return;
    }
    listening.completeExceptionally(new IllegalStateException("the server's output ended"));
  }

  private static IOException failed(Process process, Path log, String what) {
    process.destroyForcibly();
    String output;
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      output = Files.readString(log);
      Files.deleteIfExists(log);
    } catch (IOException | InterruptedException e) {
      output = "(its output could not be read: " + e.getMessage() + ")";
    }
    return new IOException("the server process " + what + "; its output:\n" + output);
  }

  /** Where it listens, e.g. {@code http://127.0.0.1:40123}. */
  URI base() {
    return base;
  }

  /** Stops the server as a signal does (it closes its store cleanly) and waits for it. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
