package io.playlens.cli;

import io.playlens.account.AccountAdmin;
import io.playlens.account.Environment;
import io.playlens.account.PlayerKey;
import io.playlens.account.Retention;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.CollectResult;
import io.playlens.collect.Collector;
import io.playlens.enrich.GeoInstaller;
import io.playlens.enrich.UserAgents;
import io.playlens.server.PlaylensServer;
import io.playlens.server.ServerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code playlens demo}: the quick start. Installs geo data, creates a demo account's player key,
 * starts the server and, on a fresh store, fills it with simulated viewing sessions sent through
 * the real collection pipeline (enrichment, group commit).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Set up and run Playlens with demo data (geo data, a demo player key, simulated sessions).")
public final class DemoCommand implements Callable<Integer> {
  static final String DEMO_ACCOUNT = "demo";
  static final String DEMO_EMAIL = "owner@demo.playlens.test";
  static final String DEMO_PASSWORD = "demo-password";

  @Mixin ServerOptions options;

  @Option(
      names = "--sessions",
      defaultValue = "6000",
      description = "Sessions to simulate on a fresh store (default ${DEFAULT-VALUE})")
  int sessions;

  @Option(
      names = "--days",
      defaultValue = "35",
      description = "Spread the sessions over this many past days (default ${DEFAULT-VALUE})")
  int days;

  @Option(
      names = "--skip-geo",
      description = "Do not fetch geo data (place and organisation stay empty)")
  boolean skipGeo;

  @Option(names = "--no-serve", description = "Set up and generate, then exit instead of serving")
  boolean noServe;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.toConfig();
    if (!skipGeo) {
      try {
        new GeoInstaller(System.out).install(config.geoDir(), false);
      } catch (java.io.IOException e) {
        System.err.println(
            "demo: could not install geo data (" + e.getMessage() + "); continuing without it");
      }
    }
    PlaylensServer server = PlaylensServer.start(config, new UserAgents());
    String base = "http://" + config.bind() + ":" + server.port();
    DemoAccount demo = demoAccount(server.admin(), base);
    long stored = server.store().countEvents();
    if (stored == 0) {
      generate(server, demo.playerKey());
    } else {
      System.out.printf("demo: the store already holds %,d events; not generating more%n", stored);
    }
    System.out.printf(
        "%nPlaylens is running at %s%n  demo player: %s/demo%n  about:   %s/about%n"
            + "  health:  %s/healthz%n  metrics: %s/metrics%n"
            + "  account '%s': owner %s, password %s%n"
            + "  production player key: %s%n%s%n",
        base,
        base,
        base,
        base,
        base,
        DEMO_ACCOUNT,
        DEMO_EMAIL,
        DEMO_PASSWORD,
        demo.playerKey().key(),
        demo.apiKeys());
    if (noServe) {
      server.close();
      return 0;
    }
    new LiveViewers(server.collector(), demo.playerKey(), java.time.Clock.systemUTC()).start();
    System.out.println(
        "demo: a few simulated viewers are watching now (the dashboard's live count)");
    ServeCommand.runUntilStopped(server);
    return 0;
  }

  private record DemoAccount(PlayerKey playerKey, String apiKeys) {}

  /** The demo account, created on first run with its keys (API keys are shown only then). */
  private static DemoAccount demoAccount(AccountAdmin admin, String base) {
    boolean exists = admin.accounts().stream().anyMatch(a -> a.key().equals(DEMO_ACCOUNT));
    if (!exists) {
      AccountAdmin.NewAccount created =
          admin.createAccount(
              DEMO_ACCOUNT,
              "Demo Inc",
              DEMO_EMAIL,
              DEMO_PASSWORD,
              Retention.DAYS_90,
              ZoneId.of("Europe/Paris"),
              false); // its password is in the README: never an operator
      return new DemoAccount(
          created.productionPlayerKey(),
          String.format(
              "  production API key:    %s%n  sandbox API key:       %s%n"
                  + "  (API keys are shown once; keep them)",
              created.productionApiKey().secret(), created.sandboxApiKey().secret()));
    }
    PlayerKey key =
        admin.playerKeys(DEMO_ACCOUNT).stream()
            .filter(k -> k.environment() == Environment.PRODUCTION && !k.revoked())
            .findFirst()
            .orElseGet(
                () -> admin.createPlayerKey(DEMO_ACCOUNT, Environment.PRODUCTION, List.of()));
    return new DemoAccount(
        key,
        "  API keys were shown when the account was created; make another with\n"
            + "  curl -u "
            + DEMO_EMAIL
            + ":"
            + DEMO_PASSWORD
            + " -X POST -H 'Content-Type: application/json' -d '{\"type\":\"api\",\"environment\":\"production\"}' "
            + base
            + "/admin/v1/accounts/demo/keys");
  }

  private void generate(PlaylensServer server, PlayerKey key) throws Exception {
    SessionSimulator simulator = new SessionSimulator(key.key(), 20261122L);
    Random random = new Random(7);
    Instant now = Instant.now();
    long span = Duration.ofDays(days).toSeconds();
    Collector collector = server.collector();
    List<CompletableFuture<CollectResult>> pending = new ArrayList<>();
    int events = 0;
    int dropped = 0;
    for (int i = 1; i <= sessions; i++) {
      // More recent days get more traffic, and daytime more than night.
      double age = Math.pow(random.nextDouble(), 1.3) * span;
      Instant start = now.minusSeconds((long) age + 3600);
      SessionSimulator.Session session = simulator.session(start);
      events += session.beacon().events().size();
      pending.add(
          collector.collect(
              session.beacon(),
              key,
              new Collector.Client(session.ip(), session.userAgent(), null),
              session.endedAt()));
      if (i % 200 == 0 || i == sessions) {
        for (CompletableFuture<CollectResult> result : pending) {
          dropped += result.join().dropped().values().stream().mapToInt(Integer::intValue).sum();
        }
        pending.clear();
        System.out.printf(
            "\rdemo: simulated %,d / %,d sessions (%,d events, %,d from bots dropped)",
            i, sessions, events, dropped);
      }
    }
    System.out.println();
  }
}
