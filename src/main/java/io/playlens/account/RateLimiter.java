package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per key per clock minute, as api.video counts them: a fixed window that resets on the
 * minute, so {@code X-RateLimit-Retry-After} is the seconds left in it. State is per process (with
 * several nodes, each node allows the limit; see the README).
 */
public final class RateLimiter {
  /**
   * Windows kept before old ones are swept (once a minute at most); keys are credentials and IPs.
   */
  private static final int SWEEP_AT = 50_000;

  /** Beyond this many windows in one minute (a flood of addresses), counting starts over. */
  private static final int MAX_WINDOWS = 500_000;

  private final Clock clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong sweptMinute =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  public RateLimiter(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The outcome of one request: whether it may proceed, and the figures for the headers. */
  public record Decision(boolean allowed, int limit, int remaining, long retryAfterSeconds) {}

  private record Window(long minute, int count) {}

  /** Counts one request against {@code key}'s window. */
  public Decision acquire(String key, int limitPerMinute) {
    long second = clock.instant().getEpochSecond();
    long minute = Math.floorDiv(second, 60);
    sweep(minute);
    Window window =
        windows.compute(
            key,
            (k, current) ->
                current == null || current.minute() != minute
                    ? new Window(minute, 1)
                    : new Window(minute, current.count() + 1));
    long retryAfter = (minute + 1) * 60 - second;
    boolean allowed = window.count() <= limitPerMinute;
    return new Decision(
        allowed, limitPerMinute, Math.max(0, limitPerMinute - window.count()), retryAfter);
  }

  /** The current window of {@code key} without counting a request. */
  public Decision peek(String key, int limitPerMinute) {
    long second = clock.instant().getEpochSecond();
    long minute = Math.floorDiv(second, 60);
    Window window = windows.get(key);
    int count = window == null || window.minute() != minute ? 0 : window.count();
    return new Decision(
        count < limitPerMinute,
        limitPerMinute,
        Math.max(0, limitPerMinute - count),
        (minute + 1) * 60 - second);
  }

  /** Takes back one request counted in the current window (one that turned out not to count). */
  public void refund(String key) {
    long minute = Math.floorDiv(clock.instant().getEpochSecond(), 60);
    windows.computeIfPresent(
        key,
        (k, window) ->
            window.minute() == minute && window.count() > 0
                ? new Window(minute, window.count() - 1)
                : window);
  }

  private void sweep(long minute) {
    int size = windows.size();
    if (size >= SWEEP_AT) {
      long last = sweptMinute.get();
      if (last != minute && sweptMinute.compareAndSet(last, minute)) {
        windows.values().removeIf(window -> window.minute() != minute);
      } else if (size >= MAX_WINDOWS) {
        windows.clear();
      }
    }
  }
}
