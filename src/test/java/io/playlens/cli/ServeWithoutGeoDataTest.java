package io.playlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeWithoutGeoDataTest {
  @Test
  void theServerStartsAndSaysOnceWhatIsMissing(@TempDir Path dataDir) throws Exception {
    Process server =
        TestServer.cli(
                "serve",
                "--data",
                dataDir.toString(),
                "--port",
                "0",
                "--geo-dir",
                dataDir.resolve("no-geo").toString())
            .redirectErrorStream(true)
            .start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader output =
        new BufferedReader(
            new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = output.readLine()) != null) {
        lines.add(line);
        if (line.contains("Playlens listening on")) {
          break;
        }
      }
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }

    assertThat(lines)
        .anyMatch(line -> line.contains("Playlens listening on") && line.contains("geo: none"));
    assertThat(lines.stream().filter(line -> line.contains("WARN")))
        .singleElement()
        .asString()
        .contains("Incomplete geo data")
        .contains(
            "country, region, city, coordinates and continent and organisation will stay empty")
        .contains("playlens geo install");
  }
}
