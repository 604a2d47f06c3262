package io.playlens.store.duckdb;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.Collector;
import io.playlens.collect.EventType;
import io.playlens.collect.MediaInfo;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The session rollup gives the same answers however its sessions were sealed: all at once, piece by
 * piece with a session's events split across seals, or not at all (every answer then folds the raw
 * events in at query time). Two servers get the same beacons; only when they seal differs.
 */
class SessionRollupTest {
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  @TempDir Path fresh;
  @TempDir Path sealed;

  /** The range every question of these tests asks about. */
  private static final String WINDOW = "from=2026-11-19T00:00:00Z&to=2026-11-20T12:00:00Z";

  /** Every /data question over the whole history, in several cuts. */
  private static final List<String> QUESTIONS =
      List.of(
          "metrics/impression/count",
          "metrics/play/count",
          "metrics/play/rate",
          "metrics/start/count",
          "metrics/end/count",
          "metrics/impression-time/sum",
          "metrics/impression-time/average",
          "metrics/watch-time/sum",
          "metrics/watch-time/average",
          "metrics/view/count?viewDuration=3s",
          "metrics/view/count?viewDuration=30s&unique=true",
          "metrics/view/count?viewDuration=10s&unique=true",
          "metrics/ccv/peak",
          "metrics/ccv/peak?unique=true",
          "metrics/ccv/live",
          "metrics/play/total",
          "buckets/play/country",
          "buckets/view/browser",
          "buckets/play-rate/media-id",
          "buckets/play-total/media-id",
          "buckets/ccv-peak/device-type",
          "buckets/ccv-average/operating-system?unique=true",
          "timeseries/play",
          "timeseries/impression?interval=hour&pageSize=100",
          "timeseries/view?viewDuration=10s",
          "timeseries/ccv-peak",
          "timeseries/ccv-average");

  /** Simulated sessions over 25 hours, each cut into three beacons sent at three times. */
  private static List<List<Beacon>> parts(String playerKey, int sessions) {
    SessionSimulator simulator = new SessionSimulator(playerKey, 42);
    List<List<Beacon>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    long step = Duration.ofHours(25).toSeconds() / sessions;
    for (int i = 0; i < sessions; i++) {
      Beacon whole =
          simulator.session(NOW.minus(Duration.ofHours(30)).plusSeconds(i * step)).beacon();
      List<BeaconEvent> events = whole.events();
      int a = events.size() / 3;
      int b = 2 * events.size() / 3;
      List<List<BeaconEvent>> slices =
          List.of(events.subList(0, a), events.subList(a, b), events.subList(b, events.size()));
      for (int part = 0; part < 3; part++) {
        List<BeaconEvent> slice = slices.get(part);
        if (slice.isEmpty()) {
          continue;
        }
        parts
            .get(part)
            .add(
                new Beacon(
                    whole.key(),
                    whole.session(),
                    whole.viewer(),
                    slice.get(slice.size() - 1).at(),
                    whole.media(),
                    whole.pageUrl(),
                    whole.referrer(),
                    whole.email(),
                    List.copyOf(slice)));
      }
    }
    return parts;
  }

  private static void send(TestServer server, AccountAdmin.NewAccount tenant, List<Beacon> beacons)
      throws Exception {
    send(server, tenant, beacons, -1);
  }

  /** {@code beacons} to a server for one tenant, and to a reference server for another. */
  private static void sendToBoth(
      TestServer server,
      AccountAdmin.NewAccount tenant,
      TestServer reference,
      AccountAdmin.NewAccount referenceTenant,
      List<Beacon> beacons)
      throws Exception {
    send(server, tenant, beacons);
    send(reference, referenceTenant, beacons);
  }

  /** As above; and with {@code foldAt} 0 or more, folds the live rows before that beacon. */
  private static void send(
      TestServer server, AccountAdmin.NewAccount tenant, List<Beacon> beacons, int foldAt)
      throws Exception {
    Collector collector = server.server().collector();
    int i = 0;
    for (Beacon beacon : beacons) {
      if (i == foldAt) {
        server.server().embedded().fold();
      }
      // Two viewers share each address and browser, so unique counts differ from plain ones.
      String ip = "81.2.69." + (140 + (i++ / 2) % 20);
      Beacon keyed =
          new Beacon(
              tenant.productionPlayerKey().key(),
              beacon.session(),
              beacon.viewer(),
              beacon.sentAt(),
              beacon.media(),
              beacon.pageUrl(),
              beacon.referrer(),
              beacon.email(),
              beacon.events());
      collector
          .collect(
              keyed,
              tenant.productionPlayerKey(),
              new Collector.Client(java.net.InetAddress.getByName(ip), TestServer.BROWSER, null),
              beacon.sentAt())
          .join();
    }
  }

