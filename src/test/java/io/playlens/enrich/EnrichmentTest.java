package io.playlens.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.enrich.EnrichmentStep.Drop;
import io.playlens.enrich.EnrichmentStep.Keep;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/** Enrichment against the real DB-IP Lite, ASN and GeoLite2 files, and real user agents. */
class EnrichmentTest {
  @TempDir static Path tempDir;
  static GeoData dbIp;
  static PlaceDatabase geoLite2;

  @BeforeAll
  static void open() {
    dbIp = GeoData.open(TestServer.dbIpGeoDir(tempDir));
    geoLite2 = PlaceDatabase.open(List.of(TestServer.geoDir().resolve("GeoLite2-City.mmdb")));
  }

  @AfterAll
  static void close() throws Exception {
    dbIp.close();
    geoLite2.close();
  }

  @ParameterizedTest(name = "{0} is in {1}, {3}, owned by {5}")
  @CsvFileSource(resources = "/geo-ips.csv", delimiter = '|')
  void publicAddressesResolveToTheirPlaceAndOrganisation(
      String ip,
      String country,
      String region,
      String city,
      String continent,
      String organisation) {
    Place place = dbIp.places().lookup(IpAddresses.get(ip));

    if (country != null) {
      assertThat(place.country()).isEqualTo(country);
      assertThat(place.region()).isEqualTo(region);
      assertThat(place.city()).startsWith(city);
      assertThat(place.continent()).isEqualTo(continent);
      assertThat(place.latitude()).isNotNull();
      assertThat(place.longitude()).isNotNull();
    }
    assertThat(dbIp.organisations().lookup(IpAddresses.get(ip))).isEqualTo(organisation);
  }

  @Test
  void anIpv6AddressResolvesThroughTheIpv6File() {
    Place place = dbIp.places().lookup(IpAddresses.get("2001:67c:2e8:22::c100:68b"));

    assertThat(place.country()).isEqualTo("NL");
    assertThat(place.city()).startsWith("Amsterdam");
  }

  @Test
  void theMaxMindGeoLite2SchemaIsReadToo() {
    Place amsterdam = geoLite2.lookup(IpAddresses.get("2001:67c:2e8:22::c100:68b"));
    Place saoPaulo = geoLite2.lookup(IpAddresses.get("200.160.2.3"));
    Place sydney = geoLite2.lookup(IpAddresses.get("203.2.218.214"));

    assertThat(amsterdam)
        .extracting(Place::country, Place::region, Place::city, Place::continent)
        .containsExactly("NL", "North Holland", "Amsterdam", "EU");
    assertThat(saoPaulo)
        .extracting(Place::country, Place::city, Place::continent)
        .containsExactly("BR", "São Paulo", "SA");
    assertThat(sydney.continent()).as("GeoLite2's OC is api.video's AZ").isEqualTo("AZ");
    assertThat(sydney.latitude()).isBetween(-34.5, -33.5);
  }

  @Test
  void maxMindFilesArePreferredWhenBothKindsArePresent() throws Exception {
    try (GeoData both = GeoData.open(TestServer.geoDir())) {
      assertThat(both.sources()).startsWith("GeoLite2-City.mmdb");
      assertThat(both.places().lookup(IpAddresses.get("200.160.2.3")).city())
          .isEqualTo("São Paulo");
    }
  }

  @Test
  void privateAndUnknownAddressesHaveNoPlace() {
    assertThat(dbIp.places().lookup(IpAddresses.get("10.1.2.3"))).isEqualTo(Place.UNKNOWN);
    assertThat(dbIp.organisations().lookup(IpAddresses.get("192.168.0.1"))).isNull();
  }

