package io.playlens.enrich;

import java.net.InetAddress;

/** Names the organisation (the network's owner, from ASN data) behind an IP address. */
public interface Organisations {
  /** The organisation's name, or null when the address is in no known network. */
  String lookup(InetAddress address);
}
