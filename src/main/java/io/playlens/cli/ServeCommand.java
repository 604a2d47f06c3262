package io.playlens.cli;

import io.playlens.enrich.UserAgents;
import io.playlens.server.PlaylensServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code playlens serve}: runs the server until stopped (SIGTERM / Ctrl-C drain and commit). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the Playlens server on the embedded DuckDB store.")
public final class ServeCommand implements Callable<Integer> {
  @Mixin ServerOptions options;

  @Override
  public Integer call() throws Exception {
    PlaylensServer server = PlaylensServer.start(options.toConfig(), new UserAgents());
    runUntilStopped(server);
    return 0;
  }

  static void runUntilStopped(PlaylensServer server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "playlens-shutdown"));
    stopped.await();
  }
}
