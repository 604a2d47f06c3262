package io.playlens.enrich;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs failed geo/ASN lookups at most once a minute, so a damaged file cannot flood the log. */
final class LookupFailures {
  private static final Logger LOG = LoggerFactory.getLogger(LookupFailures.class);
  private static final long INTERVAL_NANOS = 60_000_000_000L;
  private final String step;
  private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

  LookupFailures(String step) {
    this.step = step;
  }

  void report(RuntimeException e) {
    long last = lastReport.get();
    long now = System.nanoTime();
    if (now - last >= INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
      LOG.warn("The {} lookup failed; events keep going without it: {}", step, e.toString());
    }
  }
}
