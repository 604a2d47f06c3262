package io.playlens.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a Playlens server is started with. Defaults are what {@code playlens serve} uses
 * without flags; see {@link #defaults(Path)}.
 *
 * @param geoDir where the geo and ASN data live (default {@code DATA/geo})
 * @param playerKeysFile player keys until accounts exist (default {@code DATA/player-keys.json})
 * @param trustedProxies peers (CIDR blocks) whose {@code X-Forwarded-For} is believed
 * @param anonymiseIp store IPs with the last IPv4 octet / last 80 IPv6 bits zeroed
 * @param queueCapacity events waiting for commit before the collector answers 503
 * @param maxBatchEvents most events written in one group commit
 * @param committers group-committer threads (each with its own store connection)
 * @param storeThreads DuckDB worker threads; 1 by default, because on a small machine the
 *     appender's per-commit query planning costs more with a parallel scheduler than parallel scans
 *     save
 * @param storeMemory DuckDB memory limit, e.g. {@code 2GB}
 */
public record ServerConfig(
    Path dataDir,
    String bind,
    int port,
    Path geoDir,
    Path playerKeysFile,
    List<String> trustedProxies,
    boolean anonymiseIp,
    int queueCapacity,
    int maxBatchEvents,
    int committers,
    int storeThreads,
    String storeMemory) {
  public ServerConfig {
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(bind, "bind is null");
    requireNonNull(geoDir, "geoDir is null");
    requireNonNull(playerKeysFile, "playerKeysFile is null");
    trustedProxies = List.copyOf(trustedProxies);
    requireNonNull(storeMemory, "storeMemory is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    if (queueCapacity < 1 || maxBatchEvents < 1 || committers < 1 || storeThreads < 1) {
      throw new IllegalArgumentException(
          "queue capacity, batch size, committers and threads must be positive");
    }
  }

  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(
        dataDir,
        "127.0.0.1",
        8080,
        dataDir.resolve("geo"),
        dataDir.resolve("player-keys.json"),
        List.of(),
        false,
        200_000,
        50_000,
        2,
        1,
        "2GB");
  }

  public ServerConfig withPort(int value) {
    return new ServerConfig(
        dataDir,
        bind,
        value,
        geoDir,
        playerKeysFile,
        trustedProxies,
        anonymiseIp,
        queueCapacity,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }

  public ServerConfig withGeoDir(Path value) {
    return new ServerConfig(
        dataDir,
        bind,
        port,
        value,
        playerKeysFile,
        trustedProxies,
        anonymiseIp,
        queueCapacity,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }

  public ServerConfig withBind(String value) {
    return new ServerConfig(
        dataDir,
        value,
        port,
        geoDir,
        playerKeysFile,
        trustedProxies,
        anonymiseIp,
        queueCapacity,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }

  public ServerConfig withQueueCapacity(int value) {
    return new ServerConfig(
        dataDir,
        bind,
        port,
        geoDir,
        playerKeysFile,
        trustedProxies,
        anonymiseIp,
        value,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }

  public ServerConfig withTrustedProxies(List<String> value) {
    return new ServerConfig(
        dataDir,
        bind,
        port,
        geoDir,
        playerKeysFile,
        value,
        anonymiseIp,
        queueCapacity,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }

  public ServerConfig withAnonymiseIp(boolean value) {
    return new ServerConfig(
        dataDir,
        bind,
        port,
        geoDir,
        playerKeysFile,
        trustedProxies,
        value,
        queueCapacity,
        maxBatchEvents,
        committers,
        storeThreads,
        storeMemory);
  }
}
