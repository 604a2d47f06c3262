package io.playlens.cli;

import io.playlens.account.Account;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Environment;
import io.playlens.account.User;
import io.playlens.enrich.UserAgents;
import io.playlens.query.Dimension;
import io.playlens.query.Filters;
import io.playlens.query.Grouping;
import io.playlens.query.Queries;
import io.playlens.query.Scope;
import io.playlens.query.TimeBuckets;
import io.playlens.query.WistiaStats;
import io.playlens.server.PlaylensServer;
import io.playlens.store.StoreException;
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
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code playlens bench ...}: benchmarks that need the server in-process. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that run the server in-process on a data dir.",
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
          "Run a fixed mix of API and dashboard calls against the store of --data (the server runs"
              + " in-process on a free port) and report p50/p95/p99 per endpoint family, with the"
              + " same questions asked of the store directly and the API-over-SQL ratio."
              + " The server must not be running on that data dir.")
  static final class QueriesBenchmark implements Callable<Integer> {
    @Mixin ServerOptions options;

    @Option(names = "--account", required = true, description = "The account to query")
    String account;

    @Option(
        names = "--reps",
        defaultValue = "20",
        description = "Times each call is made after one cold run (default ${DEFAULT-VALUE})")
    int reps;

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

    @Override
    public Integer call() throws Exception {
      if (reps < 1 || days < 1) {
        System.err.println("bench: --reps and --days must be at least 1");
        return 2;
      }
      options.port = 0;
      options.rateLimitProduction = 1_000_000;
      options.rateLimitSandbox = 1_000_000;
      try (PlaylensServer server = PlaylensServer.start(options.toConfig(), new UserAgents())) {
        AccountAdmin admin = server.admin();
        Account target = admin.account(account);
        var key = admin.createApiKey(account, Environment.PRODUCTION);
        String email = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "@bench.invalid";
        String password = UUID.randomUUID().toString();
        User user = admin.addUser(account, email, password, User.Role.OWNER, false, List.of());
        try {
          URI base = URI.create("http://127.0.0.1:" + server.port());
          HttpClient http = HttpClient.newHttpClient();
          String cookie = signIn(http, base, email, password);
          try (Queries queries =
              new Queries(
                  server.embedded()::readConnection,
                  server.embedded()::unsealedEvents,
                  server.config().foldLimit())) {
            List<Call> calls = mix(queries, target, topMedia(queries));
            System.err.printf(
                "bench: %d calls × (1 cold + %d) against account '%s'%n",
                calls.size(), reps, account);
            run(http, base, key.secret(), cookie, calls);
          }
        } finally {
          admin.revokeKey(account, key.key().id());
          admin.removeUser(account, user.id());
        }
      }
      return 0;
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
      calls.add(
          new Call(
              wistia,
              "medias/{id}",
              "/v1/stats/medias/" + encode(media),
              () ->
                  stats.figures(
                      new Scope(
                          account,
                          "production",
                          kept.from(),
                          kept.to(),
                          Filters.ofMedia(List.of(media))),
                      null)));
      calls.add(
          new Call(
              wistia,
              "medias/{id}/engagement",
              "/v1/stats/medias/" + encode(media) + "/engagement",
              () ->
                  stats.engagement(
                      account, "production", media, null, kept.from(), kept.to(), null)));
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

    private void run(HttpClient http, URI base, String apiKey, String cookie, List<Call> calls)
        throws Exception {
      Map<String, List<Long>> api = new LinkedHashMap<>();
      Map<String, List<Long>> direct = new LinkedHashMap<>();
      Map<String, List<Long>> directApi = new LinkedHashMap<>();
      for (Call call : calls) {
        boolean session = call.family().startsWith("dashboard");
        HttpRequest.Builder builder =
            HttpRequest.newBuilder(base.resolve(call.path())).timeout(Duration.ofSeconds(60));
        if (session) {
          builder.header("Cookie", cookie).header("X-Playlens-Environment", "production");
        } else if (call.family().startsWith("Wistia")) {
          builder.header("Authorization", "Bearer " + apiKey); // Wistia's form
        } else {
          builder.header("Authorization", "Basic " + basic(apiKey)); // api.video's
        }
        HttpRequest request = builder.GET().build();
        for (int i = 0; i <= reps; i++) {
          long start = System.nanoTime();
          HttpResponse<byte[]> response =
              http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          long took = System.nanoTime() - start;
          if (response.statusCode() != 200) {
            throw new IllegalStateException(
                call.path()
                    + " answered "
                    + response.statusCode()
                    + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
          }
          if (i > 0) {
            api.computeIfAbsent(call.family(), any -> new ArrayList<>()).add(took);
            if (call.direct() != null) {
              directApi.computeIfAbsent(call.family(), any -> new ArrayList<>()).add(took);
            }
          }
        }
        if (call.direct() != null) {
          for (int i = 0; i <= reps; i++) {
            long start = System.nanoTime();
            call.direct().ask();
            long took = System.nanoTime() - start;
            if (i > 0) {
              direct.computeIfAbsent(call.family(), any -> new ArrayList<>()).add(took);
            }
          }
        }
      }
      System.out.println(
          "| family | calls | API p50 | API p95 | API p99 | SQL p50 | SQL p95 | API/SQL (p50) |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      List<Long> everything = new ArrayList<>();
      for (var family : api.entrySet()) {
        everything.addAll(family.getValue());
        long[] apiTimes = sorted(family.getValue());
        List<Long> sql = direct.get(family.getKey());
        String sqlColumns = " – | – | – |";
        if (sql != null) {
          long[] sqlTimes = sorted(sql);
          long[] sameCalls = sorted(directApi.get(family.getKey()));
          sqlColumns =
              String.format(
                  Locale.ROOT,
                  " %s | %s | %.2f |",
                  ms(sqlTimes, 0.50),
                  ms(sqlTimes, 0.95),
                  percentile(sameCalls, 0.50) / (double) percentile(sqlTimes, 0.50));
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
          "| **all** | %d | %s | %s | %s | | | |%n",
          all.length,
          ms(all, 0.50),
          ms(all, 0.95),
          ms(all, 0.99));
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
