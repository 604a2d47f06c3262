package io.playlens.server;

/** The server cannot take the request now (full queue, store trouble): 503 with Retry-After. */
public final class Unavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int retryAfterSeconds;

  public Unavailable(String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
