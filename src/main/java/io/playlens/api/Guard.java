package io.playlens.api;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.playlens.account.Environment;
import io.playlens.account.Principal;
import io.playlens.account.RateLimiter;
import io.playlens.account.TooManyRequests;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs before every route of an API: authenticates in that API's way, counts the request against
 * the credential's per-minute limit, sets the rate-limit headers, and leaves the {@link Principal}
 * on the request for the route. Routes read it with {@link #principal(Context)}.
 */
public final class Guard {
  private static final String ATTRIBUTE = "playlens.principal";

  private final BiFunction<String, String, Principal> authenticate;
  private final Function<Context, Optional<Principal>> session;
  private final Function<Context, String> clientIp;
  private final RateLimiter limiter;
  private final int productionPerMinute;
  private final int sandboxPerMinute;

  /**
   * @param authenticate (Authorization header, client IP) → principal, or a thrown 401/403/429
   * @param session the signed-in dashboard session of a request without an {@code Authorization}
   *     header, if it has one
   * @param clientIp the client's address, as the trusted proxies tell it
   */
  public Guard(
      BiFunction<String, String, Principal> authenticate,
      Function<Context, Optional<Principal>> session,
      Function<Context, String> clientIp,
      RateLimiter limiter,
      int productionPerMinute,
      int sandboxPerMinute) {
    this.authenticate = requireNonNull(authenticate, "authenticate is null");
    this.session = requireNonNull(session, "session is null");
    this.clientIp = requireNonNull(clientIp, "clientIp is null");
    this.limiter = requireNonNull(limiter, "limiter is null");
    this.productionPerMinute = productionPerMinute;
    this.sandboxPerMinute = sandboxPerMinute;
  }

  public void check(Context ctx) {
    if (ctx.method().name().equals("OPTIONS")) {
      return;
    }
    String authorization = ctx.header("Authorization");
    Principal principal =
        (authorization == null ? session.apply(ctx) : Optional.<Principal>empty())
            .orElseGet(() -> authenticate.apply(authorization, clientIp.apply(ctx)));
    int limit =
        principal.environment() == Environment.SANDBOX ? sandboxPerMinute : productionPerMinute;
    // A user reads both environments, each with its own limit: one bucket per environment.
    RateLimiter.Decision decision =
        limiter.acquire(principal.credentialId() + "@" + principal.environment().wireName(), limit);
    if (!decision.allowed()) {
      throw new TooManyRequests(
          "rate limit of "
              + limit
              + " requests per minute reached; retry in "
              + decision.retryAfterSeconds()
              + " s",
          decision);
    }
    RateLimitHeaders.set(ctx, decision);
    ctx.attribute(ATTRIBUTE, principal);
  }

  /** The principal {@link #check} authenticated; only on routes behind a guard. */
  public static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(ATTRIBUTE);
    if (principal == null) {
      throw new IllegalStateException("no guard ran for " + ctx.path());
    }
    return principal;
  }
}
