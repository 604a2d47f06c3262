package io.playlens.enrich;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Organisations from the {@code @ip-location-db/asn} CSV files ({@code start,end,asn,org}, one file
 * per IP version), held as sorted address ranges and found by binary search. Names repeat across
 * ranges, so each distinct name is stored once.
 */
public final class AsnCsvOrganisations implements Organisations {
  private final Ranges ipv4;
  private final Ranges ipv6;

  private AsnCsvOrganisations(Ranges ipv4, Ranges ipv6) {
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
  }

  public static AsnCsvOrganisations load(Path ipv4Csv, Path ipv6Csv) {
    Map<String, String> names = new HashMap<>();
    return new AsnCsvOrganisations(read(ipv4Csv, names), read(ipv6Csv, names));
  }

  @Override
  public String lookup(InetAddress address) {
    Ranges ranges = address instanceof Inet4Address ? ipv4 : ipv6;
    byte[] bytes = address.getAddress();
    return ranges.find(high(bytes), low(bytes));
  }

  private static Ranges read(Path csv, Map<String, String> names) {
    List<long[]> bounds = new ArrayList<>();
    List<String> orgs = new ArrayList<>();
    if (csv == null || !Files.exists(csv)) {
      return new Ranges(new long[0], new long[0], new long[0], new long[0], new String[0]);
    }
    try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        int first = line.indexOf(',');
        int second = first < 0 ? -1 : line.indexOf(',', first + 1);
        int third = second < 0 ? -1 : line.indexOf(',', second + 1);
        if (third < 0) {
          continue;
        }
        byte[] start = literal(line.substring(0, first));
        byte[] end = literal(line.substring(first + 1, second));
        if (start == null || end == null) {
          continue;
        }
        String org = unquote(line.substring(third + 1));
        bounds.add(new long[] {high(start), low(start), high(end), low(end)});
        orgs.add(org.isEmpty() ? null : names.computeIfAbsent(org, name -> name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ASN data " + csv, e);
    }
    Integer[] order = new Integer[bounds.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        (a, b) -> {
          long[] x = bounds.get(a);
          long[] y = bounds.get(b);
          int c = Long.compareUnsigned(x[0], y[0]);
          return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
        });
    int n = order.length;
    long[] startHigh = new long[n];
    long[] startLow = new long[n];
    long[] endHigh = new long[n];
    long[] endLow = new long[n];
    String[] org = new String[n];
    for (int i = 0; i < n; i++) {
      long[] b = bounds.get(order[i]);
      startHigh[i] = b[0];
      startLow[i] = b[1];
      endHigh[i] = b[2];
      endLow[i] = b[3];
      org[i] = orgs.get(order[i]);
    }
    return new Ranges(startHigh, startLow, endHigh, endLow, org);
  }

  private static byte[] literal(String ip) {
    InetAddress address = IpAddresses.parse(ip);
    return address == null ? null : address.getAddress();
  }

  private static String unquote(String field) {
    if (field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")) {
      return field.substring(1, field.length() - 1).replace("\"\"", "\"");
    }
    return field;
  }

  /** The first 8 bytes of an address as a number (0 for IPv4, whose 4 bytes live in low()). */
  private static long high(byte[] address) {
    if (address.length == 4) {
      return 0;
    }
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (address[i] & 0xff);
    }
    return value;
  }

  private static long low(byte[] address) {
    long value = 0;
    for (int i = address.length == 4 ? 0 : 8; i < address.length; i++) {
      value = (value << 8) | (address[i] & 0xff);
    }
    return value;
  }

  /** Sorted, non-overlapping 128-bit ranges (unsigned high/low halves) with their names. */
  private record Ranges(
      long[] startHigh, long[] startLow, long[] endHigh, long[] endLow, String[] org) {
    String find(long high, long low) {
      int lo = 0;
      int hi = startHigh.length - 1;
      int candidate = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (compare(startHigh[mid], startLow[mid], high, low) <= 0) {
          candidate = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (candidate >= 0 && compare(high, low, endHigh[candidate], endLow[candidate]) <= 0) {
        return org[candidate];
      }
      return null;
    }

    private static int compare(long aHigh, long aLow, long bHigh, long bLow) {
      int c = Long.compareUnsigned(aHigh, bHigh);
      return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
    }
  }
}
