package io.playlens.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerConfigTest {
  @Test
  void defaultsAreThoseTheReadmePromises() {
    ServerConfig config = ServerConfig.defaults(Path.of("data"));

    assertThat(config.bind()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.geoDir()).isEqualTo(Path.of("data", "geo"));
    assertThat(config.trustedProxies()).isEmpty();
    assertThat(config.anonymiseIp()).isFalse();
    assertThat(config.queueCapacity()).isEqualTo(200_000);
    assertThat(config.maxBatchEvents()).isEqualTo(50_000);
    assertThat(config.committers()).isEqualTo(2);
    assertThat(config.storeThreads()).isEqualTo(1);
    assertThat(config.storeMemory()).isEqualTo("2GB");
    assertThat(config.readsPerMinuteProduction()).isEqualTo(500);
    assertThat(config.readsPerMinuteSandbox()).isEqualTo(100);
    assertThat(config.authFailuresPerMinute()).isEqualTo(20);
  }

  @Test
  void serveHelpDocumentsEveryOptionAndItsEnvironmentVariable() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));

    int exit = cli.execute("serve", "--help");

    assertThat(exit).isZero();
    for (String expected :
        List.of(
            "--data",
            "PLAYLENS_DATA",
            "--port",
            "PLAYLENS_PORT",
            "--bind",
            "PLAYLENS_BIND",
            "--trusted-proxy",
            "--anonymize-ip",
            "--queue-capacity",
            "--rate-limit-production",
            "PLAYLENS_RATE_LIMIT_PRODUCTION",
            "--rate-limit-sandbox",
            "--auth-failures-per-minute")) {
      assertThat(out.toString()).contains(expected);
    }
  }
}
