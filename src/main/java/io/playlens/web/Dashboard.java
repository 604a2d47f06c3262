package io.playlens.web;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.playlens.account.Authenticator;
import io.playlens.account.Environment;
import io.playlens.account.Principal;
import io.playlens.account.TooManyRequests;
import io.playlens.server.ClientError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The web dashboard's pages: sign-in and sign-out, and the page shells of an account (overview,
 * media, settings) whose scripts read the public APIs with the session's cookie. A signed-out
 * visitor is sent to sign in and back; another account's pages answer 404, as a missing one does.
 */
public final class Dashboard {
  private static final String PAGES = "/web/app/";
  private static final Pattern LOCAL_PATH =
      Pattern.compile("/app(/[A-Za-z0-9._~%/?=&\\[\\]+:,;@!$*-]*)?");

  /** Pages run only their own scripts, frame nowhere, and talk only to this server. */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none';"
          + " base-uri 'none'; form-action 'self'";

  private final DashboardSessions sessions;
  private final Authenticator authenticator;
  private final Function<Context, String> clientIp;
  private final Clock clock;
  private final String signInTemplate;
  private final Map<String, byte[]> shells = new LinkedHashMap<>();

  public Dashboard(
      DashboardSessions sessions,
      Authenticator authenticator,
      Function<Context, String> clientIp,
      Clock clock) {
    this.sessions = requireNonNull(sessions, "sessions is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.clientIp = requireNonNull(clientIp, "clientIp is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.signInTemplate = new String(resource("sign-in.html"), StandardCharsets.UTF_8);
    for (String page : new String[] {"overview", "media", "settings"}) {
      shells.put(page, resource(page + ".html"));
    }
  }

  public void register(RoutesConfig routes) {
    routes.get("/app", this::home);
    routes.get("/sign-in", this::signInForm);
    routes.post("/sign-in", this::signIn);
    routes.post("/sign-out", this::signOut);
    routes.get("/auth/session", this::session);
    routes.get("/app/{account}", ctx -> shell(ctx, "overview"));
    routes.get("/app/{account}/media/{media}", ctx -> shell(ctx, "media"));
    routes.get("/app/{account}/settings", ctx -> shell(ctx, "settings"));
  }

  private void home(Context ctx) {
    Optional<DashboardSessions.Session> session = sessions.current(ctx);
    if (session.isEmpty()) {
      toSignIn(ctx);
      return;
    }
    ctx.redirect(
        "/app/" + session.get().principal().accountKey(), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void shell(Context ctx, String page) {
    Optional<DashboardSessions.Session> session = sessions.current(ctx);
    if (session.isEmpty()) {
      toSignIn(ctx);
      return;
    }
    pageHeaders(ctx);
    if (!session.get().principal().accountKey().equals(ctx.pathParam("account"))) {
      ctx.status(404).html(notFoundPage());
      return;
    }
    ctx.contentType("text/html; charset=utf-8").result(shells.get(page));
  }

  /** What the pages' scripts need to know of the session; the figures come from the APIs. */
  private void session(Context ctx) {
    noStore(ctx);
    DashboardSessions.Session session =
        sessions
            .current(ctx)
            .orElseThrow(
                () -> new ClientError(401, ClientError.Code.UNAUTHENTICATED, "not signed in"));
    Principal principal = session.principal();
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("email", principal.user().email());
    user.put("role", principal.user().role().wireName());
    user.put("media", principal.user().media());
    Map<String, Object> account = new LinkedHashMap<>();
    account.put("key", principal.account().key());
    account.put("name", principal.account().name());
    account.put("timeZone", principal.account().timeZone().getId());
    account.put("retention", principal.account().retention().wireName());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", user);
    body.put("account", account);
    body.put("csrfToken", session.csrfToken());
    // The earliest data each environment shows now: the pages keep their ranges inside it.
    Instant now = clock.instant();
    Map<String, Object> earliest = new LinkedHashMap<>();
    for (Environment environment : Environment.values()) {
      Principal in = new Principal(principal.account(), environment, principal.user(), "session");
      earliest.put(environment.wireName(), in.earliestVisible(now).toString());
    }
    body.put("now", now.toString());
    body.put("earliest", earliest);
    ctx.json(body);
  }

  private void signInForm(Context ctx) {
    if (sessions.current(ctx).isPresent()) {
      ctx.redirect(next(ctx.queryParam("next")), io.javalin.http.HttpStatus.SEE_OTHER);
      return;
    }
    renderSignIn(ctx, 200, "", "", ctx.queryParam("next"));
  }

  private void signIn(Context ctx) {
    String email = ctx.formParam("email");
    String next = ctx.formParam("next");
    if (!sessions.formTokenMatches(ctx, ctx.formParam("csrf"))) {
      renderSignIn(ctx, 403, "This form had expired. Please sign in again.", email, next);
      return;
    }
    Principal principal;
    try {
      principal = authenticator.signIn(email, ctx.formParam("password"), clientIp.apply(ctx));
    } catch (TooManyRequests e) {
      ctx.header("Retry-After", Long.toString(e.decision().retryAfterSeconds()));
      renderSignIn(ctx, 429, "Too many failed sign-in attempts. " + e.getMessage(), email, next);
      return;
    } catch (ClientError e) {
      String message =
          e.status() == 401 ? "Wrong email or password." : capitalised(e.getMessage()) + ".";
      renderSignIn(ctx, e.status(), message, email, next);
      return;
    }
    sessions.open(principal, ctx);
    String target = next(next);
    ctx.redirect(
        target.equals("/app") ? "/app/" + principal.accountKey() : target,
        io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void signOut(Context ctx) {
    Optional<DashboardSessions.Session> session = sessions.current(ctx);
    if (session.isPresent()
        && !DashboardSessions.matches(session.get().csrfToken(), ctx.formParam("csrf"))) {
      throw new ClientError(403, ClientError.Code.FORBIDDEN, "missing or wrong csrf form field");
    }
    sessions.close(ctx);
    ctx.redirect("/sign-in", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void renderSignIn(Context ctx, int status, String error, String email, String next) {
    pageHeaders(ctx);
    String html =
        signInTemplate
            .replace("{{error}}", escape(error))
            .replace("{{errorHidden}}", error.isEmpty() ? "hidden" : "")
            .replace("{{email}}", escape(email == null ? "" : email))
            .replace("{{next}}", escape(next(next)))
            .replace("{{csrf}}", escape(sessions.formToken(ctx)));
    ctx.status(status).contentType("text/html; charset=utf-8").result(html);
  }

  private static void toSignIn(Context ctx) {
    String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    ctx.redirect(
        "/sign-in?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8),
        io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** Only a dashboard path of this server: never an open redirect to another site. */
  static String next(String next) {
    if (next == null || !LOCAL_PATH.matcher(next).matches() || next.contains("//")) {
      return "/app";
    }
    return next;
  }

  private static void noStore(Context ctx) {
    ctx.header("Cache-Control", "no-store");
  }

  private static void pageHeaders(Context ctx) {
    noStore(ctx);
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
  }

  private static String notFoundPage() {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found ·"
        + " Playlens</title><link rel=\"stylesheet\" href=\"/app/assets/app.css\"></head><body>"
        + "<main class=\"narrow\"><h1>Not found</h1><p>There is no such page in your account."
        + " <a href=\"/app\">Back to your overview</a></p></main></body></html>";
  }

  private static String capitalised(String message) {
    return message.isEmpty()
        ? message
        : Character.toUpperCase(message.charAt(0)) + message.substring(1);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static byte[] resource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream(PAGES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing dashboard page " + PAGES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
