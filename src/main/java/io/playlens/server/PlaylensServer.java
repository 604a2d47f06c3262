package io.playlens.server;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.playlens.account.AccessTokens;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Authenticator;
import io.playlens.account.MediaRegistry;
import io.playlens.account.MetadataException;
import io.playlens.account.MetadataStore;
import io.playlens.account.Passwords;
import io.playlens.account.PlayerKeys;
import io.playlens.account.Principal;
import io.playlens.account.RateLimiter;
import io.playlens.api.ApiStyle;
import io.playlens.api.Guard;
import io.playlens.api.admin.AdminApi;
import io.playlens.api.apivideo.AnalyticsApi;
import io.playlens.api.apivideo.AuthEndpoints;
import io.playlens.api.wistia.AccountHosts;
import io.playlens.api.wistia.ExportApi;
import io.playlens.api.wistia.StatsApi;
import io.playlens.collect.BeaconParser;
import io.playlens.collect.CollectEndpoint;
import io.playlens.collect.CollectHandler;
import io.playlens.collect.Collector;
import io.playlens.collect.TrustedProxies;
import io.playlens.enrich.BotFilter;
import io.playlens.enrich.DeviceStep;
import io.playlens.enrich.EnrichmentPipeline;
import io.playlens.enrich.GeoData;
import io.playlens.enrich.IpPolicy;
import io.playlens.enrich.OrganisationStep;
import io.playlens.enrich.PlaceStep;
import io.playlens.enrich.UserAgents;
import io.playlens.ingest.ContextCache;
import io.playlens.ingest.GroupCommitter;
import io.playlens.ingest.IngestMetrics;
import io.playlens.ingest.IngestQueue;
import io.playlens.query.Analytics;
import io.playlens.query.ClickHouseAnalytics;
import io.playlens.query.Queries;
import io.playlens.store.EventStore;
import io.playlens.store.RetentionJob;
import io.playlens.store.StoreException;
import io.playlens.store.clickhouse.ClickHouseEventStore;
import io.playlens.store.duckdb.DuckDbEventStore;
import io.playlens.store.postgresql.PostgresMetadata;
import io.playlens.store.sql.SqlMetadataStore;
import io.playlens.web.Dashboard;
import io.playlens.web.DashboardSessions;
import io.playlens.web.DemoPage;
import io.playlens.web.TrackerScript;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Playlens process: the store, the ingest path and the HTTP server, wired with {@code new}.
 * Closing it stops HTTP first, then commits what is queued, then closes the store.
 */
