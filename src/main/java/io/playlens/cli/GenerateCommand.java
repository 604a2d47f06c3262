package io.playlens.cli;

import io.playlens.account.Account;
import io.playlens.account.Environment;
import io.playlens.account.PlayerKey;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.CollectResult;
import io.playlens.collect.Collector;
import io.playlens.enrich.UserAgents;
import io.playlens.ingest.IngestQueue;
import io.playlens.server.ClientError;
import io.playlens.server.PlaylensServer;
import io.playlens.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code playlens generate}: fills a store with simulated viewing history for query benchmarks.
 * Sessions go through the real collection pipeline in-process (enrichment, bot filter, group
 * commit), in time order as live traffic would, without HTTP in between.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Fill a store directly with realistic viewing history (for benchmarks): sessions with"
            + " impressions, plays, heartbeats, seeks, pauses, rebuffers and drop-off, spread over"
            + " the past days, through the real enrichment and commit path.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      defaultValue = "${env:PLAYLENS_DATA:-./data}",
      description = "Data directory (env PLAYLENS_DATA; default ${DEFAULT-VALUE})")
  Path data;

  @Option(
      names = "--geo-dir",
      defaultValue = "${env:PLAYLENS_GEO_DIR}",
      description = "Geo and ASN data directory (env PLAYLENS_GEO_DIR; default DATA/geo)")
  Path geoDir;

  @Option(
      names = "--account",
      required = true,
      description = "Account to fill (create it first with `playlens account create`)")
  String account;

  @Option(
      names = "--environment",
      defaultValue = "production",
      description = "production or sandbox (default ${DEFAULT-VALUE})")
  String environment;

  @Option(
      names = "--events",
      defaultValue = "1m",
      converter = Count.class,
      description = "Events to store, e.g. 500k, 10m, 100m (default ${DEFAULT-VALUE})")
  long events;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Spread them evenly over this many past days (default ${DEFAULT-VALUE})")
  int days;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed: the same seed gives the same sessions (default ${DEFAULT-VALUE})")
  long seed;

  /** Events submitted but not yet committed, at most: keeps the ingest queue from overflowing. */
  static final int IN_FLIGHT_EVENTS = 100_000;

  /** Parses {@code 500k}, {@code 10m}, {@code 1.5m}, {@code 2b} or a plain number. */
  static final class Count implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT).replace("_", "");
      double multiplier = 1;
      if (text.endsWith("k")) {
        multiplier = 1e3;
      } else if (text.endsWith("m")) {
        multiplier = 1e6;
      } else if (text.endsWith("b")) {
        multiplier = 1e9;
      }
      String number = multiplier == 1 ? text : text.substring(0, text.length() - 1);
      try {
        double parsed = Double.parseDouble(number) * multiplier;
        if (parsed >= 1 && parsed <= 1e10) {
          return Math.round(parsed);
        }
      } catch (NumberFormatException e) {
        // refused below
      }
      throw new TypeConversionException(
          "'" + value + "' is not a count between 1 and 10b (e.g. 500k, 10m)");
    }
  }

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.parse(environment).orElse(null);
    if (env == null) {
      System.err.println("generate: --environment must be production or sandbox");
      return 2;
    }
    if (days < 1 || days > 400) {
      System.err.println("generate: --days must be between 1 and 400");
      return 2;
    }
    ServerConfig.Builder config = ServerConfig.builder(data).bind("127.0.0.1").port(0);
    if (geoDir != null) {
      config.geoDir(geoDir);
    }
    Instant now = Instant.now();
    try (PlaylensServer server = PlaylensServer.start(config.build(), new UserAgents())) {
      Account target;
      try {
        target = server.admin().account(account);
      } catch (ClientError e) {
        System.err.printf(
            "generate: no account '%s'; create it first: playlens account create --key %s ...%n",
            account, account);
        return 2;
      }
      if (env == Environment.PRODUCTION
          && Duration.ofDays(days).compareTo(target.retention().duration()) > 0) {
        System.err.printf(
            "generate: note: account '%s' keeps %s; the retention job will delete what is older%n",
            account, target.retention().wireName());
      }
      PlayerKey key =
          server.admin().playerKeys(account).stream()
              .filter(k -> k.environment() == env && !k.revoked())
              .findFirst()
              .orElseGet(() -> server.admin().createPlayerKey(account, env, List.of()));
      fill(server.collector(), server.embedded(), key, now);
      long started = System.nanoTime();
      System.out.print("generate: folding the sessions into the rollup... ");
      System.out.flush();
      server.store().seal();
      System.out.printf("done in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
    return 0;
  }

  /**
   * Commit batches the sealer may have waiting before generation pauses for it: generating runs
   * about twice as fast as the sealer folds, and a backlog of tens of millions of events folded in
   * one go spills tens of gigabytes to disk (seen at 100 million) and takes longer than folding as
   * it comes.
   */
  static final long MAX_UNSEALED_BATCHES = 40;

  private void fill(
      Collector collector,
      io.playlens.store.duckdb.DuckDbEventStore store,
      PlayerKey key,
      Instant now)
      throws Exception {
    SessionSimulator simulator = new SessionSimulator(key.key(), seed);
    long span = Duration.ofDays(days).toMillis();
    Instant first = now.minusMillis(span);
    ArrayDeque<CompletableFuture<CollectResult>> inFlight = new ArrayDeque<>();
    ArrayDeque<Integer> inFlightSizes = new ArrayDeque<>();
    long submitted = 0;
    long inFlightEvents = 0;
    long stored = 0;
    long dropped = 0;
    long sessions = 0;
    long started = System.nanoTime();
    long lastReport = 0;
    Progress progress = new Progress(events, started);
    while (submitted < events) {
      // Sessions start in time order, evenly over the span, as live traffic arrives.
      Instant start = first.plusMillis((long) (span * ((double) submitted / events)));
      SessionSimulator.Session session = simulator.session(start);
      int size = session.beacon().events().size();
      Collector.Client client = new Collector.Client(session.ip(), session.userAgent(), null);
      while (true) {
        try {
          inFlight.add(collector.collect(session.beacon(), key, client, session.endedAt()));
          break;
        } catch (IngestQueue.Rejected e) {
          Thread.sleep(5); // the queue is full: let the committers catch up
        }
      }
      inFlightSizes.add(size);
      inFlightEvents += size;
      submitted += size;
      sessions++;
      if (sessions % 256 == 0) {
        while (store.unsealedBatches() > MAX_UNSEALED_BATCHES) {
          Thread.sleep(20); // let the sealer keep up
        }
      }
      while (inFlightEvents > IN_FLIGHT_EVENTS || (submitted >= events && !inFlight.isEmpty())) {
        CollectResult result = inFlight.poll().join();
        inFlightEvents -= inFlightSizes.poll();
        stored += result.accepted();
        dropped += result.dropped().values().stream().mapToInt(Integer::intValue).sum();
      }
      long nowNanos = System.nanoTime();
      if (nowNanos - lastReport > 250_000_000L || submitted >= events) {
        lastReport = nowNanos;
        System.out.print("\r" + progress.line(submitted, stored, dropped, sessions, nowNanos));
        System.out.flush();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "%ngenerate: %,d sessions, %,d events stored (%,d from bots dropped) over %d days in"
            + " %.1f s (%,.0f events/s)%n",
        sessions, stored, dropped, days, seconds, stored / seconds);
  }

  /** The live progress line: a bar, counts, rate and time left. */
  record Progress(long target, long startedNanos) {
    String line(long submitted, long stored, long dropped, long sessions, long nowNanos) {
      double done = Math.min(1.0, (double) submitted / target);
      int width = 30;
      int filled = (int) Math.round(done * width);
      double seconds = Math.max(1e-9, (nowNanos - startedNanos) / 1e9);
      double rate = submitted / seconds;
      long left = rate <= 0 ? 0 : (long) ((target - submitted) / rate);
      return String.format(
          "[%s%s] %3.0f%%  %,d / %,d events  %,d sessions  %,.0f events/s  %s left  ",
          "#".repeat(filled),
          ".".repeat(width - filled),
          done * 100,
          submitted,
          target,
          sessions,
          rate,
          Duration.ofSeconds(left).toString().substring(2).toLowerCase(Locale.ROOT));
    }
  }
}
