package io.playlens.account;

import io.playlens.server.ClientError;

/** Over a rate limit: 429, with the limiter's figures for the headers. */
public final class TooManyRequests extends ClientError {
  private static final long serialVersionUID = 1L;

  private final transient RateLimiter.Decision decision;

  public TooManyRequests(String message, RateLimiter.Decision decision) {
    super(429, Code.TOO_MANY_REQUESTS, message);
    this.decision = decision;
  }

  public RateLimiter.Decision decision() {
    return decision;
  }
}
