package io.playlens.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the export's CSV records ({@link Views#csv}: quoting, formula defusing) from the
 * separated fields the store returns, for rows like a real export's. One operation is one row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CsvWritingBenchmark {
  private static final int ROWS = 1000;
  private final List<byte[]> rows = new ArrayList<>(ROWS);

  @Setup
  public void rows() {
    Random random = new Random(3);
    String[] cities = {
      "Paris", "São Paulo", "New York", "Chiyoda", "Hangzhou", "Frankfurt am Main"
    };
    String[] orgs = {"Comcast Cable Communications, LLC", "Orange S.A.", "\"Quoted\" Org", ""};
    for (int i = 0; i < ROWS; i++) {
      List<String> fields =
          List.of(
              "2026-11-22T10:" + (10 + i % 50) + ":00Z",
              "203.0." + (i % 256) + "." + (i * 7 % 256),
              "FR",
              "Île-de-France",
              cities[random.nextInt(cities.length)],
              "48.85",
              "2.35",
              orgs[random.nextInt(orgs.length)],
              random.nextInt(6) == 0 ? "=HYPERLINK(\"x\")" : "viewer" + i + "@example.com",
              Integer.toString(random.nextInt(101)),
              "v" + Integer.toHexString(random.nextInt()),
              "3f6b1c2e-" + i,
              "intro-2026",
              "Welcome to Acme",
              "true",
              "computer",
              "windows",
              "chrome",
              "https://www.google.com/",
              "https://www.acme.example/videos/intro-2026",
              "0-15;30-42");
      rows.add(String.join("\u001f", fields).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Benchmark
  @OperationsPerInvocation(ROWS)
  public int thousandRows() {
    int length = 0;
    for (byte[] row : rows) {
      length += Views.csv(row).length;
    }
    return length;
  }
}
