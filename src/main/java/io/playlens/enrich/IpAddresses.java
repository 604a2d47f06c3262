package io.playlens.enrich;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IP address literals without ever falling back to a DNS lookup. */
public final class IpAddresses {
  private IpAddresses() {}

  /**
   * The address, or null when {@code text} is not an IPv4 or IPv6 literal. IPv6 may come in
   * brackets ({@code [::1]}, as servlet containers report it); a zone ({@code %eth0}) is refused.
   */
  public static InetAddress parse(String text) {
    if (text != null && text.length() > 2 && text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    if (text.indexOf(':') >= 0) {
      char first = text.charAt(0);
      if (!(first == ':' || isAsciiHex(first))) {
        return null;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (!(c == ':' || c == '.' || isAsciiHex(c))) {
          return null;
        }
      }
      try {
        // With a colon and only hex digits, InetAddress parses an IPv6 literal and never resolves.
        return InetAddress.getByName(text);
      } catch (UnknownHostException | SecurityException e) {
        return null;
      }
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < part.length(); j++) {
        char c = part.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** As {@link #parse}, throwing when the text is not an IP literal. */
  public static InetAddress get(String text) {
    InetAddress address = parse(text);
    if (address == null) {
      throw new IllegalArgumentException("not an IP address: '" + text + "'");
    }
    return address;
  }
}
