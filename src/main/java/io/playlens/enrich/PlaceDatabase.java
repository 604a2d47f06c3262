package io.playlens.enrich;

import com.maxmind.db.Reader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Looks up an IP's place in MaxMind-format databases. Reads both record layouts in use: MaxMind's
 * nested GeoLite2/GeoIP2 City schema, and the flat DB-IP Lite one ({@code country_code, state1,
 * city, latitude, longitude}) that ships as separate IPv4 and IPv6 files.
 */
public final class PlaceDatabase implements Closeable {
  private final List<Reader> readers;

  private PlaceDatabase(List<Reader> readers) {
    this.readers = List.copyOf(readers);
  }

  /** Opens the given files (memory-mapped); each may cover IPv4, IPv6 or both. */
  public static PlaceDatabase open(List<Path> files) {
    try {
      List<Reader> readers = new java.util.ArrayList<>();
      for (Path file : files) {
        readers.add(new Reader(file.toFile()));
      }
      return new PlaceDatabase(readers);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open geo database " + files, e);
    }
  }

  public Place lookup(InetAddress address) {
    boolean v4 = address instanceof Inet4Address;
    for (Reader reader : readers) {
      if (!v4 && reader.getMetadata().ipVersion() == 4) {
        continue;
      }
      Map<?, ?> record;
      try {
        record = reader.get(address, Map.class);
      } catch (IOException e) {
        throw new UncheckedIOException("geo lookup of " + address.getHostAddress(), e);
      }
      if (record != null) {
        return record.get("country") instanceof Map ? fromMaxMind(record) : fromDbIp(record);
      }
    }
    return Place.UNKNOWN;
  }

  private static Place fromMaxMind(Map<?, ?> record) {
    String country = text(child(record, "country"), "iso_code");
    Object subdivisions = record.get("subdivisions");
    String region = null;
    if (subdivisions instanceof List<?> list
        && !list.isEmpty()
        && list.get(0) instanceof Map<?, ?> first) {
      region = englishName(first);
    }
    Map<?, ?> location = child(record, "location");
    String continent = Continents.fromGeoNames(text(child(record, "continent"), "code"));
    return new Place(
        country,
        region,
        englishName(child(record, "city")),
        number(location, "latitude"),
        number(location, "longitude"),
        continent != null ? continent : Continents.ofCountry(country));
  }

  private static Place fromDbIp(Map<?, ?> record) {
    String country = text(record, "country_code");
    return new Place(
        country,
        text(record, "state1"),
        text(record, "city"),
        number(record, "latitude"),
        number(record, "longitude"),
        Continents.ofCountry(country));
  }

  private static Map<?, ?> child(Map<?, ?> map, String key) {
    return map != null && map.get(key) instanceof Map<?, ?> child ? child : null;
  }

  private static String englishName(Map<?, ?> map) {
    return text(child(map, "names"), "en");
  }

  private static String text(Map<?, ?> map, String key) {
    if (map == null) {
      return null;
    }
    Object value = map.get(key);
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  private static Double number(Map<?, ?> map, String key) {
    if (map == null) {
      return null;
    }
    return map.get(key) instanceof Number n ? n.doubleValue() : null;
  }

  @Override
  public void close() {
    for (Reader reader : readers) {
      try {
        reader.close();
      } catch (IOException e) {
        // Closing a memory-mapped reader only drops the mapping; nothing is lost if it fails.
      }
    }
  }
}
