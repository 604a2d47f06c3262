package io.playlens.store;

import static java.util.Objects.requireNonNull;

import io.playlens.account.Account;
import io.playlens.account.Environment;
import io.playlens.account.MetadataStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what no one may read any more: production events older than the account's retention,
 * sandbox events older than 24 hours, and expired refresh tokens. Runs a minute after start and
 * then hourly, on a thread of its own; a failed run is logged and retried at the next.
 */
public final class RetentionJob implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

  public static final Duration SANDBOX_RETENTION = Duration.ofHours(24);
  static final Duration FIRST_RUN = Duration.ofMinutes(1);
  static final Duration INTERVAL = Duration.ofHours(1);

  private final MetadataStore metadata;
  private final EventStore events;
  private final Clock clock;
  private final Thread thread;

  public RetentionJob(MetadataStore metadata, EventStore events, Clock clock) {
    this.metadata = requireNonNull(metadata, "metadata is null");
    this.events = requireNonNull(events, "events is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.thread = Thread.ofPlatform().daemon().name("playlens-retention").unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    try {
      Thread.sleep(FIRST_RUN);
      while (true) {
        try {
          runOnce();
        } catch (StoreException | RuntimeException e) {
          // Whatever went wrong, the next run tries again: retention must not stop for good.
          LOG.warn("Retention run failed; retrying in {}", INTERVAL, e);
        }
        Thread.sleep(INTERVAL);
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** One pass over every account; returns the number of events deleted. */
  public long runOnce() throws StoreException {
    Instant now = clock.instant();
    long deleted = 0;
    for (Account account : metadata.accounts()) {
      deleted +=
          events.deleteBefore(
              account.key(),
              Environment.PRODUCTION.wireName(),
              now.minus(account.retention().duration()));
      deleted +=
          events.deleteBefore(
              account.key(), Environment.SANDBOX.wireName(), now.minus(SANDBOX_RETENTION));
    }
    int tokens = metadata.deleteExpiredRefreshTokens(now);
    int sessions = metadata.deleteExpiredDashboardSessions(now);
    if (deleted > 0 || tokens > 0 || sessions > 0) {
      LOG.info(
          "Retention: deleted {} expired events, {} expired refresh tokens and {} expired"
              + " dashboard sessions",
          deleted,
          tokens,
          sessions);
    }
    return deleted;
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
