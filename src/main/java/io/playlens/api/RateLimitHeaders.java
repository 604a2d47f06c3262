package io.playlens.api;

import io.javalin.http.Context;
import io.playlens.account.RateLimiter;

/** api.video's rate-limit headers, carried by every authenticated API response. */
public final class RateLimitHeaders {
  private RateLimitHeaders() {}

  public static void set(Context ctx, RateLimiter.Decision decision) {
    ctx.header("X-RateLimit-Limit", Integer.toString(decision.limit()));
    ctx.header("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
    ctx.header("X-RateLimit-Retry-After", Long.toString(decision.retryAfterSeconds()));
  }
}
