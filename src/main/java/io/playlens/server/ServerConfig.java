package io.playlens.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a Playlens server is started with. Defaults are what {@code playlens serve} uses
 * without flags; see {@link #defaults(Path)} and {@link Builder}.
 *
 * @param geoDir where the geo and ASN data live (default {@code DATA/geo})
 * @param trustedProxies peers (CIDR blocks) whose {@code X-Forwarded-For} is believed
 * @param anonymiseIp store IPs with the last IPv4 octet / last 80 IPv6 bits zeroed
 * @param queueCapacity events waiting for commit before the collector answers 503
 * @param maxBatchEvents most events written in one group commit
 * @param committers group-committer threads (each with its own store connection); by default 2, or
 *     8 on ClickHouse (an insert waits on the network and on ClickHouse writing its parts)
 * @param storeThreads DuckDB worker threads; 1 by default, because on a small machine the
 *     appender's per-commit query planning costs more with a parallel scheduler than parallel scans
 *     save
 * @param storeMemory DuckDB memory limit, e.g. {@code 2GB}
 * @param readsPerMinuteProduction API requests per credential per minute in production (500, as
 *     api.video)
 * @param readsPerMinuteSandbox the same in the sandbox (100, as api.video)
 * @param authFailuresPerMinute failed credential checks per client IP per minute before 429
 * @param sealInterval how often committed events are folded into the session rollup (zero: only
 *     when asked, for tests)
 * @param foldLimit how many unsealed events of its account a query folds in itself; with more, the
 *     account is busy and its queries read the live rows the sealer folds between seals (a fold
 *     interval behind at most), or the rollup as last sealed
 * @param busyFoldLimit with more unsealed events than {@code foldLimit}, when the live rows lag or
 *     hold nothing past the last seal, up to how many a query filtered to some sessions (a media, a
 *     country) folds in those of its own sessions, and one about all sessions all of them when the
 *     rows lag
 * @param foldInterval how often a background thread folds the events committed since into those
 *     live rows, while more than {@code foldLimit} events are unsealed and questions ask for them
 *     (zero: never; busy accounts' filtered questions then fold in their own sessions, up to {@code
 *     busyFoldLimit} unsealed events, the others read the rollup as last sealed)
 * @param accountDomain with a domain such as {@code stats.example.com}, the Wistia routes on host
 *     {@code <account>.stats.example.com} answer only that account's credentials; null: no mapping
 * @param storeUrl a {@code clickhouse://} address for the events of several nodes; null: the
 *     embedded DuckDB file in the data dir (needs {@code metadataUrl} too: nodes share accounts)
 * @param metadataUrl a {@code postgresql://} address for accounts, users, keys and media shared by
 *     several nodes; null: the embedded DuckDB file holds them
 */
public record ServerConfig(
    Path dataDir,
    String bind,
    int port,
    Path geoDir,
    List<String> trustedProxies,
    boolean anonymiseIp,
    int queueCapacity,
    int maxBatchEvents,
    int committers,
    int storeThreads,
    String storeMemory,
    int readsPerMinuteProduction,
    int readsPerMinuteSandbox,
    int authFailuresPerMinute,
    Duration sealInterval,
    int foldLimit,
    int busyFoldLimit,
    Duration foldInterval,
    String accountDomain,
    String storeUrl,
    String metadataUrl) {
  /** The default {@link #foldLimit}. */
  public static final int FOLD_LIMIT = 500;

  /** The default {@link #busyFoldLimit}. */
  public static final int BUSY_FOLD_LIMIT = 20_000;

  /** The default {@link #foldInterval}, in milliseconds. */
  public static final int FOLD_INTERVAL_MS = 100;

  public ServerConfig {
    if (accountDomain != null
        && !accountDomain.matches(
            "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
      throw new IllegalArgumentException(
          "accountDomain must be a lower-case domain name such as stats.example.com");
    }
    if (storeUrl != null && metadataUrl == null) {
      throw new IllegalArgumentException(
          "--store clickhouse://... needs --metadata postgresql://... too: the nodes that share"
              + " the events share the accounts and keys");
    }
    if (foldLimit < 0) {
      throw new IllegalArgumentException("foldLimit must not be negative");
    }
    if (busyFoldLimit < 0) {
      throw new IllegalArgumentException("busyFoldLimit must not be negative");
    }
    requireNonNull(foldInterval, "foldInterval is null");
    if (foldInterval.isNegative()) {
      throw new IllegalArgumentException("foldInterval must not be negative");
    }
    requireNonNull(sealInterval, "sealInterval is null");
    if (sealInterval.isNegative()) {
      throw new IllegalArgumentException("sealInterval must not be negative");
    }
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(bind, "bind is null");
    requireNonNull(geoDir, "geoDir is null");
    trustedProxies = List.copyOf(trustedProxies);
    requireNonNull(storeMemory, "storeMemory is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    if (queueCapacity < 1 || maxBatchEvents < 1 || committers < 1 || storeThreads < 1) {
      throw new IllegalArgumentException(
          "queue capacity, batch size, committers and threads must be positive");
    }
    if (readsPerMinuteProduction < 1 || readsPerMinuteSandbox < 1 || authFailuresPerMinute < 1) {
      throw new IllegalArgumentException("rate limits must be positive");
    }
  }

  /** What {@code playlens serve} runs with when given only a data dir. */
  public static ServerConfig defaults(Path dataDir) {
    return builder(dataDir).build();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Starts from the defaults; each setter overrides one of them. */
  public static final class Builder {
    private final Path dataDir;
    private String bind = "127.0.0.1";
    private int port = 8080;
    private Path geoDir;
    private List<String> trustedProxies = List.of();
    private boolean anonymiseIp;
    private int queueCapacity = 200_000;
    private int maxBatchEvents = 50_000;

    /** Null: the default for the store. */
    private Integer committers;

    private int storeThreads = 1;
    private String storeMemory = "2GB";
    private int readsPerMinuteProduction = 500;
    private int readsPerMinuteSandbox = 100;
    private int authFailuresPerMinute = 20;
    private Duration sealInterval = Duration.ofSeconds(1);
    private int foldLimit = FOLD_LIMIT;
    private int busyFoldLimit = BUSY_FOLD_LIMIT;
    private Duration foldInterval = Duration.ofMillis(FOLD_INTERVAL_MS);
    private String accountDomain;
    private String metadataUrl;
    private String storeUrl;

    private Builder(Path dataDir) {
      this.dataDir = requireNonNull(dataDir, "dataDir is null");
      this.geoDir = dataDir.resolve("geo");
    }

    public Builder bind(String value) {
      this.bind = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder geoDir(Path value) {
      this.geoDir = value;
      return this;
    }

    public Builder trustedProxies(List<String> value) {
      this.trustedProxies = value;
      return this;
    }

    public Builder anonymiseIp(boolean value) {
      this.anonymiseIp = value;
      return this;
    }

    public Builder queueCapacity(int value) {
      this.queueCapacity = value;
      return this;
    }

    public Builder committers(int value) {
      this.committers = value;
      return this;
    }

    public Builder storeThreads(int value) {
      this.storeThreads = value;
      return this;
    }

    public Builder storeMemory(String value) {
      this.storeMemory = value;
      return this;
    }

    public Builder readsPerMinute(int production, int sandbox) {
      this.readsPerMinuteProduction = production;
      this.readsPerMinuteSandbox = sandbox;
      return this;
    }

    public Builder authFailuresPerMinute(int value) {
      this.authFailuresPerMinute = value;
      return this;
    }

    public Builder sealInterval(Duration value) {
      this.sealInterval = value;
      return this;
    }

    public Builder foldLimit(int value) {
      this.foldLimit = value;
      return this;
    }

    public Builder busyFoldLimit(int value) {
      this.busyFoldLimit = value;
      return this;
    }

    public Builder foldInterval(Duration value) {
      this.foldInterval = value;
      return this;
    }

    public Builder accountDomain(String value) {
      this.accountDomain = value;
      return this;
    }

    public Builder storeUrl(String value) {
      this.storeUrl = value == null || value.isBlank() ? null : value.strip();
      return this;
    }

    public Builder metadataUrl(String value) {
      this.metadataUrl = value == null || value.isBlank() ? null : value.strip();
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          dataDir,
          bind,
          port,
          geoDir,
          trustedProxies,
          anonymiseIp,
          queueCapacity,
          maxBatchEvents,
          committers != null ? committers : storeUrl != null ? 8 : 2,
          storeThreads,
          storeMemory,
          readsPerMinuteProduction,
          readsPerMinuteSandbox,
          authFailuresPerMinute,
          sealInterval,
          foldLimit,
          busyFoldLimit,
          foldInterval,
          accountDomain,
          storeUrl,
          metadataUrl);
    }
  }
}