public final class PlaylensServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlaylensServer.class);

  /** Live sessions whose context is remembered; beyond it a context row is written again. */
  private static final int CONTEXT_CACHE_SESSIONS = 200_000;

  /** A commit failure older than this no longer makes the server unhealthy by itself. */
  private static final long RECENT_FAILURE_NANOS = 10_000_000_000L;

  private final ServerConfig config;
  private final EventStore store;

  /** The embedded store when it holds the events (and then the metadata); null on ClickHouse. */
  private final DuckDbEventStore embedded;

  private final GeoData geo;
  private final IngestQueue queue;
  private final GroupCommitter committer;
  private final Collector collector;
  private final MetadataStore metadata;

  /** The PostgreSQL pool behind {@link #metadata}; null when the DuckDB file holds it. */
  private final PostgresMetadata sharedMetadata;

  private final PlayerKeys playerKeys;
  private final AccountAdmin admin;
  private final RetentionJob retention;
  private final PrometheusMeterRegistry registry;
  private final Javalin http;
  private final CollectEndpoint collect;

  /** The query layer; its read connections close before the store does. */
  private final Analytics analytics;

  private PlaylensServer(
      ServerConfig config,
      UserAgents userAgents,
      EventStore store,
      PostgresMetadata sharedMetadata,
      Clock clock) {
    this.config = requireNonNull(config, "config is null");
    this.store = requireNonNull(store, "store is null");
    this.embedded = store instanceof DuckDbEventStore duckDb ? duckDb : null;
    this.sharedMetadata = sharedMetadata;
    this.metadata =
        sharedMetadata != null
            ? sharedMetadata.store()
            : new SqlMetadataStore(embedded::readConnection);
    this.playerKeys = new PlayerKeys(metadata);
    this.retention = new RetentionJob(metadata, store, clock);
    Passwords passwords = new Passwords();
    RateLimiter limiter = new RateLimiter(clock);
    Authenticator authenticator =
        new Authenticator(
            metadata,
            passwords,
            new AccessTokens(metadata.signingSecret(), clock),
            limiter,
            config.authFailuresPerMinute(),
            clock);
    // every change made through this process applies at once to the cached keys and accounts
    this.admin =
        new AccountAdmin(
            metadata,
            passwords,
            clock,
            () -> {
              playerKeys.forgetAll();
              authenticator.forgetCredentials();
            });
    TrustedProxies proxies = new TrustedProxies(config.trustedProxies());
    Function<Context, String> clientIp = ctx -> proxies.clientAddress(ctx).getHostAddress();
    this.geo = GeoData.open(config.geoDir());
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.queue = new IngestQueue(config.queueCapacity());
    IngestMetrics metrics = new IngestMetrics(registry, queue);
    if (embedded != null) {
      FunctionTimer.builder(
              "playlens.rollup.seals",
              embedded,
              DuckDbEventStore::seals,
              DuckDbEventStore::sealSeconds,
              TimeUnit.SECONDS)
          .description("Folds of committed events into the session rollup, and their time")
          .register(registry);
      FunctionTimer.builder(
              "playlens.rollup.live.folds",
              embedded,
              DuckDbEventStore::folds,
              DuckDbEventStore::foldSeconds,
              TimeUnit.SECONDS)
          .description(
              "Folds of committed events into the live rows a busy account's questions read"
                  + " between seals, and their time")
          .register(registry);
      Gauge.builder("playlens.rollup.unsealed.batches", embedded, DuckDbEventStore::unsealedBatches)
          .description("Commit batches the sealer has not folded into the rollup yet")
          .register(registry);
    }
    ContextCache contexts = new ContextCache(CONTEXT_CACHE_SESSIONS);
    this.committer =
        new GroupCommitter(queue, store, metrics, config.maxBatchEvents(), config.committers());
    EnrichmentPipeline pipeline =
        new EnrichmentPipeline(
            List.of(
                new BotFilter(userAgents),
                new PlaceStep(geo.places()),
                new OrganisationStep(geo.organisations()),
                new DeviceStep(userAgents),
                new IpPolicy(config.anonymiseIp())));
    this.collector =
        new Collector(
            playerKeys,
            new MediaRegistry(metadata, clock),
            pipeline,
            queue,
            metrics,
            contexts,
            clock);
    this.collect = new CollectEndpoint(new BeaconParser(), collector, proxies, metrics);
    AuthEndpoints auth = new AuthEndpoints(authenticator, clientIp);
    int production = config.readsPerMinuteProduction();
    int sandbox = config.readsPerMinuteSandbox();
    DashboardSessions sessions =
        new DashboardSessions(metadata, authenticator, proxies::overTls, clock);
    Dashboard dashboard = new Dashboard(sessions, authenticator, clientIp, clock);
    Function<Context, Optional<Principal>> session = sessions::apiPrincipal;
    Guard apiVideo =
        new Guard(authenticator::apiVideo, session, clientIp, limiter, production, sandbox);
    Guard wistia =
        new Guard(authenticator::wistia, session, clientIp, limiter, production, sandbox);
    Guard users = new Guard(authenticator::user, session, clientIp, limiter, production, sandbox);
    AdminApi adminApi = new AdminApi(admin);
    this.analytics =
        embedded != null
            ? new Queries(
                embedded::readConnection,
                embedded::unsealedEvents,
                embedded::liveRows,
                config.foldLimit(),
                config.busyFoldLimit())
            : new ClickHouseAnalytics(((ClickHouseEventStore) store).clickHouse());
    AnalyticsApi analyticsApi = new AnalyticsApi(analytics, clock);
    ExportApi export = new ExportApi(metadata, analytics, clock);
    StatsApi stats = new StatsApi(metadata, analytics, clock);
    AccountHosts hosts = new AccountHosts(config.accountDomain());
    Handler wistiaAccess =
        ctx -> {
          wistia.check(ctx);
          hosts.check(ctx);
        };
    TrackerScript tracker = new TrackerScript();
    DemoPage demo = new DemoPage(metadata, tracker);
    AboutPage about = new AboutPage(geo);
    this.http =
        Javalin.create(
            cfg -> {
              cfg.concurrency.useVirtualThreads = true;
              cfg.startup.showJavalinBanner = false;
              cfg.http.maxRequestSize = BeaconParser.MAX_BODY_BYTES;
              // Answers are small JSON bodies: compression would cost more than it saves.
              cfg.http.compressionStrategy = CompressionStrategy.NONE;
              cfg.jetty.host = config.bind();
              cfg.jetty.port = config.port();
              cfg.jetty.modifyServer(
                  jetty -> {
                    // On stop, Jetty stops accepting and lets requests in flight finish (up to
                    // 30 s): a request whose events are being committed gets its 202, not a reset
                    // that its client would retry, storing the events twice.
                    jetty.setStopTimeout(30_000);
                    // Beacons are answered ahead of Javalin, which attaches itself to the
                    // innermost wrapper: Jetty → graceful → collect → (Javalin's own) → Javalin.
                    jetty.insertHandler(new CollectHandler(collect));
                    jetty.insertHandler(new GracefulHandler());
                  });
              cfg.staticFiles.add(
                  files -> {
                    files.hostedPath = "/app/assets";
                    files.directory = "/web/app/assets";
                    files.location = Location.CLASSPATH;
                    files.headers = Map.of("Cache-Control", "no-cache");
                  });
              cfg.routes.get("/healthz", this::health);
              cfg.routes.get("/metrics", this::metrics);
              cfg.routes.get("/openapi.json", this::openApi);
              cfg.routes.get("/", about::render);
              cfg.routes.get("/about", about::render);
              cfg.routes.get("/js/playlens.js", tracker::serve);
              cfg.routes.get("/js/playlens.js.sri", tracker::serveIntegrity);
              cfg.routes.get("/demo", demo::page);
              cfg.routes.get("/demo/playlens-demo.webm", demo::video);
              cfg.routes.options("/v1/collect", collect::preflight);
              cfg.routes.post("/auth/api-key", auth::apiKey);
              cfg.routes.post("/auth/refresh", auth::refresh);
              // The data routes of both APIs (issues to come) sit behind these guards.
              cfg.routes.before("/data/*", apiVideo::check);
              cfg.routes.get("/data/metrics/{metric}/{aggregation}", analyticsApi::metrics);
              cfg.routes.get("/data/buckets/{metric}/{breakdown}", analyticsApi::buckets);
              cfg.routes.get("/data/timeseries/{metric}", analyticsApi::timeseries);
              cfg.routes.before("/stats/*", wistiaAccess);
              cfg.routes.before("/v1/stats/*", wistiaAccess);
              cfg.routes.get("/stats/medias/{id}/events.csv", export::csv);
              cfg.routes.get("/stats/medias/{id}/events.json", export::json);
              stats.register(cfg.routes);
              dashboard.register(cfg.routes);
              adminApi.register(cfg.routes, users);
              cfg.routes.exception(ClientError.class, PlaylensServer::clientError);
              cfg.routes.exception(MetadataException.class, PlaylensServer::metadataFailure);
              // Javalin's own refusals (no route: 404; a body over the limit: 413) keep their
              // status, in the API's words.
              cfg.routes.exception(HttpResponseException.class, PlaylensServer::javalinRefusal);
              cfg.routes.exception(Unavailable.class, PlaylensServer::unavailable);
              cfg.routes.exception(Exception.class, PlaylensServer::serverError);
            });
  }

  /** Opens the store, starts the committer and the HTTP server. */
  public static PlaylensServer start(ServerConfig config, UserAgents userAgents)
      throws StoreException {
    return start(config, userAgents, Clock.systemUTC());
  }

  /** As {@link #start(ServerConfig, UserAgents)}, on a given clock (tests move it). */
  public static PlaylensServer start(ServerConfig config, UserAgents userAgents, Clock clock)
      throws StoreException {
    EventStore store =
        config.storeUrl() != null
            ? ClickHouseEventStore.open(config.storeUrl())
            : DuckDbEventStore.open(
                config.dataDir(),
                config.storeThreads(),
                config.storeMemory(),
                new DuckDbEventStore.Folding(
                    config.sealInterval(), config.foldInterval(), config.foldLimit()));
    PlaylensServer server;
    PostgresMetadata shared = null;
    try {
      if (config.metadataUrl() != null) {
        shared = PostgresMetadata.open(config.metadataUrl());
      }
      server = new PlaylensServer(config, userAgents, store, shared, clock);
    } catch (RuntimeException | StoreException e) {
      if (shared != null) {
        shared.close();
      }
      store.close(); // release the store's lock before failing
      throw e;
    }
    server.committer.start();
    server.retention.start();
    try {
      server.http.start();
    } catch (RuntimeException e) {
      server.retention.close();
      server.committer.close();
      server.collect.close();
      server.analytics.close();
      server.store.close();
      server.closeSharedMetadata();
      throw e;
    }
    LOG.info(
        "Playlens listening on http://{}:{} (events: {}, metadata: {}, geo: {})",
        config.bind(),
        server.port(),
        store instanceof ClickHouseEventStore clickHouse
            ? clickHouse.clickHouse().location()
            : config.dataDir().toAbsolutePath(),
        shared == null ? "embedded" : shared.location(),
        server.geo.sources().isEmpty() ? "none" : String.join(", ", server.geo.sources()));
    return server;
  }

  public int port() {
    return http.port();
  }

  public EventStore store() {
    return store;
  }

  /** The embedded DuckDB store; fails when the events are in ClickHouse. */
  public DuckDbEventStore embedded() {
    if (embedded == null) {
      throw new IllegalStateException("this server keeps its events in ClickHouse");
    }
    return embedded;
  }

  public Collector collector() {
    return collector;
  }

  public MetadataStore metadata() {
    return metadata;
  }

  public RetentionJob retention() {
    return retention;
  }

  /** Administration on the running server (the admin API's operations). */
  public AccountAdmin admin() {
    return admin;
  }

  public ServerConfig config() {
    return config;
  }

  private void closeSharedMetadata() {
    if (sharedMetadata != null) {
      sharedMetadata.close();
    }
  }

  private void health(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    try {
      if (!committer.isRunning()) {
        throw new StoreException("the group committer is not running", null);
      }
      GroupCommitter.Failure lastFailure = committer.lastFailure();
      if (lastFailure != null && System.nanoTime() - lastFailure.atNanos() < RECENT_FAILURE_NANOS) {
        throw lastFailure.cause();
      }
      store.checkWritable();
      if (sharedMetadata != null) {
        sharedMetadata.checkReachable();
      }
      body.put("status", "ok");
      body.put("queueDepth", queue.depth());
      ctx.status(200).json(body);
    } catch (StoreException e) {
      body.put("status", "unavailable");
      body.put("reason", e.getMessage());
      ctx.status(503).json(body);
    }
  }

  /** The OpenAPI 3.1 description of every route (a resource of the build). */
  private void openApi(Context ctx) {
    ctx.contentType("application/json").result(OPEN_API);
  }

  private static final byte[] OPEN_API = resource("/openapi.json");

  private static final java.util.Set<String> HTTP_METHODS =
      java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");

  private static byte[] resource(String name) {
    try (var in = PlaylensServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Every route the server answers, as {@code METHOD path} in Javalin's path syntax (before and
   * after handlers excluded): what {@code /openapi.json} must describe.
   */
  public List<String> routes() {
    List<String> routes = new ArrayList<>();
    routes.add("POST " + CollectHandler.PATH); // answered ahead of Javalin
    http.unsafe.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.endpoint)
        .filter(endpoint -> HTTP_METHODS.contains(endpoint.method.name()))
        .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
        .forEach(routes::add);
    return List.copyOf(routes);
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
  }

  private static void clientError(ClientError e, Context ctx) {
    ApiStyle.of(ctx.path()).render(e, ctx);
  }

  private static void javalinRefusal(HttpResponseException e, Context ctx) {
    if (e.getStatus() == 404) {
      ctx.status(404);
      ApiStyle.of(ctx.path()).notFound(ctx);
      return;
    }
    String message =
        e.getStatus() == 413
            ? "request body too large (limit " + BeaconParser.MAX_BODY_BYTES / 1024 + " KiB)"
            : e.getMessage();
    clientError(new ClientError(e.getStatus(), message), ctx);
  }

  private static void metadataFailure(MetadataException e, Context ctx) {
    LOG.error("Metadata store failure on {} {}", ctx.method(), ctx.path(), e);
    ctx.header("Retry-After", "1");
    ctx.status(503).json(Map.of("error", ApiStyle.METADATA_UNAVAILABLE));
  }

  private static void unavailable(Unavailable e, Context ctx) {
    ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
    ctx.status(503).json(Map.of("error", e.getMessage()));
  }

  private static void serverError(Exception e, Context ctx) {
    LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
    ctx.status(500).json(Map.of("error", ApiStyle.INTERNAL_ERROR));
  }

  @Override
  public void close() {
    http.stop();
    retention.close();
    committer.close();
    collect.close(); // after the committer: its last commits' answers are written
    analytics.close();
    store.close();
    closeSharedMetadata();
    try {
      geo.close();
    } catch (IOException e) {
      LOG.warn("Closing geo data failed", e);
    }
  }
}
