package io.playlens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.playlens.bench.LoadGenerator;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code playlens loadgen}: simulated viewers against a running server over HTTP, with a live
 * progress line and a final report (rates, acknowledgement latency, errors, freshness).
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    description =
        "Simulate concurrent viewers sending realistic sessions to a running Playlens through"
            + " /v1/collect, as the tracker does (impressions, plays, startup, heartbeats, seeks,"
            + " pauses, rebuffers, drop-off, ends; user agents and addresses of many countries)."
            + " Prints a progress line each second and a final report: requests/s, events/s,"
            + " acknowledgement latency p50/p95/p99/max, errors by status and, with --api-key,"
            + " freshness (acknowledged event to counted by /data/metrics, p50/p99).",
    footer = {
      "",
      "The server sees the simulated addresses (for places) only when it trusts this machine as a"
          + " proxy: serve with --trusted-proxy 127.0.0.1/32. Freshness probes read /data/metrics"
          + " several times a second: give the server a rate limit that allows it"
          + " (--rate-limit-production 100000).",
      "",
      "Example: playlens loadgen --url http://127.0.0.1:8080 --key pk_live_... --api-key sk_live_..."
          + " --viewers 500 --duration 60s --time-scale 10"
    })
public final class LoadgenCommand implements Callable<Integer> {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  @Option(
      names = "--url",
      required = true,
      split = ",",
      description =
          "The server's base URL; several (repeated or comma-separated) spread the viewers over"
              + " the nodes of a cluster, and freshness probes are sent to the first and counted"
              + " by the last")
  List<URI> url;

  @Option(names = "--key", required = true, description = "A player key of the account")
  String key;

  @Option(
      names = "--viewers",
      defaultValue = "100",
      description = "Concurrent viewers (default ${DEFAULT-VALUE})")
  int viewers;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long to run: 90s, 5m, 500ms (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(
      names = "--batch",
      defaultValue = "1",
      description =
          "Events per request: 1 sends each event as it happens; more holds a viewer's events"
              + " until it has that many or its session ends (default ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--time-scale",
      defaultValue = "1",
      description =
          "Sessions play this many times faster than real time: 10 sends a 5 s heartbeat every"
              + " 0.5 s (default ${DEFAULT-VALUE})")
  double timeScale;

  @Option(
      names = "--api-key",
      description = "An API key of the same account and environment: enables freshness probes")
  String apiKey;

  @Option(
      names = "--probe-interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Time between two freshness probes (default ${DEFAULT-VALUE})")
  Duration probeInterval;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the simulated sessions (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--json",
      description = "Print the final report as JSON (progress still on stderr)")
  boolean json;

  @Override
  public Integer call() throws Exception {
    LoadGenerator.Settings settings;
    try {
      settings =
          new LoadGenerator.Settings(
              List.copyOf(url),
              key,
              viewers,
              duration,
              batch,
              timeScale,
              apiKey,
              probeInterval,
              seed);
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage());
      return 2;
    }
    PrintStream err = System.err;
    boolean terminal = System.console() != null;
    err.printf(
        "loadgen: %d viewers for %s against %s (batch %d, time scale %s)%s%n",
        viewers,
        format(duration),
        url.stream().map(URI::toString).collect(java.util.stream.Collectors.joining(", ")),
        batch,
        number(timeScale),
        apiKey == null ? "; no --api-key: freshness not measured" : "");
    LoadGenerator.Report report =
        new LoadGenerator(settings)
            .run(
                progress -> {
                  String line =
                      String.format(
                          Locale.ROOT,
                          "%5.0f s  watching %,6d  requests %,10d  events %,10d  last-second p99"
                              + " %7.1f ms  errors %,d  probes %,d",
                          progress.elapsed().toMillis() / 1000.0,
                          progress.activeViewers(),
                          progress.requests(),
                          progress.events(),
                          progress.lastSecondP99Millis(),
                          progress.errors(),
                          progress.probes());
                  if (terminal) {
                    err.print("\r" + line);
                  } else if (progress.elapsed().toSeconds() % 5 == 0) {
                    err.println(line);
                  }
                });
    if (terminal) {
      err.println();
    }
    if (json) {
      System.out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(
                  Map.of(
                      "report",
                      report,
                      "requestsPerSecond",
                      report.requestsPerSecond(),
                      "eventsPerSecond",
                      report.eventsPerSecond())));
    } else {
      print(report, System.out);
    }
    return report.requests() > 0 && report.errors().isEmpty() ? 0 : 1;
  }

  static void print(LoadGenerator.Report report, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "loadgen: %.1f s, %,d viewers, batch %d, time scale %s%n",
        report.seconds(),
        report.viewers(),
        report.batch(),
        number(report.timeScale()));
    out.printf(
        Locale.ROOT,
        "  requests      %,d (%,.0f/s)%n  events        %,d sent (%,.0f/s), %,d stored, %,d"
            + " dropped by enrichment (bots)%n  sessions      %,d started%n",
        report.requests(),
        report.requestsPerSecond(),
        report.eventsSent(),
        report.eventsPerSecond(),
        report.eventsAccepted(),
        report.eventsDropped(),
        report.sessions());
    LoadGenerator.Percentiles ack = report.acknowledgement();
    out.printf(
        Locale.ROOT,
        "  acknowledged  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%,d responses)%n",
        ack.p50(),
        ack.p95(),
        ack.p99(),
        ack.max(),
        ack.count());
    out.printf(
        "  errors        %s%n",
        report.errors().isEmpty()
            ? "none"
            : report.errors().entrySet().stream()
                .map(entry -> entry.getKey() + ": " + entry.getValue())
                .reduce((a, b) -> a + ", " + b)
                .orElse(""));
    LoadGenerator.Percentiles fresh = report.freshness();
    if (fresh.count() == 0 && report.probesUnseen() == 0) {
      out.println("  freshness     not measured (give --api-key)");
    } else {
      out.printf(
          Locale.ROOT,
          "  freshness     p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d probes; %,d not counted"
              + " within 30 s)%n",
          fresh.p50(),
          fresh.p99(),
          fresh.max(),
          fresh.count(),
          report.probesUnseen());
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + " s"
        : duration.toMillis() + " ms";
  }

  /** 90s, 5m, 1h, 500ms, or a number of seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Matcher matcher = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
      if (!matcher.matches()) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration (examples: 90s, 5m, 1h, 500ms)");
      }
      double amount = Double.parseDouble(matcher.group(1));
      String unit = matcher.group(2) == null ? "s" : matcher.group(2);
      double millis =
          switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1000;
          };
      if (millis < 1) {
        throw new TypeConversionException("'" + value + "' is too short");
      }
      return Duration.ofMillis((long) millis);
    }
  }
}
