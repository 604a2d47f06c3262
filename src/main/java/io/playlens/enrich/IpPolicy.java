package io.playlens.enrich;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Decides how the IP is stored: as received, or anonymised (last IPv4 octet, last 80 IPv6 bits
 * zeroed). Runs after place and organisation, which need the full address.
 */
public final class IpPolicy implements EnrichmentStep {
  private final boolean anonymise;

  public IpPolicy(boolean anonymise) {
    this.anonymise = anonymise;
  }

  @Override
  public String name() {
    return "ip-policy";
  }

  @Override
  public Outcome apply(Visit visit) {
    if (!anonymise) {
      return new Keep(visit);
    }
    return new Keep(visit.withStoredIp(anonymised(visit.ip()).getHostAddress()));
  }

  static InetAddress anonymised(InetAddress address) {
    byte[] bytes = address.getAddress();
    int keep = address instanceof Inet4Address ? 3 : 6;
    for (int i = keep; i < bytes.length; i++) {
      bytes[i] = 0;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of " + bytes.length + " bytes", e);
    }
  }
}
