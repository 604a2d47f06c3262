package io.playlens.cli;

import io.playlens.account.Account;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Environment;
import io.playlens.account.User;
import io.playlens.query.Dimension;
import io.playlens.query.Filters;
import io.playlens.query.Grouping;
import io.playlens.query.Queries;
import io.playlens.query.Scope;
import io.playlens.query.TimeBuckets;
import io.playlens.query.WistiaStats;
import io.playlens.server.ServerConfig;
import io.playlens.store.StoreException;
import io.playlens.store.duckdb.DuckDbEventStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code playlens bench ...}: benchmarks on a data dir. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks on a data dir.",
    subcommands = BenchCommand.QueriesBenchmark.class)
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("bench: give a benchmark, e.g. `playlens bench queries --help`");
  }

  /**
   * The query mix: the api.video routes, Wistia's stats and export, and the dashboard overview's
   * calls (with a signed-in session), each asked over HTTP; the api.video and Wistia questions also
   * asked of the query layer directly (its SQL on the same store, no HTTP, authentication or JSON),
   * so the API's own overhead shows as a ratio.
   */
  @Command(
      name = "queries",
      mixinStandardHelpOptions = true,
      description =
          "Run a fixed mix of API and dashboard calls against the store of --data and report"
              + " p50/p95/p99 per endpoint family, with the same questions asked of the store"
              + " directly (in this process) and the API-over-SQL ratio. The calls go over HTTP to"
              + " a server this command starts in a process of its own on a free port, with the"
              + " server options given here. The server must not be running on that data dir.")
  static final class QueriesBenchmark implements Callable<Integer> {
    @Mixin ServerOptions options;

    @Option(names = "--account", required = true, description = "The account to query")
    String account;

    @Option(
        names = "--reps",
        defaultValue = "20",
        description =
            "Times each call is made and measured, after the warm-up rounds (default"
                + " ${DEFAULT-VALUE})")
    int reps;

    @Option(
        names = "--warm-up",
        defaultValue = "2",
        description =
            "Rounds of the whole mix asked, unmeasured, before the measured ones, both of the"
                + " store and over HTTP; the first round is the cold one (default ${DEFAULT-VALUE})")
    int warmUpRounds;

    @Option(
        names = "--days",
        defaultValue = "30",
        description =
            "The timeframe of the calls, in days back from now (default ${DEFAULT-VALUE})")
    int days;

    private record Call(String family, String name, String path, Direct direct) {}

    @FunctionalInterface
    private interface Direct {
      Object ask() throws StoreException;
    }

    @Spec CommandSpec spec;

    /** This command's own options, which {@code serve} does not take or which it sets itself. */
    private static final Set<String> NOT_FORWARDED =
        Set.of(
            "--account",
            "--reps",
            "--warm-up",
            "--days",
            "--data",
            "--port",
            "--rate-limit-production",
            "--rate-limit-sandbox");

    /** The key and user made for one run, removed after it. */
    private record Visitor(
        String keyId, String apiKey, String userId, String email, String password) {}

    @Override
    public Integer call() throws Exception {
      if (reps < 1 || days < 1 || warmUpRounds < 1) {
        System.err.println("bench: --reps, --warm-up and --days must be at least 1");
        return 2;
      }
      ServerConfig config = options.toConfig();
      if (config.storeUrl() != null || config.metadataUrl() != null) {
        System.err.println(
            "bench: `bench queries` measures the embedded store of a data dir; leave out --store"
                + " and --metadata");
        return 2;
      }
      Visitor visitor = withAdmin(config, this::visitor);
      try {
        // First the questions asked of the query layer in this process, with the store open here;
        // then the same questions over HTTP, the server in a process of its own (a DuckDB file is
        // opened by one process at a time), so the client shares no JVM with it.
        List<Call> calls;
        Map<Call, List<Long>> direct;
        try (DuckDbEventStore store = open(config);
            Queries queries =
                new Queries(
                    store::readConnection,
                    store::unsealedEvents,
                    store::liveRows,
                    config.foldLimit(),
                    config.busyFoldLimit())) {
          Account target = AdminStore.admin(store).account(account);
          calls = mix(queries, target, topMedia(queries));
          System.err.printf(
              "bench: %d calls against account '%s' (%d unmeasured rounds of them all, then each"
                  + " %d times), first of the store, then over HTTP%n",
              calls.size(), account, warmUpRounds, reps);
          direct = askStore(calls);
        }
        Map<Call, List<Long>> api;
        try (ServerProcess server = ServerProcess.start(serveArguments(config), STARTUP)) {
          // Signing in (a form's POST, its cookie) through the JDK's client; the measured calls
          // through a plain kept-alive connection, so the client's own cost stays out of the API's
          // figures as far as it can (see PlainHttp).
          HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          String cookie = signIn(http, server.base(), visitor.email(), visitor.password());
          try (PlainHttp plain = new PlainHttp(server.base(), REQUEST_TIMEOUT)) {
            warmUp(plain, visitor.apiKey());
            api = askApi(plain, visitor.apiKey(), cookie, calls);
          }
        }
        report(calls, api, direct);
      } finally {
        withAdmin(
            config,
            admin -> {
              admin.revokeKey(account, visitor.keyId());
              admin.removeUser(account, visitor.userId());
              return null;
            });
      }
      return 0;
    }

    private static final Duration STARTUP = Duration.ofMinutes(3);

    /** An API key and a signed-in owner for the run, so the account's own are not touched. */
    private Visitor visitor(AccountAdmin admin) {
      admin.account(account); // fails clearly when there is no such account
      var key = admin.createApiKey(account, Environment.PRODUCTION);
      String email = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "@bench.invalid";
      String password = UUID.randomUUID().toString();
      try {
        User user = admin.addUser(account, email, password, User.Role.OWNER, false, List.of());
        return new Visitor(key.key().id(), key.secret(), user.id(), email, password);
      } catch (RuntimeException e) {
        admin.revokeKey(account, key.key().id());
        throw e;
      }
    }

    private interface AdminWork<T> {
      T run(AccountAdmin admin) throws Exception;
    }

    private static <T> T withAdmin(ServerConfig config, AdminWork<T> work) throws Exception {
      try (DuckDbEventStore store = open(config)) {
        return work.run(AdminStore.admin(store));
      }
    }

    /** The store as the server opens it (its DuckDB threads and memory), without a sealer. */
    private static DuckDbEventStore open(ServerConfig config) throws StoreException {
      return DuckDbEventStore.open(
          config.dataDir(), config.storeThreads(), config.storeMemory(), Duration.ZERO);
    }

    /**
     * {@code serve}'s arguments: the server options given to this command as they were given, the
     * data dir, any free port and rate limits no benchmark reaches.
     */
    private List<String> serveArguments(ServerConfig config) {
      List<String> arguments = new ArrayList<>();
      for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
        if (NOT_FORWARDED.contains(option.longestName()) || option.usageHelp()) {
          continue;
        }
        if (option.arity().max() == 0) {
          arguments.add(option.longestName());
        } else {
          for (String value : option.originalStringValues()) {
            arguments.add(option.longestName() + "=" + value);
          }
        }
      }
      arguments.addAll(
          List.of(
              "--data",
              config.dataDir().toString(),
              "--port",
              "0",
              "--rate-limit-production",
              "1000000",
              "--rate-limit-sandbox",
              "1000000"));
      return arguments;
    }

    private String topMedia(Queries queries) throws StoreException {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Map<String, Long> plays =
          queries.count(
              scope(now.minus(Duration.ofDays(days - 1))),
              "play",
              new Grouping.By(Dimension.MEDIA_ID));
      return plays.entrySet().stream()
          .max(Map.Entry.comparingByValue())
          .map(Map.Entry::getKey)
          .orElseThrow(
              () -> new IllegalStateException("the account has no plays in the timeframe"));
    }

    private Scope scope(Instant from) {
      return new Scope(
          account, "production", from, Instant.now().truncatedTo(ChronoUnit.SECONDS), Filters.NONE);
    }

    private List<Call> mix(Queries queries, Account target, String media) {
      ZoneId zone = target.timeZone();
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Instant from = now.minus(Duration.ofDays(days - 1));
      String range = "from=" + encode(from.toString()) + "&to=" + encode(now.toString());
      Scope scope = new Scope(account, "production", from, now, Filters.NONE);
      Scope ofMedia = new Scope(account, "production", from, now, Filters.ofMedia(List.of(media)));
      WistiaStats stats = new WistiaStats(queries);
      List<Call> calls = new ArrayList<>();
      String metrics = "api.video /data/metrics";
      calls.add(
          new Call(
              metrics,
              "play/count",
              "/data/metrics/play/count?" + range,
              () -> queries.count(scope, "play")));
      calls.add(
          new Call(
              metrics,
              "impression/count",
              "/data/metrics/impression/count?" + range,
              () -> queries.count(scope, "impression")));
      calls.add(
          new Call(
              metrics,
              "play/rate",
              "/data/metrics/play/rate?" + range,
              () -> queries.count(scope, "play") + queries.count(scope, "impression")));
      calls.add(
          new Call(
              metrics,
              "watch-time/sum",
              "/data/metrics/watch-time/sum?" + range,
              () -> queries.watchTime(scope)));
      calls.add(
          new Call(
              metrics,
              "impression-time/average",
              "/data/metrics/impression-time/average?" + range,
              () -> queries.startup(scope)));
      calls.add(
          new Call(
              metrics,
              "view/count unique",
              "/data/metrics/view/count?unique=true&" + range,
              () -> queries.views(scope, 5, true)));
      calls.add(
          new Call(
              metrics,
              "ccv/peak",
              "/data/metrics/ccv/peak?" + range,
              () -> queries.concurrency(scope, false, Grouping.WHOLE_SCOPE)));
      calls.add(
          new Call(
              metrics,
              "play/count of a media",
              "/data/metrics/play/count?filterBy%5BmediaId%5D=" + encode(media) + "&" + range,
              () -> queries.count(ofMedia, "play")));
      String buckets = "api.video /data/buckets";
      for (Dimension dimension :
          List.of(
              Dimension.MEDIA_ID,
              Dimension.COUNTRY,
              Dimension.DEVICE_TYPE,
              Dimension.BROWSER,
              Dimension.REFERRER)) {
        calls.add(
            new Call(
                buckets,
                "play/" + dimension.wireName(),
                "/data/buckets/play/" + dimension.wireName() + "?" + range,
                () -> queries.count(scope, "play", new Grouping.By(dimension))));
      }
      String timeseries = "api.video /data/timeseries";
      List<Instant> daily = TimeBuckets.starts(from, now, TimeBuckets.Interval.DAY, zone);
      calls.add(
          new Call(
              timeseries,
              "play by day",
              "/data/timeseries/play?interval=day&pageSize=100&" + range,
              () -> queries.count(scope, "play", new Grouping.Over(daily))));
      Instant hoursFrom = now.minus(Duration.ofHours(36));
      Scope hours = new Scope(account, "production", hoursFrom, now, Filters.NONE);
      List<Instant> hourly = TimeBuckets.starts(hoursFrom, now, TimeBuckets.Interval.HOUR, zone);
      calls.add(
          new Call(
              timeseries,
              "impression by hour, 36 h",
              "/data/timeseries/impression?interval=hour&pageSize=100&from="
                  + encode(hoursFrom.toString())
                  + "&to="
                  + encode(now.toString()),
              () -> queries.count(hours, "impression", new Grouping.Over(hourly))));
      String wistia = "Wistia /v1/stats";
      // Wistia's figures cover all the data kept, as the route does
      Scope kept =
          new Scope(
              account,
              "production",
              now.minus(target.retention().duration()),
              now.plusSeconds(1),
              Filters.NONE);
      Scope keptOfMedia =
          new Scope(account, "production", kept.from(), kept.to(), Filters.ofMedia(List.of(media)));
      calls.add(
          new Call(
              wistia,
              "medias/{id}",
              "/v1/stats/medias/" + encode(media),
              () -> stats.figures(keptOfMedia, null)));
      calls.add(
          new Call(
              wistia,
              "medias/{id}/engagement",
              "/v1/stats/medias/" + encode(media) + "/engagement",
              // the route's two questions: the graph and the mean share watched
              () ->
                  List.of(
                      stats.engagement(
                          account, "production", media, null, kept.from(), kept.to(), null),
                      stats.meanShareWatched(keptOfMedia, null))));
      calls.add(
          new Call(
              wistia,
              "account/by_date",
              "/v1/stats/account/by_date?start_date="
                  + LocalDate.now(zone).minusDays(6)
                  + "&end_date="
                  + LocalDate.now(zone),
              null));
      calls.add(
          new Call(
              wistia, "events", "/v1/stats/events?per_page=10&media_id=" + encode(media), null));
      calls.add(new Call(wistia, "visitors", "/v1/stats/visitors?per_page=10", null));
      calls.add(
          new Call(
              "Wistia export",
              "events.csv, 1000 rows",
              "/stats/medias/" + encode(media) + "/events.csv",
              null));
      // what the dashboard's overview asks for a 7-day range, with the session's cookie
      String dashboard = "dashboard (session)";
      Instant weekFrom = now.minus(Duration.ofDays(6));
      String week = "from=" + encode(weekFrom.toString()) + "&to=" + encode(now.toString());
      for (String metric :
          List.of(
              "impression/count",
              "play/count",
              "play/rate",
              "view/count?unique=true",
              "watch-time/sum",
              "percent-viewed/average")) {
        calls.add(
            new Call(
                dashboard,
                metric,
                "/data/metrics/" + metric + (metric.contains("?") ? "&" : "?") + week,
                null));
      }
      calls.add(
          new Call(
              dashboard,
              "timeseries play by day",
              "/data/timeseries/play?interval=day&pageSize=100&" + week,
              null));
      for (String breakdown :
          List.of(
              "media-id", "country", "device-type", "operating-system", "browser", "referrer")) {
        calls.add(
            new Call(
                dashboard,
                "buckets play/" + breakdown,
                "/data/buckets/play/"
                    + breakdown
                    + "?sortBy=metricValue&sortOrder=desc&pageSize=10&"
                    + week,
                null));
      }
      calls.add(new Call(dashboard, "ccv/live", "/data/metrics/ccv/live", null));
      return calls;
    }

    /**
     * Each call's direct question: {@code warmUpRounds} rounds of the whole mix unmeasured (the
     * first cold), then each call {@code reps} times measured.
     */
    private Map<Call, List<Long>> askStore(List<Call> calls) throws StoreException {
      List<Call> direct = calls.stream().filter(call -> call.direct() != null).toList();
      for (int round = 0; round < warmUpRounds; round++) {
        for (Call call : direct) {
          call.direct().ask();
        }
      }
      Map<Call, List<Long>> times = new LinkedHashMap<>();
      for (Call call : direct) {
        for (int i = 0; i < reps; i++) {
          long start = System.nanoTime();
          call.direct().ask();
          times.computeIfAbsent(call, any -> new ArrayList<>()).add(System.nanoTime() - start);
        }
      }
      return times;
    }

    /** Requests that warm the HTTP path up before anything is measured. */
    private static final int WARM_UP_REQUESTS = 2_000;

    /** How long one request may take before the run fails. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Compiles the client's and the server's HTTP code with {@link #WARM_UP_REQUESTS} authenticated
     * requests for an unknown metric, which the server refuses (400) without reading the store: the
     * calls' first requests then stay cold for the store, not for the JIT.
     */
    private static void warmUp(PlainHttp http, String apiKey) throws Exception {
      Map<String, String> headers = Map.of("Authorization", "Basic " + basic(apiKey));
      for (int i = 0; i < WARM_UP_REQUESTS; i++) {
        int status = http.get("/data/metrics/warm-up/count", headers).status();
        if (status != 400) {
          throw new IllegalStateException("the warm-up request answered " + status + ", not 400");
        }
      }
    }

    /**
     * Each call over HTTP: {@code warmUpRounds} rounds of the whole mix unmeasured (the first
     * cold), then each call {@code reps} times measured; any non-200 stops the run.
     */
    private Map<Call, List<Long>> askApi(
        PlainHttp http, String apiKey, String cookie, List<Call> calls) throws Exception {
      Map<Call, Map<String, String>> requests = new LinkedHashMap<>();
      for (Call call : calls) {
        requests.put(
            call,
            call.family().startsWith("dashboard")
                ? Map.of("Cookie", cookie, "X-Playlens-Environment", "production")
                : call.family().startsWith("Wistia")
                    ? Map.of("Authorization", "Bearer " + apiKey) // Wistia's form
                    : Map.of("Authorization", "Basic " + basic(apiKey))); // api.video's
      }
      for (int round = 0; round < warmUpRounds; round++) {
        for (Map.Entry<Call, Map<String, String>> call : requests.entrySet()) {
          send(http, call.getKey(), call.getValue());
        }
      }
      Map<Call, List<Long>> times = new LinkedHashMap<>();
      for (Map.Entry<Call, Map<String, String>> call : requests.entrySet()) {
        for (int i = 0; i < reps; i++) {
          long start = System.nanoTime();
          send(http, call.getKey(), call.getValue());
          times
              .computeIfAbsent(call.getKey(), any -> new ArrayList<>())
              .add(System.nanoTime() - start);
        }
      }
      return times;
    }

    private static void send(PlainHttp http, Call call, Map<String, String> headers)
        throws Exception {
      PlainHttp.Response response = http.get(call.path(), headers);
      if (response.status() != 200) {
        throw new IllegalStateException(
            call.path() + " answered " + response.status() + ": " + response.text());
      }
    }

    /**
     * Two tables: per family, the API's percentiles and, over the calls with a direct question, the
     * store's, the ratio of the two p50s and that of the sums of the calls' p50s; then per call
     * with a direct question, its p50s and their ratio.
     */
    private static void report(
        List<Call> calls, Map<Call, List<Long>> api, Map<Call, List<Long>> direct) {
      Map<String, List<Long>> apiByFamily = new LinkedHashMap<>();
      Map<String, List<Long>> sqlByFamily = new LinkedHashMap<>();
      Map<String, List<Long>> sameCallsByFamily = new LinkedHashMap<>();
      // per family, the sums of the calls' API and SQL p50s
      Map<String, double[]> p50Sums = new LinkedHashMap<>();
      for (Call call : calls) {
        apiByFamily.computeIfAbsent(call.family(), any -> new ArrayList<>()).addAll(api.get(call));
        if (direct.containsKey(call)) {
          sqlByFamily
              .computeIfAbsent(call.family(), any -> new ArrayList<>())
              .addAll(direct.get(call));
          sameCallsByFamily
              .computeIfAbsent(call.family(), any -> new ArrayList<>())
              .addAll(api.get(call));
          double[] sums = p50Sums.computeIfAbsent(call.family(), any -> new double[2]);
          sums[0] += percentile(sorted(api.get(call)), 0.50);
          sums[1] += percentile(sorted(direct.get(call)), 0.50);
        }
      }
      // Two ratios per family: of the p50s of all its timings pooled (which, for calls of
      // different sizes, may compare one call's API time with another's SQL time), and of the sums
      // of each call's p50s (the same calls' typical time either way).
      System.out.println(
          "| family | calls | API p50 | API p95 | API p99 | SQL p50 | SQL p95 | API/SQL (p50)"
              + " | API/SQL (sum of calls' p50s) |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      List<Long> everything = new ArrayList<>();
      for (var family : apiByFamily.entrySet()) {
        everything.addAll(family.getValue());
        long[] apiTimes = sorted(family.getValue());
        List<Long> sql = sqlByFamily.get(family.getKey());
        String sqlColumns = " – | – | – | – |";
        if (sql != null) {
          long[] sqlTimes = sorted(sql);
          long[] sameCalls = sorted(sameCallsByFamily.get(family.getKey()));
          double[] sums = p50Sums.get(family.getKey());
          sqlColumns =
              String.format(
                  Locale.ROOT,
                  " %s | %s | %.2f | %.2f |",
                  ms(sqlTimes, 0.50),
                  ms(sqlTimes, 0.95),
                  percentile(sameCalls, 0.50) / (double) percentile(sqlTimes, 0.50),
                  sums[0] / sums[1]);
        }
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %s | %s | %s |%s%n",
            family.getKey(),
            apiTimes.length,
            ms(apiTimes, 0.50),
            ms(apiTimes, 0.95),
            ms(apiTimes, 0.99),
            sqlColumns);
      }
      long[] all = sorted(everything);
      System.out.printf(
          Locale.ROOT,
          "| **all** | %d | %s | %s | %s | | | | |%n",
          all.length,
          ms(all, 0.50),
          ms(all, 0.95),
          ms(all, 0.99));
      System.out.println();
      System.out.println("| call | API p50 | SQL p50 | API/SQL |");
      System.out.println("|---|---|---|---|");
      for (Call call : calls) {
        if (!direct.containsKey(call)) {
          continue;
        }
        long[] apiTimes = sorted(api.get(call));
        long[] sqlTimes = sorted(direct.get(call));
        System.out.printf(
            Locale.ROOT,
            "| %s %s | %s | %s | %.2f |%n",
            call.family(),
            call.name(),
            ms(apiTimes, 0.50),
            ms(sqlTimes, 0.50),
            percentile(apiTimes, 0.50) / (double) percentile(sqlTimes, 0.50));
      }
    }

    private static long[] sorted(List<Long> values) {
      long[] array = values.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(array);
      return array;
    }

    private static long percentile(long[] sorted, double quantile) {
      int index = (int) Math.ceil(quantile * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String ms(long[] sorted, double quantile) {
      return String.format(Locale.ROOT, "%.1f ms", percentile(sorted, quantile) / 1e6);
    }

    private static final Pattern FORM_TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** Signs in through the dashboard's form, as a browser does; returns the session cookie. */
    private static String signIn(HttpClient http, URI base, String email, String password)
        throws Exception {
      HttpResponse<String> form =
          http.send(
              HttpRequest.newBuilder(base.resolve("/sign-in")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher token = FORM_TOKEN.matcher(form.body());
      if (!token.find()) {
        throw new IllegalStateException("no sign-in form at " + base);
      }
      String formCookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
      HttpResponse<String> signedIn =
          http.send(
              HttpRequest.newBuilder(base.resolve("/sign-in"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", formCookie)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "csrf="
                              + token.group(1)
                              + "&email="
                              + encode(email)
                              + "&password="
                              + encode(password)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return signedIn.headers().allValues("Set-Cookie").stream()
          .filter(line -> line.startsWith("playlens_session="))
          .map(line -> line.split(";", 2)[0])
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("signing in failed: " + signedIn.statusCode()));
    }

    private static String basic(String apiKey) {
      return Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
      return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
  }
}
