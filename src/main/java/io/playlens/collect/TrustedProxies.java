package io.playlens.collect;

import io.javalin.http.Context;
import io.playlens.enrich.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which peers may tell us the client's address in {@code X-Forwarded-For}. From anyone else the
 * header is ignored: the socket's address is the client.
 */
public final class TrustedProxies {
  private final List<Cidr> networks;

  public TrustedProxies(List<String> cidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String cidr : cidrs) {
      parsed.add(Cidr.parse(cidr.strip()));
    }
    this.networks = List.copyOf(parsed);
  }

  /** The peer of a connection with no IP address (e.g. a Unix socket): events kept, no place. */
  static final InetAddress UNKNOWN_PEER = IpAddresses.get("0.0.0.0");

  /** The client of a request: its peer, or what trusted proxies say in {@code X-Forwarded-For}. */
  public InetAddress clientAddress(Context ctx) {
    InetAddress peer = IpAddresses.parse(ctx.req().getRemoteAddr());
    if (peer == null) {
      peer = UNKNOWN_PEER;
    }
    List<String> forwarded = Collections.list(ctx.req().getHeaders("X-Forwarded-For"));
    return clientAddress(peer, forwarded.isEmpty() ? null : String.join(",", forwarded));
  }

  /**
   * Whether the client reached us over TLS: the request itself, or a trusted proxy's {@code
   * X-Forwarded-Proto} (the proxy terminated TLS).
   */
  public boolean overTls(Context ctx) {
    if ("https".equalsIgnoreCase(ctx.scheme())) {
      return true;
    }
    InetAddress peer = IpAddresses.parse(ctx.req().getRemoteAddr());
    return peer != null
        && isTrusted(peer)
        && "https".equalsIgnoreCase(String.valueOf(ctx.header("X-Forwarded-Proto")).strip());
  }

  /**
   * The client address: the socket's peer, or, when the peer is a trusted proxy, the right-most
   * address in {@code X-Forwarded-For} that is not itself a trusted proxy.
   *
   * @param forwardedFor every {@code X-Forwarded-For} header line joined with commas, in order
   *     (proxies that add their own line instead of appending must not hide the last hop)
   */
  public InetAddress clientAddress(InetAddress peer, String forwardedFor) {
    if (forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    InetAddress client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      InetAddress hop = hop(hops[i].strip());
      if (hop == null) {
        return client;
      }
      client = hop;
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  private boolean isTrusted(InetAddress address) {
    for (Cidr network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static InetAddress literal(String text) {
    return IpAddresses.parse(text);
  }

  /** An {@code X-Forwarded-For} hop: an address, maybe bracketed, maybe with a port. */
  private static InetAddress hop(String text) {
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      return close < 0 ? null : literal(text.substring(0, close + 1));
    }
    int colon = text.indexOf(':');
    if (colon > 0 && colon == text.lastIndexOf(':') && text.indexOf('.') > 0) {
      return literal(text.substring(0, colon)); // IPv4 with a port, e.g. 203.0.113.7:51234
    }
    return literal(text);
  }

  /**
   * An address block such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare address is /32 or /128.
   */
  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("not an IP address or CIDR block: '" + text + "'");
      }
      int bits = address.getAddress().length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
      }
      return new Cidr(address.getAddress(), prefix);
    }

    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (bytes[full] & mask) == (network[full] & mask);
    }
  }
}
