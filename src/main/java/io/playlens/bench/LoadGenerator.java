package io.playlens.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.EventType;
import io.playlens.collect.MediaInfo;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Simulated viewers sending their sessions to a running Playlens over HTTP, as the tracker does:
 * each viewer plays one realistic session after another ({@link SessionSimulator}), its events sent
 * as they happen (time compressed by the time scale), one request per event or in batches. Measures
 * what the senders see — requests and events per second, acknowledgement latency, errors by status
 * — and, with an API key, freshness: how long an acknowledged event takes to be counted by {@code
 * /data/metrics}, found by probing.
 */
public final class LoadGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROBE_AGENT =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/142.0.0.0 Safari/537.36";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param apiKey the account's API key, for freshness probes through {@code /data/metrics}; null
   *     to skip them
   * @param timeScale how much faster than real time sessions play (10: a 5 s heartbeat every 0.5 s)
   */
  public record Settings(
      List<URI> nodes,
      String playerKey,
      int viewers,
      Duration duration,
      int batch,
      double timeScale,
      String apiKey,
      Duration probeInterval,
      long seed) {
    public Settings {
      nodes = List.copyOf(nodes);
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("no server URL");
      }
      requireNonNull(playerKey, "playerKey is null");
      if (viewers < 1 || viewers > 100_000) {
        throw new IllegalArgumentException("viewers must be 1 to 100000 (got " + viewers + ")");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive");
      }
      if (batch < 1 || batch > 500) {
        throw new IllegalArgumentException("batch must be 1 to 500 events (got " + batch + ")");
      }
      if (!(timeScale >= 0.1 && timeScale <= 1000)) {
        throw new IllegalArgumentException(
            "time scale must be 0.1 to 1000 (got " + timeScale + ")");
      }
      requireNonNull(probeInterval, "probeInterval is null");
    }
  }

  /** Figures so far, for a progress line. */
  public record Progress(
      Duration elapsed,
      long requests,
      long events,
      long errors,
      int activeViewers,
      double lastSecondP99Millis,
      long probes) {}

  /** What the run measured. Latencies in milliseconds. */
  public record Report(
      double seconds,
      int viewers,
      int batch,
      double timeScale,
      long requests,
      long eventsSent,
      long eventsAccepted,
      long eventsDropped,
      long sessions,
      Map<String, Long> errors,
      Percentiles acknowledgement,
      Percentiles freshness,
      long probesUnseen) {
    public double requestsPerSecond() {
      return requests / seconds;
    }

    public double eventsPerSecond() {
      return eventsSent / seconds;
    }
  }

  /** p50, p95, p99 and max of some samples, in milliseconds; count 0 when there were none. */
  public record Percentiles(long count, double p50, double p95, double p99, double max) {
    static Percentiles of(long[] nanos) {
      if (nanos.length == 0) {
        return new Percentiles(0, 0, 0, 0, 0);
      }
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      return new Percentiles(
          sorted.length,
          millis(sorted, 0.50),
          millis(sorted, 0.95),
          millis(sorted, 0.99),
          sorted[sorted.length - 1] / 1e6);
    }

    private static double millis(long[] sorted, double quantile) {
      int index = (int) Math.ceil(quantile * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
  }

  /** Latencies in nanoseconds, appended from many threads, read back whole or as "since last". */
  private static final class Samples {
    private long[] values = new long[1 << 16];
    private int size;
    private int drained;

    synchronized void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    synchronized long[] sinceLastDrain() {
      long[] recent = Arrays.copyOfRange(values, drained, size);
      drained = size;
      return recent;
    }

    synchronized int count() {
      return size;
    }

    synchronized long[] all() {
      return Arrays.copyOf(values, size);
    }
  }

  private final Settings settings;
  private final HttpClient http;
  private final Samples acknowledgements = new Samples();
  private final Samples freshness = new Samples();
  private final LongAdder requests = new LongAdder();
  private final LongAdder eventsSent = new LongAdder();
  private final LongAdder eventsAccepted = new LongAdder();
  private final LongAdder eventsDropped = new LongAdder();
  private final LongAdder sessions = new LongAdder();
  private final LongAdder probesUnseen = new LongAdder();
  private final LongAdder errorCount = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicInteger active = new AtomicInteger();
  private volatile long deadline;

  public LoadGenerator(Settings settings) {
    this.settings = requireNonNull(settings, "settings is null");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  /** Runs for the settings' duration, calling {@code progress} about once a second. */
  public Report run(Consumer<Progress> progress) throws InterruptedException {
    long started = System.nanoTime();
    deadline = started + settings.duration().toNanos();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < settings.viewers(); i++) {
        int viewer = i;
        threads.submit(() -> viewer(viewer));
      }
      if (settings.apiKey() != null) {
        threads.submit(this::probe);
      }
      while (System.nanoTime() < deadline) {
        Thread.sleep(Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000)));
        long[] recent = acknowledgements.sinceLastDrain();
        progress.accept(
            new Progress(
                Duration.ofNanos(System.nanoTime() - started),
                requests.sum(),
                eventsSent.sum(),
                errorCount.sum(),
                active.get(),
                Percentiles.of(recent).p99(),
                freshness.count()));
      }
      threads.shutdown();
      // requests in flight at the deadline finish (their time counts): at most the timeout
      threads.awaitTermination(35, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((reason, count) -> errorCounts.put(reason, count.sum()));
    return new Report(
        seconds,
        settings.viewers(),
        settings.batch(),
        settings.timeScale(),
        requests.sum(),
        eventsSent.sum(),
        eventsAccepted.sum(),
        eventsDropped.sum(),
        sessions.sum(),
        errorCounts,
        Percentiles.of(acknowledgements.all()),
        Percentiles.of(freshness.all()),
        probesUnseen.sum());
  }

  private boolean running() {
    return System.nanoTime() < deadline;
  }

  /** One viewer: sessions back to back, each event sent when it happens. */
  private void viewer(int index) {
    // viewers spread over the nodes, as a load balancer would spread them
    URI node = settings.nodes().get(index % settings.nodes().size());
    SessionSimulator simulator =
        new SessionSimulator(settings.playerKey(), settings.seed() * 1_000_003L + index);
    java.util.Random pause = new java.util.Random(settings.seed() + index);
    try {
      // viewers arrive spread over the first seconds rather than all at once
      sleepScaled(pause.nextDouble() * 5_000);
      while (running()) {
        active.incrementAndGet();
        try {
          play(node, simulator.session(Instant.now()));
        } finally {
          active.decrementAndGet();
        }
        sleepScaled(500 + pause.nextDouble() * 4_500); // between two videos
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void play(URI node, SessionSimulator.Session session) throws InterruptedException {
    sessions.increment();
    List<BeaconEvent> events = session.beacon().events();
    Instant sessionStart = events.getFirst().at();
    long wallStart = System.nanoTime();
    List<BeaconEvent> pending = new ArrayList<>(settings.batch());
    for (BeaconEvent event : events) {
      long offset =
          (long) (Duration.between(sessionStart, event.at()).toNanos() / settings.timeScale());
      long due = wallStart + offset;
      while (System.nanoTime() < due) {
        if (!running()) {
          return; // the run is over: this session ends unfinished, as a closed tab would
        }
        Thread.sleep(Math.max(1, Math.min(200, (due - System.nanoTime()) / 1_000_000)));
      }
      // the tracker stamps an event when it happens
      pending.add(
          new BeaconEvent(
              event.type(),
              Instant.now(),
              event.position(),
              event.from(),
              event.to(),
              event.startupMs(),
              event.durationMs(),
              event.code(),
              event.message()));
      if (pending.size() >= settings.batch()) {
        send(node, session, pending);
        pending.clear();
      }
    }
    if (!pending.isEmpty()) {
      send(node, session, pending);
    }
  }

  private void send(URI node, SessionSimulator.Session session, List<BeaconEvent> events) {
    Beacon beacon = session.beacon();
    Beacon sent =
        new Beacon(
            beacon.key(),
            beacon.session(),
            beacon.viewer(),
            Instant.now(),
            beacon.media(),
            beacon.pageUrl(),
            beacon.referrer(),
            beacon.email(),
            List.copyOf(events));
    HttpRequest request =
        HttpRequest.newBuilder(node.resolve("/v1/collect"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("User-Agent", session.userAgent())
            .header("X-Forwarded-For", session.ip().getHostAddress())
            .POST(HttpRequest.BodyPublishers.ofString(BeaconJson.write(sent, sent.events())))
            .build();
    requests.increment();
    eventsSent.add(events.size());
    long start = System.nanoTime();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - start;
      if (response.statusCode() == 202) {
        acknowledgements.add(took);
        count(response.body());
      } else {
        error(Integer.toString(response.statusCode()));
      }
    } catch (IOException e) {
      error(e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {"accepted":n,"dropped":{"bot":m}}: what the server kept and what enrichment dropped. */
  private void count(String body) {
    try {
      JsonNode answer = JSON.readTree(body);
      eventsAccepted.add(answer.path("accepted").asLong());
      for (JsonNode dropped : answer.path("dropped")) {
        eventsDropped.add(dropped.asLong());
      }
    } catch (IOException e) {
      error("unreadable 202 body");
    }
  }

  private void error(String reason) {
    errorCount.increment();
    errors.computeIfAbsent(reason, any -> new LongAdder()).increment();
  }

  /**
   * Freshness: one play at a time for a media only the probe uses; after its 202, counts plays of
   * that media through {@code /data/metrics} until the new one shows.
   */
  private void probe() {
    String media = "loadgen-probe-" + UUID.randomUUID().toString().substring(0, 8);
    String from =
        Instant.now()
            .minus(Duration.ofMinutes(1))
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toString();
    String count =
        // counted by the last node, sent to the first: with several nodes, across nodes
        settings
            .nodes()
            .getLast()
            .resolve(
                "/data/metrics/play/count?from="
                    + URLEncoder.encode(from, StandardCharsets.UTF_8)
                    + "&filterBy%5BmediaId%5D="
                    + media)
            .toString();
    String authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((settings.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
    long seen = 0;
    try {
      while (running()) {
        long next = System.nanoTime() + settings.probeInterval().toNanos();
        Beacon play =
            new Beacon(
                settings.playerKey(),
                UUID.randomUUID().toString(),
                "loadgen-probe",
                Instant.now(),
                new MediaInfo(media, 10.0, "video", "Load generator probe", List.of()),
                null,
                null,
                null,
                List.of(
                    new BeaconEvent(
                        EventType.PLAY, Instant.now(), 0.0, null, null, null, null, null, null)));
        HttpRequest post =
            HttpRequest.newBuilder(settings.nodes().getFirst().resolve("/v1/collect"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("User-Agent", PROBE_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString(BeaconJson.write(play, play.events())))
                .build();
        HttpResponse<String> sent = http.send(post, HttpResponse.BodyHandlers.ofString());
        long acknowledged = System.nanoTime();
        if (sent.statusCode() != 202) {
          error("probe " + sent.statusCode());
        } else {
          seen++;
          if (!awaitCount(count, authorization, seen, acknowledged)) {
            probesUnseen.increment();
            seen = Math.max(seen - 1, currentCount(count, authorization));
          }
        }
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    } catch (IOException e) {
      error("probe " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls until the count reaches {@code expected}: every 20 ms at first, then every 100 ms. */
  private boolean awaitCount(String url, String authorization, long expected, long since)
      throws IOException, InterruptedException {
    long giveUp = since + PROBE_TIMEOUT.toNanos();
    int polls = 0;
    while (System.nanoTime() < giveUp) {
      if (currentCount(url, authorization) >= expected) {
        freshness.add(System.nanoTime() - since);
        return true;
      }
      Thread.sleep(++polls < 25 ? 20 : 100);
    }
    return false;
  }

  private long currentCount(String url, String authorization)
      throws IOException, InterruptedException {
    HttpRequest get =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization)
            .GET()
            .build();
    HttpResponse<String> response = http.send(get, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      error("probe query " + response.statusCode());
      return -1;
    }
    return JSON.readTree(response.body()).path("data").asLong();
  }

  private void sleepScaled(double millis) throws InterruptedException {
    long scaled = (long) (millis / settings.timeScale());
    long until = System.nanoTime() + scaled * 1_000_000;
    while (running() && System.nanoTime() < until) {
      Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
    }
  }
}
