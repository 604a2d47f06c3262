package io.playlens.enrich;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * What is known of the client that sent a beacon, filled in step by step by the enrichment
 * pipeline. All events of one beacon share one visit.
 *
 * @param storedIp the IP as it will be stored (anonymised when the deployment asks for it)
 */
public record Visit(
    InetAddress ip,
    String userAgent,
    Place place,
    String organisation,
    Device device,
    String storedIp) {
  public Visit {
    requireNonNull(ip, "ip is null");
    requireNonNull(place, "place is null");
    requireNonNull(device, "device is null");
  }

  public static Visit of(InetAddress ip, String userAgent) {
    return new Visit(ip, userAgent, Place.UNKNOWN, null, Device.UNKNOWN, ip.getHostAddress());
  }

  public Visit withPlace(Place value) {
    return new Visit(ip, userAgent, value, organisation, device, storedIp);
  }

  public Visit withOrganisation(String value) {
    return new Visit(ip, userAgent, place, value, device, storedIp);
  }

  public Visit withDevice(Device value) {
    return new Visit(ip, userAgent, place, organisation, value, storedIp);
  }

  public Visit withStoredIp(String value) {
    return new Visit(ip, userAgent, place, organisation, device, value);
  }
}