  private static Map<String, String> answers(TestServer server, AccountAdmin.NewAccount tenant) {
    Map<String, String> answers = new LinkedHashMap<>();
    for (String question : QUESTIONS) {
      String path = "/data/" + question + (question.contains("?") ? "&" : "?") + WINDOW;
      HttpResponse<String> response =
          server.get(path, basic(tenant.productionApiKey().secret(), ""));
      assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
      answers.put(question, response.body());
    }
    return answers;
  }

  /** Each answer as expected, the question named when one differs. */
  private static void same(Map<String, String> actual, Map<String, String> expected) {
    SoftAssertions softly = new SoftAssertions();
    expected.forEach(
        (question, answer) ->
            softly.assertThat(actual.get(question)).as(question).isEqualTo(answer));
    softly.assertAll();
  }

  /**
   * With few sessions and with more (where sums of floating-point seconds in a different order
   * would differ in their last digits); with no folds into the live rows before the seals merge,
   * with one halfway through each part, and with a thread folding all the while (so folds run while
   * seals are written, and after each seal some rows are newer than it).
   */
  @ParameterizedTest
  @CsvSource({
    "150, none",
    "600, none",
    "150, halfway",
    "600, halfway",
    "150, concurrent",
    "600, concurrent"
  })
  void sealingPieceByPieceOrNotAtAllGivesTheSameAnswers(int sessions, String folds)
      throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (TestServer unsealed =
            TestServer.start(
                fresh,
                config -> config.sealInterval(Duration.ZERO).foldLimit(Integer.MAX_VALUE),
                clock);
        TestServer pieces =
            TestServer.start(
                sealed,
                config -> config.sealInterval(Duration.ZERO).foldLimit(Integer.MAX_VALUE),
                clock)) {
      AccountAdmin.NewAccount a =
          unsealed.createAccount("rollup", "rollup password", ZoneId.of("Europe/Paris"));
      AccountAdmin.NewAccount b =
          pieces.createAccount("rollup", "rollup password", ZoneId.of("Europe/Paris"));
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), sessions);
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong folded = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.CompletableFuture<Void> folder =
          folds.equals("concurrent")
              ? java.util.concurrent.CompletableFuture.runAsync(
                  () -> {
                    while (!stop.get()) {
                      try {
                        pieces.server().embedded().fold();
                        folded.incrementAndGet();
                      } catch (io.playlens.store.StoreException e) {
                        throw new IllegalStateException(e);
                      }
                    }
                  })
              : java.util.concurrent.CompletableFuture.completedFuture(null);
      for (int i = 0; i < parts.size(); i++) {
        send(unsealed, a, parts.get(i));
        // Folded, or not, into the live rows halfway, the second half left for the seal to merge.
        send(pieces, b, parts.get(i), folds.equals("halfway") ? parts.get(i).size() / 2 : -1);
        if (i < parts.size() - 1) {
          assertThat(pieces.server().store().seal()).isPositive();
        }
      }
      stop.set(true);
      folder.join();
      if (folds.equals("concurrent")) {
        assertThat(folded.get()).isGreaterThan(3);
      }
      assertThat(unsealed.query("SELECT count(*) AS n FROM session_rollup"))
          .containsExactly(Map.of("n", 0L)); // everything is folded in at query time
      Map<String, String> expected = answers(unsealed, a);
      assertThat(expected.get("metrics/play/count")).doesNotContain("\"data\":0}");
      // Two parts sealed, the third folded in at query time:
      same(answers(pieces, b), expected);
      assertThat(pieces.server().store().seal()).isPositive();
      same(answers(pieces, b), expected);

      // Sealed once, the unsealed server answers the same too, from the same rows: the rows
      // folded in three seals equal those folded in one. And the rows the seal merged (in Java,
      // see SessionMerge) are those the statement that queries fold in with merges.
      String columns = "SELECT " + SessionRollup.COLUMNS + " FROM ";
      List<Map<String, Object>> bySql =
          unsealed.query(
              columns
                  + "("
                  + SessionRollup.merged("-1", Long.toString(Long.MAX_VALUE), false)
                  + ") ORDER BY session_id");
      assertThat(unsealed.server().store().seal()).isPositive();
      assertThat(unsealed.query(columns + "session_rollup ORDER BY session_id").toString())
          .isEqualTo(bySql.toString());
      same(answers(unsealed, a), expected);
      String rows = "SELECT * EXCLUDE (account) FROM session_rollup ORDER BY session_id";
      List<Map<String, Object>> once = unsealed.query(rows);
      assertThat(once).hasSizeGreaterThan(100);
      assertThat(pieces.query(rows).toString()).isEqualTo(once.toString());
      String marks = "SELECT * EXCLUDE (account) FROM live_marks ORDER BY session_id, mark";
      assertThat(unsealed.query(marks)).hasSizeGreaterThan(100);
      assertThat(pieces.query(marks).toString()).isEqualTo(unsealed.query(marks).toString());
      String viewers =
          "SELECT * EXCLUDE (account) FROM daily_viewers ORDER BY day, user_agent, ip, watched";
      assertThat(unsealed.query(viewers)).hasSizeGreaterThan(10);
      assertThat(pieces.query(viewers).toString()).isEqualTo(unsealed.query(viewers).toString());
      String steps =
          "SELECT * EXCLUDE (account) FROM daily_engagement ORDER BY media_id, day, cell";
      assertThat(unsealed.query(steps)).hasSizeGreaterThan(10);
      assertThat(pieces.query(steps).toString()).isEqualTo(unsealed.query(steps).toString());
      String visitors =
          "SELECT * EXCLUDE (account, k) FROM media_visitors ORDER BY media_id, viewer_id";
      assertThat(unsealed.query(visitors)).hasSizeGreaterThan(10);
      assertThat(pieces.query(visitors).toString()).isEqualTo(unsealed.query(visitors).toString());
      String counts = "SELECT * EXCLUDE (account) FROM live_counts ORDER BY dimension, value, mark";
      assertThat(unsealed.query(counts)).hasSizeGreaterThan(100);
      assertThat(pieces.query(counts).toString()).isEqualTo(unsealed.query(counts).toString());
    }
  }

  /**
   * A query counts in its account's unsealed events itself up to the fold limit; with more (a busy
   * account, the sealer a moment behind) it answers from the rollup as last sealed, until the next
   * seal. Another account's unsealed events change nothing for it.
   */
  @org.junit.jupiter.api.Test
  void pastTheFoldLimitAQueryReadsTheRollupAsLastSealed() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (TestServer server =
        TestServer.start(
            fresh,
            config -> config.sealInterval(Duration.ZERO).foldLimit(40).busyFoldLimit(40),
            clock)) {
      AccountAdmin.NewAccount busy = server.createAccount("busy", "busy password");
      AccountAdmin.NewAccount quiet = server.createAccount("quiet", "quiet password");
      List<List<Beacon>> sessions = parts(busy.productionPlayerKey().key(), 30);
      List<Beacon> first = sessions.get(0);
      int events = 0;
      int fits = 0;
      while (fits < first.size() && events + first.get(fits).events().size() <= 40) {
        events += first.get(fits++).events().size();
      }
      send(server, busy, first.subList(0, fits));
      send(server, quiet, first.subList(0, 2));
      String impressions = impressions(server, busy);
      assertThat(impressions).isNotEqualTo("0"); // within the limit: counted at once

      send(server, busy, first.subList(fits, first.size()));
      assertThat(impressions(server, busy)).isEqualTo("0"); // past it: as sealed, nothing yet
      assertThat(impressions(server, quiet)).isNotEqualTo("0"); // its own few still count

      assertThat(server.server().store().seal()).isPositive();
      assertThat(Long.parseLong(impressions(server, busy)))
          .isEqualTo(first.size())
          .isGreaterThan(Long.parseLong(impressions));
    }
  }

  /**
   * Past the fold limit, a filtered question still counts its own sessions' unsealed events: it
   * folds in just the sessions its filters can match while no live rows are kept past the seal
   * (here no step ever runs), and answers exactly as a server that folds in everything. Among them
   * a session whose later beacons bring a referrer it lacked and come from another country: its
   * sealed row and its merged row match different filters.
   */
  @org.junit.jupiter.api.Test
  void pastTheFoldLimitAFilteredQueryFoldsInTheSessionsItAsksAbout() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (TestServer asked =
            TestServer.start(
                fresh,
                config -> config.sealInterval(Duration.ZERO).foldLimit(0).busyFoldLimit(1_000_000),
                clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = asked.createAccount("asked", "asked password");
      AccountAdmin.NewAccount b = all.createAccount("asked", "asked password");
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), 60);
      List<Beacon> late = lateValues(a.productionPlayerKey().key());
      for (int part = 0; part < 2; part++) {
        for (TestServer server : List.of(asked, all)) {
          AccountAdmin.NewAccount tenant = server == asked ? a : b;
          send(server, tenant, parts.get(part));
          send(server, tenant, List.of(late.get(part)), part == 0 ? "81.2.69.142" : "8.8.8.8");
        }
        if (part == 0) {
          assertThat(asked.server().store().seal()).isPositive();
          assertThat(all.server().store().seal()).isPositive();
        }
      }
      List<String> filters =
          List.of(
              "filterBy[mediaId]=" + top(all, b, "media-id", 0),
              "filterBy[mediaId][]="
                  + top(all, b, "media-id", 0)
                  + "&filterBy[mediaId][]="
                  + top(all, b, "media-id", 1),
              "filterBy[mediaId]=late&filterBy[country]=GB",
              "filterBy[mediaId]=late&filterBy[country]=US",
              "filterBy[referrer]=https://late.example/",
              "filterBy[country]=US",
              "filterBy[browser]=chrome&filterBy[mediaType]=video",
              "filterBy[deviceType]=computer&filterBy[continent]=EU");
      Map<String, Map<String, String>> expected = new LinkedHashMap<>();
      for (String filter : filters) {
        expected.put(filter, answers(all, b, filter));
        assertThat(expected.get(filter).values())
            .as(filter)
            .filteredOn(answer -> answer.startsWith("200 "))
            .hasSizeGreaterThanOrEqualTo(QUESTIONS.size() - 2); // the two all-time play totals
        same(answers(asked, a, filter), expected.get(filter));
      }
      // each folded in its own sessions: none read live rows (none were folded past the seal)
      assertThat(
              asked.query(
                  "SELECT count(*) AS n FROM folds.live"
                      + " WHERE base = (SELECT sealed_batch FROM rollup_state)"))
          .containsExactly(Map.of("n", 0L));
      assertThat(expected.get(filters.get(2)).get("metrics/play/count")).contains("\"data\":1}");
      assertThat(expected.get(filters.get(3)).get("metrics/play/count")).contains("\"data\":0}");
      assertThat(expected.get(filters.get(4)).get("metrics/play/count")).contains("\"data\":1}");
    }
  }

  /**
   * Past the fold limit, a filtered question reads the live rows too while they are fresh: as of
   * the last fold, exactly what a server that folds everything in at query time answered then (the
   * events sent since are not in them yet), and after the next fold what it answers now. Before any
   * fold past the seal it folds in its own sessions itself, exactly.
   */
  @org.junit.jupiter.api.Test
  void pastTheFoldLimitAFilteredQueryReadsFreshLiveRows() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (TestServer folding = readingLiveRows(fresh, Duration.ofMinutes(12), clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = folding.createAccount("fresh", "fresh password");
      AccountAdmin.NewAccount b = all.createAccount("fresh", "fresh password");
      DuckDbEventStore store = folding.server().embedded();
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), 60);
      sendToBoth(folding, a, all, b, parts.get(0));
      assertThat(store.seal()).isPositive();
      assertThat(all.server().store().seal()).isPositive();
      String filter = "filterBy[mediaId]=" + top(all, b, "media-id", 0);
      Map<String, String> sealedAnswers = answers(all, b, filter);

      sendToBoth(folding, a, all, b, parts.get(1));
      Map<String, String> now = answers(all, b, filter);
      assertThat(now.get("metrics/watch-time/sum"))
          .isNotEqualTo(sealedAnswers.get("metrics/watch-time/sum"));
      same(answers(folding, a, filter), now); // nothing folded past the seal: its own fold
      store.fold();
      sendToBoth(folding, a, all, b, parts.get(2));
      Map<String, String> later = answers(all, b, filter);
      assertThat(later.get("metrics/watch-time/sum"))
          .isNotEqualTo(now.get("metrics/watch-time/sum"));
      same(answers(folding, a, filter), now); // as of the last fold
      store.fold();
      same(answers(folding, a, filter), later);
    }
  }

  /**
   * Past the fold limit, a question about all sessions reads the live rows the sealer folds between
   * seals: as of the last fold, exactly what a server that folds everything in at query time
   * answered at that moment; then, after the next fold and after a seal, what it answers now. The
   * fold after a seal starts from it, and the rows the seal wrote are deleted.
   */
  @org.junit.jupiter.api.Test
  void pastTheFoldLimitQuestionsAboutAllSessionsReadTheLiveRows() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    // rows (or a last step) an hour old would not lag
    try (TestServer folding = readingLiveRows(fresh, Duration.ofMinutes(12), clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = folding.createAccount("live", "live password");
      AccountAdmin.NewAccount b = all.createAccount("live", "live password");
      DuckDbEventStore store = folding.server().embedded();
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), 60);
      // and a session whose later beacon brings a referrer it lacked, from another country
      List<Beacon> late = lateValues(a.productionPlayerKey().key());
      send(folding, a, parts.get(0));
      send(all, b, parts.get(0));
      send(folding, a, List.of(late.get(0)), "81.2.69.142");
      send(all, b, List.of(late.get(0)), "81.2.69.142");
      Map<String, String> sealedAnswers = answers(all, b);
      assertThat(store.seal()).isPositive();
      assertThat(all.server().store().seal()).isPositive();

      send(folding, a, parts.get(1));
      send(all, b, parts.get(1));
      send(folding, a, List.of(late.get(1)), "8.8.8.8");
      send(all, b, List.of(late.get(1)), "8.8.8.8");
      same(answers(folding, a), sealedAnswers); // nothing folded since the seal yet
      store.fold();
      Map<String, String> folded = answers(all, b);
      assertThat(folded.get("metrics/watch-time/sum"))
          .isNotEqualTo(sealedAnswers.get("metrics/watch-time/sum"));
      same(answers(folding, a), folded);

      send(folding, a, parts.get(2));
      send(all, b, parts.get(2));
      same(answers(folding, a), folded); // as of the last fold
      store.fold();
      Map<String, String> now = answers(all, b);
      same(answers(folding, a), now);
      assertThat(store.seal()).isPositive();
      same(answers(folding, a), now);
      // the next fold starts from the seal: the rows it wrote go
      assertThat(folding.query("SELECT count(*) AS n FROM folds.live").get(0).get("n"))
          .isNotEqualTo(0L);
      store.fold();
      assertThat(folding.query("SELECT count(*) AS n FROM folds.live"))
          .containsExactly(Map.of("n", 0L));
      same(answers(folding, a), now);
    }
  }

  /**
   * When the folder has not stepped for a while (nobody asked, so it keeps no live rows), the first
   * questions about all of a busy account's sessions fold the events since the seal in themselves,
   * in SQL, rather than answer from the last seal or wait for the folder's first steps: every
   * answer counts them, as a server folding everything at query time.
   */
  @org.junit.jupiter.api.Test
  void theFirstQuestionsAfterAQuietSpellFoldRatherThanAnswerFromTheLastSeal() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    // no folder thread: the last step (none since the store opened) lags once 5 ms old
    try (TestServer quiet = readingLiveRows(fresh, Duration.ofMillis(1), clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = quiet.createAccount("live", "live password");
      AccountAdmin.NewAccount b = all.createAccount("live", "live password");
      DuckDbEventStore store = quiet.server().embedded();
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), 60);
      sendToBoth(quiet, a, all, b, parts.get(0));
      Map<String, String> sealedAnswers = answers(all, b);
      assertThat(store.seal()).isPositive();
      sendToBoth(quiet, a, all, b, parts.get(1));
      assertThat(store.folds()).isZero();
      Thread.sleep(20);

      Map<String, String> now = answers(all, b);
      assertThat(now.get("metrics/watch-time/sum"))
          .isNotEqualTo(sealedAnswers.get("metrics/watch-time/sum"));
      same(answers(quiet, a), now);
      assertThat(store.folds()).isZero();
    }
  }

  /**
   * Live rows cut longer ago than a few fold intervals lag behind the folder's pace (it has just
   * started after a quiet spell, or falls behind): a question then folds the unsealed events in
   * itself rather than answer as of those rows.
   */
  @org.junit.jupiter.api.Test
  void questionsFoldInThemselvesWhenTheLiveRowsLag() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    // rows lag once 5 ms old
    try (TestServer lagging = readingLiveRows(fresh, Duration.ofMillis(1), clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = lagging.createAccount("live", "live password");
      AccountAdmin.NewAccount b = all.createAccount("live", "live password");
      DuckDbEventStore store = lagging.server().embedded();
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), 60);
      sendToBoth(lagging, a, all, b, parts.get(0));
      assertThat(store.seal()).isPositive();
      sendToBoth(lagging, a, all, b, parts.get(1));
      store.fold();
      String filter = "filterBy[mediaId]=" + top(all, b, "media-id", 0);
      Map<String, String> folded = answers(all, b);
      Map<String, String> foldedOfOne = answers(all, b, filter);
      sendToBoth(lagging, a, all, b, parts.get(2));
      Thread.sleep(20);
      Map<String, String> now = answers(all, b);
      assertThat(now.get("metrics/watch-time/sum"))
          .isNotEqualTo(folded.get("metrics/watch-time/sum"));
      same(answers(lagging, a), now);
      // a filtered question folds in its own sessions itself
      Map<String, String> nowOfOne = answers(all, b, filter);
      assertThat(nowOfOne.get("metrics/watch-time/sum"))
          .isNotEqualTo(foldedOfOne.get("metrics/watch-time/sum"));
      same(answers(lagging, a, filter), nowOfOne);
    }
  }

  /**
   * A step that meets more sessions than it looks up through the index (the first after a quiet
   * spell meets thousands) reads their sealed rows and contexts through tables of their ids, and
   * its rows answer exactly as the merge SQL's.
   */
  @org.junit.jupiter.api.Test
  void aStepMeetingManySessionsMergesThemAsTheSqlDoes() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    int sessions = 2 * SessionMerge.INDEXED_LOOKUPS; // two thirds have events in each part
    try (TestServer folding = readingLiveRows(fresh, Duration.ofMinutes(12), clock);
        TestServer all = foldingEverything(sealed, clock)) {
      AccountAdmin.NewAccount a = folding.createAccount("many", "many password");
      AccountAdmin.NewAccount b = all.createAccount("many", "many password");
      DuckDbEventStore store = folding.server().embedded();
      List<List<Beacon>> parts = parts(a.productionPlayerKey().key(), sessions);
      sendToBoth(folding, a, all, b, parts.get(0));
      // every session with events in part 0 has some in part 1, and the step knows none of them
      assertThat(store.seal()).isGreaterThan(SessionMerge.INDEXED_LOOKUPS);
      sendToBoth(folding, a, all, b, parts.get(1));
      store.fold();
      assertThat(store.folds()).isEqualTo(1);
      same(answers(folding, a), answers(all, b));
    }
  }

  /**
   * A step's rows, appended from Java, hold exactly what the merge SQL computes for lists of odd
   * values: media tags with quotes, a backslash, brackets, commas and letters beyond ASCII, and
   * watched positions of a hundred-thousandth of a second or seventeen digits.
   */
  @org.junit.jupiter.api.Test
  void aStepsRowsHoldTheirListsExactly() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    try (TestServer folding = readingLiveRows(fresh, Duration.ofMinutes(12), clock)) {
      AccountAdmin.NewAccount a = folding.createAccount("lists", "lists password");
      List<String> tags = List.of("say \"hi\"", "back\\slash", "[a, b]", "it's", "été ✓");
      MediaInfo media = new MediaInfo("odd", 60.0, "video", "Odd", tags);
      Instant start = NOW.minus(Duration.ofHours(1));
      List<BeaconEvent> events =
          List.of(
              new BeaconEvent(
                  EventType.IMPRESSION, start, null, null, null, null, null, null, null),
              new BeaconEvent(
                  EventType.PLAY,
                  start.plusSeconds(1),
                  0.00001,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null),
              watched(start.plusSeconds(2), 0.00001, 0.1 + 0.2),
              watched(start.plusSeconds(40), 3.3, 59.999999999),
              watched(start.plusSeconds(50), 0.2, 4.0));
      send(
          folding,
          a,
          List.of(
              new Beacon(
                  a.productionPlayerKey().key(),
                  "odd-session",
                  "odd-viewer",
                  start.plusSeconds(50),
                  media,
                  null,
                  null,
                  null,
                  events)),
          "81.2.69.140");
      folding.server().embedded().fold();

      String columns = "SELECT " + SessionRollup.COLUMNS + " FROM ";
      List<Map<String, Object>> live = folding.query(columns + "folds.live");
      assertThat(live).hasSize(1);
      assertThat(live.toString())
          .isEqualTo(
              folding
                  .query(
                      columns
                          + "("
                          + SessionRollup.merged("-1", Long.toString(Long.MAX_VALUE), false)
                          + ")")
                  .toString());
      assertThat(folding.query("SELECT media_tags FROM folds.live").toString())
          .contains(tags.toString());
    }
  }

  private static BeaconEvent watched(Instant at, double from, double to) {
    return new BeaconEvent(EventType.WATCH, at, null, from, to, null, null, null, null);
  }

  /**
   * A server that seals and folds only when told (no sealer or folder thread), whose questions
   * about all sessions read the live rows from the first unsealed event on; they lag once five
   * {@code foldInterval}s old.
   */
  private static TestServer readingLiveRows(
      Path dataDir, Duration foldInterval, MutableClock clock) {
    return TestServer.start(
        dataDir,
        config ->
            config
                .sealInterval(Duration.ZERO)
                .foldInterval(foldInterval)
                .foldLimit(0)
                .busyFoldLimit(1_000_000),
        clock);
  }

  /** A server that seals only when told and folds every unsealed event into every answer. */
  private static TestServer foldingEverything(Path dataDir, MutableClock clock) {
    return TestServer.start(
        dataDir, config -> config.sealInterval(Duration.ZERO).foldLimit(Integer.MAX_VALUE), clock);
  }

  /**
   * One session in two beacons: the first without a referrer, from an address in Great Britain; the
   * second with a referrer, sent from the United States.
   */
  private static List<Beacon> lateValues(String key) {
    MediaInfo media = new MediaInfo("late", 60.0, "video", "Late", List.of("late"));
    Instant start = NOW.minus(Duration.ofHours(2));
    BeaconEvent impression =
        new BeaconEvent(EventType.IMPRESSION, start, null, null, null, null, null, null, null);
    BeaconEvent play =
        new BeaconEvent(
            EventType.PLAY, start.plusSeconds(1), 0.0, null, null, null, null, null, null);
    BeaconEvent watch =
        new BeaconEvent(
            EventType.WATCH, start.plusSeconds(11), null, 0.0, 10.0, null, null, null, null);
    return List.of(
        new Beacon(
            key,
            "late-session",
            "late-viewer",
            start.plusSeconds(1),
            media,
            null,
            null,
            null,
            List.of(impression)),
        new Beacon(
            key,
            "late-session",
            "late-viewer",
            start.plusSeconds(11),
            media,
            null,
            "https://late.example/",
            null,
            List.of(play, watch)));
  }

  private static void send(
      TestServer server, AccountAdmin.NewAccount tenant, List<Beacon> beacons, String ip)
      throws Exception {
    for (Beacon beacon : beacons) {
      server
          .server()
          .collector()
          .collect(
              beacon,
              tenant.productionPlayerKey(),
              new Collector.Client(java.net.InetAddress.getByName(ip), TestServer.BROWSER, null),
              beacon.sentAt())
          .join();
    }
  }

  /** The dimension value with the {@code rank}-th most plays. */
  private static String top(
      TestServer server, AccountAdmin.NewAccount tenant, String dimension, int rank)
      throws Exception {
    HttpResponse<String> response =
        server.get(
            "/data/buckets/play/" + dimension + "?sortBy=metricValue&sortOrder=desc&" + WINDOW,
            basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(response.body())
        .get("data")
        .get(rank)
        .get("dimensionValue")
        .asText();
  }

  private static Map<String, String> answers(
      TestServer server, AccountAdmin.NewAccount tenant, String filter) {
    Map<String, String> answers = new LinkedHashMap<>();
    String window = WINDOW + "&" + filter;
    for (String question : QUESTIONS) {
      String path = "/data/" + question + (question.contains("?") ? "&" : "?") + window;
      HttpResponse<String> response =
          server.get(path, basic(tenant.productionApiKey().secret(), ""));
      // play/total takes media filters alone: its 400 must be the same too
      answers.put(question, response.statusCode() + " " + response.body());
    }
    return answers;
  }

  private static String impressions(TestServer server, AccountAdmin.NewAccount tenant) {
    HttpResponse<String> response =
        server.get(
            "/data/metrics/impression/count?from=2026-11-19T00:00:00Z&to=2026-11-20T12:00:00Z",
            basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body().replaceAll(".*\"data\":([0-9]+).*", "$1");
  }
}