  @Test
  void withoutGeoDataPlaylensStillEnrichesDevices(@TempDir Path empty) throws Exception {
    try (GeoData none = GeoData.open(empty)) {
      EnrichmentPipeline pipeline =
          new EnrichmentPipeline(
              List.of(
                  new BotFilter(TestServer.userAgents()),
                  new PlaceStep(none.places()),
                  new OrganisationStep(none.organisations()),
                  new DeviceStep(TestServer.userAgents()),
                  new IpPolicy(false)));

      EnrichmentStep.Outcome outcome =
          pipeline.run(Visit.of(IpAddresses.get("8.8.8.8"), TestServer.BROWSER));

      assertThat(outcome).isInstanceOf(Keep.class);
      Visit visit = ((Keep) outcome).visit();
      assertThat(visit.place()).isEqualTo(Place.UNKNOWN);
      assertThat(visit.organisation()).isNull();
      assertThat(visit.device().type()).isEqualTo("computer");
      assertThat(none.sources()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvFileSource(resources = "/user-agents.csv", delimiter = '|')
  void userAgentsMapToApiVideoDeviceOsAndBrowser(
      String kind, String userAgent, boolean bot, String type, String os, String browser) {
    UserAgents agents = TestServer.userAgents();

    assertThat(agents.isBot(userAgent)).as("bot").isEqualTo(bot);
    if (!bot) {
      Device device = agents.device(userAgent);
      assertThat(device.type()).as("device type").isEqualTo(type);
      assertThat(device.os()).as("os").isEqualTo(os);
      assertThat(device.browser()).as("browser").isEqualTo(browser);
    }
  }

  @Test
  void theBotStepDropsWithTheBotReasonAndStopsThePipeline() {
    List<Visit> reachedSecondStep = new java.util.ArrayList<>();
    EnrichmentStep recorder =
        new EnrichmentStep() {
          @Override
          public String name() {
            return "recorder";
          }

          @Override
          public Outcome apply(Visit visit) {
            reachedSecondStep.add(visit);
            return new Keep(visit);
          }
        };
    EnrichmentPipeline pipeline =
        new EnrichmentPipeline(List.of(new BotFilter(TestServer.userAgents()), recorder));

    assertThat(pipeline.run(Visit.of(IpAddresses.get("8.8.8.8"), "curl/8.5.0")))
        .isEqualTo(new Drop(DropReason.BOT));
    assertThat(pipeline.run(Visit.of(IpAddresses.get("8.8.8.8"), null)))
        .isEqualTo(new Drop(DropReason.BOT));
    assertThat(reachedSecondStep).isEmpty();
    assertThat(pipeline.run(Visit.of(IpAddresses.get("8.8.8.8"), TestServer.BROWSER)))
        .isInstanceOf(Keep.class);
    assertThat(reachedSecondStep).hasSize(1);
    assertThat(pipeline.stepNames()).containsExactly("bot", "recorder");
  }

  @Test
  void aLookupThatFailsCostsTheFieldNotTheEvents() {
    Organisations broken =
        address -> {
          throw new java.io.UncheckedIOException(new java.io.IOException("corrupt search tree"));
        };
    Visit visit = Visit.of(IpAddresses.get("8.8.8.8"), TestServer.BROWSER);

    EnrichmentStep.Outcome outcome = new OrganisationStep(broken).apply(visit);

    assertThat(outcome).isEqualTo(new Keep(visit));
  }

  @Test
  void anonymisingZeroesTheLastOctetOrTheLast80Bits() {
    assertThat(IpPolicy.anonymised(IpAddresses.get("81.2.69.142")).getHostAddress())
        .isEqualTo("81.2.69.0");
    assertThat(IpPolicy.anonymised(IpAddresses.get("2001:db8:1:2:3:4:5:6")).getHostAddress())
        .isEqualTo("2001:db8:1:0:0:0:0:0");
  }

  @Test
  void ipLiteralsNeverTriggerDnsAndGarbageIsRefused() {
    assertThat(
            Stream.of("example.com", "999.1.1.1", "1.2.3", "1.2.3.4.5", "::g", "", "fe80::1%eth0"))
        .allSatisfy(text -> assertThat(IpAddresses.parse(text)).as(text).isNull());
    assertThat(IpAddresses.parse("::1").isLoopbackAddress()).isTrue();
    assertThat(IpAddresses.parse("[2001:db8::1]").getHostAddress())
        .isEqualTo("2001:db8:0:0:0:0:0:1");
  }
}
