package io.playlens.web;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.playlens.account.Authenticator;
import io.playlens.account.Environment;
import io.playlens.account.MetadataStore;
import io.playlens.account.MetadataStore.DashboardSession;
import io.playlens.account.Principal;
import io.playlens.account.Secrets;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.Code;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Signed-in dashboard sessions: a random token in an {@code HttpOnly}, {@code SameSite=Lax} cookie
 * ({@code Secure} when the client came over TLS), its hash and a CSRF token in the metadata store,
 * so any node can check a session another node opened and sign-out ends it everywhere. A session
 * authenticates the same public API routes the dashboard reads; a write through it must echo the
 * session's CSRF token in {@value #CSRF_HEADER}.
 */
public final class DashboardSessions {
  public static final String COOKIE = "playlens_session";

  /** The sign-in form's CSRF token, before there is a session (double-submit cookie). */
  public static final String FORM_COOKIE = "playlens_form";

  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** Which environment's data a session's API request reads: {@code production} by default. */
  public static final String ENVIRONMENT_HEADER = "X-Playlens-Environment";

  static final Duration LIFETIME = Duration.ofDays(7);

  private final MetadataStore store;
  private final Authenticator authenticator;
  private final Predicate<Context> overTls;
  private final Clock clock;

  /** A request's session: who is signed in and the CSRF token their writes must carry. */
  public record Session(Principal principal, String csrfToken) {
    public Session {
      requireNonNull(principal, "principal is null");
      requireNonNull(csrfToken, "csrfToken is null");
    }
  }

  public DashboardSessions(
      MetadataStore store, Authenticator authenticator, Predicate<Context> overTls, Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.overTls = requireNonNull(overTls, "overTls is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Opens a session for a principal that just proved its password, and sets its cookie. */
  public void open(Principal principal, Context ctx) {
    String previous = ctx.cookie(COOKIE);
    if (previous != null && !previous.isEmpty()) {
      store.deleteDashboardSession(Secrets.hash(previous)); // one session per browser
    }
    String token = Secrets.random("ds_", 48);
    store.saveDashboardSession(
        new DashboardSession(
            Secrets.hash(token),
            principal.user().id(),
            Secrets.random("", 32),
            clock.instant(),
            clock.instant().plus(LIFETIME)));
    ctx.cookie(cookie(ctx, COOKIE, token, (int) LIFETIME.toSeconds()));
  }

  /** The request's session, if its cookie names a live one whose user may still sign in. */
  public Optional<Session> current(Context ctx) {
    return current(ctx, Environment.PRODUCTION);
  }

  private Optional<Session> current(Context ctx, Environment environment) {
    String token = ctx.cookie(COOKIE);
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    Optional<DashboardSession> stored =
        store.dashboardSession(Secrets.hash(token), clock.instant());
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Session(
              authenticator.sessionUser(stored.get().userId(), environment),
              stored.get().csrfToken()));
    } catch (ClientError e) {
      // The user was removed or the account suspended: the session is over, and the visitor
      // must reach the sign-in form (which then says why) rather than an error at every page.
      close(ctx);
      return Optional.empty();
    }
  }

  /** Sign-out: forgets the session and clears the cookie. */
  public void close(Context ctx) {
    String token = ctx.cookie(COOKIE);
    if (token != null && !token.isEmpty()) {
      store.deleteDashboardSession(Secrets.hash(token));
    }
    ctx.cookie(cookie(ctx, COOKIE, "", 0));
  }

  /**
   * The principal of an API request made by the dashboard: the session's user, in the environment
   * the request names. A request that changes something must carry the session's CSRF token.
   */
  public Optional<Principal> apiPrincipal(Context ctx) {
    String token = ctx.cookie(COOKIE);
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    Optional<Session> session = current(ctx, environment(ctx));
    session.ifPresent(
        found -> {
          String method = ctx.method().name();
          boolean safe = method.equals("GET") || method.equals("HEAD");
          if (!safe && !matches(found.csrfToken(), ctx.header(CSRF_HEADER))) {
            throw new ClientError(
                403,
                Code.FORBIDDEN,
                "missing or wrong "
                    + CSRF_HEADER
                    + " header for a change made by a signed-in session");
          }
        });
    return session.map(Session::principal);
  }

  /** The sign-in form's token: the one in its cookie, or a new one set now. */
  public String formToken(Context ctx) {
    String token = ctx.cookie(FORM_COOKIE);
    if (token == null || token.length() != 32) {
      token = Secrets.random("", 32);
      ctx.cookie(cookie(ctx, FORM_COOKIE, token, (int) Duration.ofHours(2).toSeconds()));
    }
    return token;
  }

  /** Whether a submitted form token matches the form cookie (a cross-site form cannot read it). */
  public boolean formTokenMatches(Context ctx, String submitted) {
    return matches(ctx.cookie(FORM_COOKIE), submitted);
  }

  static boolean matches(String expected, String given) {
    if (expected == null || given == null || expected.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static Environment environment(Context ctx) {
    String name = ctx.header(ENVIRONMENT_HEADER);
    if (name == null || name.isBlank()) {
      return Environment.PRODUCTION;
    }
    return Environment.parse(name.strip())
        .orElseThrow(
            () ->
                new ClientError(
                    400,
                    ENVIRONMENT_HEADER
                        + " must be 'production' or 'sandbox' (got '"
                        + name
                        + "')"));
  }

  private Cookie cookie(Context ctx, String name, String value, int maxAgeSeconds) {
    Cookie cookie = new Cookie(name, value);
    cookie.setPath("/");
    cookie.setMaxAge(maxAgeSeconds);
    cookie.setHttpOnly(true);
    cookie.setSameSite(SameSite.LAX);
    cookie.setSecure(overTls.test(ctx));
    return cookie;
  }
}
