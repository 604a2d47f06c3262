package io.playlens.bench;

import io.playlens.enrich.BotFilter;
import io.playlens.enrich.DeviceStep;
import io.playlens.enrich.EnrichmentPipeline;
import io.playlens.enrich.GeoData;
import io.playlens.enrich.IpPolicy;
import io.playlens.enrich.OrganisationStep;
import io.playlens.enrich.PlaceStep;
import io.playlens.enrich.UserAgents;
import io.playlens.enrich.Visit;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The enrichment pipeline of the server (bot filter, place and organisation from the IP, device
 * from the user agent) over realistic visitors: with the user agents the cache already holds (the
 * common case: few distinct browsers), and with a user agent never seen before on every call. Needs
 * the geo data in {@code .cache/geo} (the test build fetches it) or {@code -Dplaylens.geo}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnrichmentBenchmark {
  private static final int VISITORS = 4096;

  private GeoData geo;
  private EnrichmentPipeline pipeline;
  private InetAddress[] addresses;
  private String[] agents;
  private int next;
  private long unseen;

  @Setup
  public void pipeline() {
    geo = GeoData.open(Path.of(System.getProperty("playlens.geo", ".cache/geo")));
    if (geo.sources().isEmpty()) {
      throw new IllegalStateException(
          "no geo data: run ./mvnw test-compile (it fetches .cache/geo)");
    }
    UserAgents userAgents = new UserAgents();
    pipeline =
        new EnrichmentPipeline(
            List.of(
                new BotFilter(userAgents),
                new PlaceStep(geo.places()),
                new OrganisationStep(geo.organisations()),
                new DeviceStep(userAgents),
                new IpPolicy(false)));
    SessionSimulator simulator = new SessionSimulator("pk_live_benchmark", 5);
    addresses = new InetAddress[VISITORS];
    agents = new String[VISITORS];
    for (int i = 0; i < VISITORS; i++) {
      SessionSimulator.Session session = simulator.session(Instant.parse("2026-11-22T10:00:00Z"));
      addresses[i] = session.ip();
      agents[i] = session.userAgent();
    }
  }

  @TearDown
  public void close() throws IOException {
    geo.close();
  }

  @Benchmark
  public Object knownUserAgents() {
    int i = next++ & (VISITORS - 1);
    return pipeline.run(Visit.of(addresses[i], agents[i]));
  }

  @Benchmark
  public Object newUserAgentEachTime() {
    int i = next++ & (VISITORS - 1);
    // a build number no cache has seen: the user agent is parsed in full
    String agent = agents[i].replace("Chrome/142.0.0.0", "Chrome/142.0." + (unseen++) + ".0");
    return pipeline.run(Visit.of(addresses[i], agent));
  }
}
