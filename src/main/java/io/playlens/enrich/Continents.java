package io.playlens.enrich;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Country to continent, for geo databases (DB-IP Lite) whose records carry no continent. Codes
 * follow api.video, which reports Oceania as {@code AZ}.
 */
public final class Continents {
  private static final Map<String, String> BY_COUNTRY = load();

  private Continents() {}

  public static String ofCountry(String countryCode) {
    return countryCode == null ? null : BY_COUNTRY.get(countryCode);
  }

  /** GeoLite2 names Oceania {@code OC}; api.video's name for it is {@code AZ}. */
  public static String fromGeoNames(String code) {
    return "OC".equals(code) ? "AZ" : code;
  }

  private static Map<String, String> load() {
    Map<String, String> map = new HashMap<>();
    try (InputStream in = Continents.class.getResourceAsStream("continents.txt");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.trim().split("\\s+");
        for (int i = 1; i < parts.length; i++) {
          map.put(parts[i], parts[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read continents.txt", e);
    }
    return Map.copyOf(map);
  }
}
