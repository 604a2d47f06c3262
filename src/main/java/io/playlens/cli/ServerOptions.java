package io.playlens.cli;

import io.playlens.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every command that runs a server shares; each also has an environment variable. */
public final class ServerOptions {
  @Option(
      names = "--data",
      defaultValue = "${env:PLAYLENS_DATA:-./data}",
      description =
          "Data directory: the store, geo data, keys (env PLAYLENS_DATA; default ${DEFAULT-VALUE})")
  Path data;

  @Option(
      names = "--port",
      defaultValue = "${env:PLAYLENS_PORT:-8080}",
      description = "HTTP port; 0 picks a free one (env PLAYLENS_PORT; default ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "${env:PLAYLENS_BIND:-127.0.0.1}",
      description =
          "Address to listen on; 0.0.0.0 for all (env PLAYLENS_BIND; default ${DEFAULT-VALUE})")
  String bind;

  @Option(
      names = "--geo-dir",
      defaultValue = "${env:PLAYLENS_GEO_DIR}",
      description = "Geo and ASN data directory (env PLAYLENS_GEO_DIR; default DATA/geo)")
  Path geoDir;

  @Option(
      names = "--trusted-proxy",
      split = ",",
      defaultValue = "${env:PLAYLENS_TRUSTED_PROXIES}",
      description =
          "Proxy address or CIDR whose X-Forwarded-For is trusted; repeatable or comma-separated (env PLAYLENS_TRUSTED_PROXIES)")
  List<String> trustedProxies = new ArrayList<>();

  @Option(
      names = "--anonymize-ip",
      defaultValue = "${env:PLAYLENS_ANONYMIZE_IP:-false}",
      description =
          "Store IPs with the last IPv4 octet / last 80 IPv6 bits zeroed (env PLAYLENS_ANONYMIZE_IP; default ${DEFAULT-VALUE})")
  boolean anonymizeIp;

  @Option(
      names = "--queue-capacity",
      defaultValue = "${env:PLAYLENS_QUEUE_CAPACITY:-200000}",
      description =
          "Events waiting for commit before /v1/collect answers 503 (env PLAYLENS_QUEUE_CAPACITY; default ${DEFAULT-VALUE})")
  int queueCapacity;

  @Option(
      names = "--committers",
      defaultValue = "${env:PLAYLENS_COMMITTERS}",
      description =
          "Group-committer threads writing to the store in parallel (env PLAYLENS_COMMITTERS;"
              + " default 2, or 8 with --store: a ClickHouse insert waits on the network and on"
              + " writing its parts, so more of them run at once)")
  Integer committers;

  @Option(
      names = "--store-memory",
      defaultValue = "${env:PLAYLENS_STORE_MEMORY:-2GB}",
      description = "DuckDB memory limit (env PLAYLENS_STORE_MEMORY; default ${DEFAULT-VALUE})")
  String storeMemory;

  @Option(
      names = "--store-threads",
      defaultValue = "${env:PLAYLENS_STORE_THREADS:-1}",
      description = "DuckDB worker threads (env PLAYLENS_STORE_THREADS; default ${DEFAULT-VALUE})")
  int storeThreads;

  @Option(
      names = "--rate-limit-production",
      defaultValue = "${env:PLAYLENS_RATE_LIMIT_PRODUCTION:-500}",
      description =
          "API requests per credential per minute in production (env PLAYLENS_RATE_LIMIT_PRODUCTION; default ${DEFAULT-VALUE})")
  int rateLimitProduction;

  @Option(
      names = "--rate-limit-sandbox",
      defaultValue = "${env:PLAYLENS_RATE_LIMIT_SANDBOX:-100}",
      description =
          "API requests per credential per minute in the sandbox (env PLAYLENS_RATE_LIMIT_SANDBOX; default ${DEFAULT-VALUE})")
  int rateLimitSandbox;

  @Option(
      names = "--auth-failures-per-minute",
      defaultValue = "${env:PLAYLENS_AUTH_FAILURES_PER_MINUTE:-20}",
      description =
          "Failed credential checks per client IP per minute before 429 (env PLAYLENS_AUTH_FAILURES_PER_MINUTE; default ${DEFAULT-VALUE})")
  int authFailuresPerMinute;

  @Option(
      names = "--fold-limit",
      defaultValue = "${env:PLAYLENS_FOLD_LIMIT:-" + ServerConfig.FOLD_LIMIT + "}",
      description =
          "Unsealed events of its account a query counts in itself; with more, the account's queries"
              + " read the live rows the sealer folds every --fold-interval-ms, or the rollup as"
              + " last sealed (env PLAYLENS_FOLD_LIMIT; default ${DEFAULT-VALUE})")
  int foldLimit;

