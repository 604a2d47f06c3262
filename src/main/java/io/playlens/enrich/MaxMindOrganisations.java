package io.playlens.enrich;

import com.maxmind.db.Reader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

/** Organisations from a MaxMind GeoLite2-ASN / GeoIP2-ISP database. */
public final class MaxMindOrganisations implements Organisations, Closeable {
  private final Reader reader;

  public MaxMindOrganisations(Path file) {
    try {
      this.reader = new Reader(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open ASN database " + file, e);
    }
  }

  @Override
  public String lookup(InetAddress address) {
    try {
      Map<?, ?> record = reader.get(address, Map.class);
      if (record == null) {
        return null;
      }
      Object organisation = record.get("autonomous_system_organization");
      if (organisation == null) {
        organisation = record.get("organization");
      }
      return organisation instanceof String name && !name.isEmpty() ? name : null;
    } catch (IOException e) {
      throw new UncheckedIOException("ASN lookup of " + address.getHostAddress(), e);
    }
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
