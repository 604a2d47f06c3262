package io.playlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.playlens.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerOptionsTest {
  private static ServerConfig parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options.toConfig();
  }

  @Test
  void withoutFlagsServeRunsOnTheDocumentedDefaults() {
    // The defaults are only defaults where no PLAYLENS_* variable overrides them.
    assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("PLAYLENS_")));

    assertThat(parse()).isEqualTo(ServerConfig.defaults(Path.of("./data")));
  }

  @Test
  void everyFlagReachesTheConfig() {
    ServerConfig config =
        parse(
            "--data",
            "/srv/playlens",
            "--port",
            "9090",
            "--bind",
            "0.0.0.0",
            "--geo-dir",
            "/srv/geo",
            "--trusted-proxy",
            "10.0.0.0/8,::1",
            "--trusted-proxy",
            "192.168.0.1",
            "--anonymize-ip",
            "--queue-capacity",
            "5000",
            "--committers",
            "3",
            "--store-memory",
            "1GB",
            "--store-threads",
            "2",
            "--rate-limit-production",
            "1000",
            "--rate-limit-sandbox",
            "50",
            "--auth-failures-per-minute",
            "5");

    assertThat(config)
        .isEqualTo(
            ServerConfig.builder(Path.of("/srv/playlens"))
                .port(9090)
                .bind("0.0.0.0")
                .geoDir(Path.of("/srv/geo"))
                .trustedProxies(List.of("10.0.0.0/8", "::1", "192.168.0.1"))
                .anonymiseIp(true)
                .queueCapacity(5000)
                .committers(3)
                .storeMemory("1GB")
                .storeThreads(2)
                .readsPerMinute(1000, 50)
                .authFailuresPerMinute(5)
                .build());
  }
}
