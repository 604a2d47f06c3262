package io.playlens.bench;

import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.BeaconParser;
import io.playlens.collect.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing and validating beacons as {@code POST /v1/collect} receives them: a heartbeat (one watch
 * event, the most common request) and a batch of 100 events. Run with bench/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BeaconParsingBenchmark {
  private final BeaconParser parser = new BeaconParser();
  private byte[] heartbeat;
  private byte[] batch;

  @Setup
  public void beacons() {
    SessionSimulator.Session session =
        new SessionSimulator("pk_live_benchmark", 11)
            .session(Instant.parse("2026-11-22T10:00:00Z"));
    BeaconEvent watch =
        new BeaconEvent(
            EventType.WATCH,
            Instant.parse("2026-11-22T10:00:05Z"),
            null,
            0.0,
            5.0,
            null,
            null,
            null,
            null);
    heartbeat = BeaconJson.write(session.beacon(), List.of(watch)).getBytes(StandardCharsets.UTF_8);
    List<BeaconEvent> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundred.add(
          new BeaconEvent(
              EventType.WATCH,
              Instant.parse("2026-11-22T10:00:00Z").plusSeconds(5L * i),
              null,
              5.0 * i,
              5.0 * i + 5,
              null,
              null,
              null,
              null));
    }
    batch = BeaconJson.write(session.beacon(), hundred).getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public Beacon heartbeat() {
    return parser.parse(heartbeat);
  }

  @Benchmark
  public Beacon batchOf100Events() {
    return parser.parse(batch);
  }
}
