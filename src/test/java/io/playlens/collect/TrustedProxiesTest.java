package io.playlens.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.enrich.IpAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private final TrustedProxies proxies = new TrustedProxies(List.of("10.0.0.0/8", "::1"));

  @Test
  void theSocketAddressIsTheClientWhenThePeerIsNotAProxy() {
    assertThat(proxies.clientAddress(IpAddresses.get("203.0.113.9"), "8.8.8.8").getHostAddress())
        .isEqualTo("203.0.113.9");
  }

  @Test
  void theRightmostUntrustedHopIsTheClientBehindTrustedProxies() {
    assertThat(
            proxies
                .clientAddress(IpAddresses.get("10.0.0.2"), "1.2.3.4, 8.8.8.8, 10.0.0.7")
                .getHostAddress())
        .as("a client-supplied 1.2.3.4 left of the real client is not believed")
        .isEqualTo("8.8.8.8");
    assertThat(proxies.clientAddress(IpAddresses.get("::1"), "81.2.69.142").getHostAddress())
        .isEqualTo("81.2.69.142");
  }

  @Test
  void garbageInTheHeaderStopsTheWalk() {
    assertThat(
            proxies
                .clientAddress(IpAddresses.get("10.0.0.2"), "evil.example, 10.0.0.9")
                .getHostAddress())
        .isEqualTo("10.0.0.9");
  }

  @Test
  void badBlocksAreRefusedAtStartUp() {
    assertThatThrownBy(() -> new TrustedProxies(List.of("10.0.0.0/33")))
        .hasMessage("prefix length out of range in '10.0.0.0/33'");
    assertThatThrownBy(() -> new TrustedProxies(List.of("proxy.local")))
        .hasMessage("not an IP address or CIDR block: 'proxy.local'");
  }
}