  @Option(
      names = "--busy-fold-limit",
      defaultValue = "${env:PLAYLENS_BUSY_FOLD_LIMIT:-" + ServerConfig.BUSY_FOLD_LIMIT + "}",
      description =
          "With more unsealed events than --fold-limit, when the live rows lag or hold nothing"
              + " past the last seal, up to this many a query filtered to some sessions (a media,"
              + " a country) folds in those of its own sessions itself, and one about all sessions"
              + " all of them when the rows lag (env PLAYLENS_BUSY_FOLD_LIMIT; default"
              + " ${DEFAULT-VALUE})")
  int busyFoldLimit;

  @Option(
      names = "--fold-interval-ms",
      defaultValue = "${env:PLAYLENS_FOLD_INTERVAL_MS:-" + ServerConfig.FOLD_INTERVAL_MS + "}",
      description =
          "How often, in milliseconds, the sealer folds the events committed since into the live"
              + " rows that a busy account's questions read, between seals (while more than"
              + " --fold-limit events are unsealed and questions ask): about the most those answers"
              + " lag behind under load; 0 never does: filtered questions then fold in their own"
              + " sessions (up to --busy-fold-limit unsealed events), the others read the rollup"
              + " as last sealed (env"
              + " PLAYLENS_FOLD_INTERVAL_MS; default ${DEFAULT-VALUE})")
  long foldIntervalMillis;

  @Option(
      names = "--seal-interval-ms",
      defaultValue = "${env:PLAYLENS_SEAL_INTERVAL_MS:-1000}",
      description =
          "How often committed events are folded into the session rollup, in milliseconds (env"
              + " PLAYLENS_SEAL_INTERVAL_MS; default ${DEFAULT-VALUE})")
  long sealIntervalMillis;

  @Option(
      names = "--account-domain",
      defaultValue = "${env:PLAYLENS_ACCOUNT_DOMAIN}",
      description =
          "A domain whose sub-domains name accounts for the Wistia routes, as"
              + " <account>.wistia.com does: on <account>.DOMAIN only that account's credentials"
              + " are accepted (env PLAYLENS_ACCOUNT_DOMAIN; default none)")
  String accountDomain;

  @Option(
      names = "--store",
      defaultValue = "${env:PLAYLENS_STORE}",
      description =
          "Keep events in ClickHouse, shared by several nodes:"
              + " clickhouse://USER[:PASSWORD]@HOST[:8123]/DATABASE (the password may also come from"
              + " env PLAYLENS_STORE_PASSWORD; needs --metadata) (env PLAYLENS_STORE; default: the"
              + " embedded DuckDB file)")
  String store;

  @Option(
      names = "--metadata",
      defaultValue = "${env:PLAYLENS_METADATA}",
      description =
          "Keep accounts, users, keys and media in PostgreSQL, shared by several nodes:"
              + " postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (the password may also come from"
              + " env PLAYLENS_METADATA_PASSWORD) (env PLAYLENS_METADATA; default: the embedded"
              + " DuckDB file)")
  String metadata;

  /** Zero would turn the sealer off (tests do that through the config): refused here. */
  private long checkedSealInterval() {
    if (sealIntervalMillis < 10) {
      throw new IllegalArgumentException(
          "--seal-interval-ms must be at least 10 (got " + sealIntervalMillis + ")");
    }
    return sealIntervalMillis;
  }

  /** Zero folds never; anything else below 10 ms would fold without a pause. */
  private long checkedFoldInterval() {
    if (foldIntervalMillis != 0 && foldIntervalMillis < 10) {
      throw new IllegalArgumentException(
          "--fold-interval-ms must be 0 (never) or at least 10 (got " + foldIntervalMillis + ")");
    }
    return foldIntervalMillis;
  }

  ServerConfig toConfig() {
    ServerConfig.Builder config =
        ServerConfig.builder(data)
            .bind(bind)
            .port(port)
            .trustedProxies(
                trustedProxies == null
                    ? List.of()
                    : trustedProxies.stream().filter(s -> !s.isBlank()).toList())
            .anonymiseIp(anonymizeIp)
            .queueCapacity(queueCapacity)
            .storeThreads(storeThreads)
            .foldLimit(foldLimit)
            .busyFoldLimit(busyFoldLimit)
            .foldInterval(Duration.ofMillis(checkedFoldInterval()))
            .accountDomain(accountDomain)
            .metadataUrl(metadata)
            .storeUrl(store)
            .sealInterval(Duration.ofMillis(checkedSealInterval()))
            .storeMemory(storeMemory)
            .readsPerMinute(rateLimitProduction, rateLimitSandbox)
            .authFailuresPerMinute(authFailuresPerMinute);
    if (geoDir != null) {
      config.geoDir(geoDir);
    }
    if (committers != null) {
      config.committers(committers);
    }
    return config.build();
  }
}
