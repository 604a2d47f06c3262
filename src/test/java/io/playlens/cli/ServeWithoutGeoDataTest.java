package io.playlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeWithoutGeoDataTest {
  @Test
  void theServerStartsAndSaysOnceWhatIsMissing(@TempDir Path dataDir) throws Exception {
    List<String> lines;
    try (TestServer.ServeProcess server =
        TestServer.serve(
            List.of(),
            "serve",
            "--data",
            dataDir.toString(),
            "--port",
            "0",
            "--geo-dir",
            dataDir.resolve("no-geo").toString())) {
      lines = server.startup();
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
