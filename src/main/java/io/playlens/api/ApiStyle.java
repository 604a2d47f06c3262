package io.playlens.api;

import io.javalin.http.Context;
import io.playlens.account.TooManyRequests;
import io.playlens.server.ClientError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three families of routes and how each words an error: api.video's RFC 7807 bodies under
 * {@code /auth} and {@code /data}, Wistia's {@code {"error": ...}} under {@code /stats} and {@code
 * /v1/stats}, and Playlens' own {@code {"error", "errors"}} everywhere else. Every client error is
 * rendered here, by the path it was thrown on.
 */
public enum ApiStyle {
  PLAYLENS,
  API_VIDEO,
  WISTIA;

  private static final String API_VIDEO_DOCS = "https://docs.api.video/reference/";

  /** The 503's message when the metadata store (accounts, keys) fails. */
  public static final String METADATA_UNAVAILABLE =
      "the metadata store is unavailable; retry shortly";

  /** The 500's message; the cause goes to the server log only. */
  public static final String INTERNAL_ERROR = "internal error; see the server log";

  public static ApiStyle of(String path) {
    if (path.equals("/data") || path.startsWith("/data/") || path.startsWith("/auth/")) {
      return API_VIDEO;
    }
    if (path.startsWith("/stats/") || path.startsWith("/v1/stats/") || path.equals("/v1/stats")) {
      return WISTIA;
    }
    return PLAYLENS;
  }

  /** Writes {@code error} as this API's error response. */
  public void render(ClientError error, Context ctx) {
    if (error instanceof TooManyRequests limited) {
      RateLimitHeaders.set(ctx, limited.decision());
      ctx.header("Retry-After", Long.toString(limited.decision().retryAfterSeconds()));
    }
    // The dashboard's own requests name their environment; a challenge would make the browser
    // show its password prompt over the page instead of the page's own sign-in.
    if (error.status() == 401 && ctx.header("X-Playlens-Environment") == null) {
      ctx.header("WWW-Authenticate", "Basic realm=\"playlens\", Bearer realm=\"playlens\"");
    }
    ctx.status(error.status());
    switch (this) {
      case API_VIDEO -> ctx.json(apiVideoBody(error));
      case WISTIA -> {
        if (error.status() == 404) {
          ctx.result(""); // Wistia answers an unknown media with an empty 404
        } else {
          ctx.json(Map.of("error", error.getMessage()));
        }
      }
      case PLAYLENS -> ctx.json(playlensBody(error.getMessage(), error.fieldErrors()));
    }
  }

  /**
   * Playlens' own error body: {@code {"error": message, "errors": [{"field", "message"}]}}, the
   * list left out when empty.
   */
  public static Map<String, Object> playlensBody(
      String message, List<ClientError.FieldError> fieldErrors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    if (!fieldErrors.isEmpty()) {
      body.put("errors", fieldErrors);
    }
    return body;
  }

  /** The 404 of a path nothing answers, in this API's words. */
  public void notFound(Context ctx) {
    switch (this) {
      case API_VIDEO -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", API_VIDEO_DOCS + "unrecognized-request-url");
        body.put("title", "Unrecognized request URL.");
        body.put("status", 404);
        ctx.json(body);
      }
      case WISTIA -> ctx.result("");
      case PLAYLENS -> ctx.json(Map.of("error", "not found: " + ctx.method() + " " + ctx.path()));
    }
  }

  private static Map<String, Object> apiVideoBody(ClientError error) {
    Map<String, Object> body = new LinkedHashMap<>();
    switch (error.code()) {
      case INVALID_CREDENTIALS -> {
        body.put("type", API_VIDEO_DOCS + "authentication-invalid-user-credentials");
        body.put("title", "The user credentials were incorrect.");
        body.put("name", "");
      }
      case UNAUTHENTICATED -> {
        body.put("type", API_VIDEO_DOCS + "authentication-missing-or-invalid");
        body.put("title", "Unauthorized.");
      }
      case FORBIDDEN -> {
        body.put("type", API_VIDEO_DOCS + "authentication-forbidden");
        body.put("title", "Forbidden.");
      }
      case TOO_MANY_REQUESTS -> {
        body.put("type", API_VIDEO_DOCS + "too-many-requests");
        body.put("title", "Too many requests.");
      }
      case NOT_FOUND -> {
        body.put("type", API_VIDEO_DOCS + "resource-not-found");
        body.put("title", "The requested resource was not found.");
      }
      case INVALID_QUERY_PARAMETER -> {
        body.put("type", API_VIDEO_DOCS + "request-invalid-query-parameter");
        body.put("title", "A query parameter is invalid.");
      }
      case INVALID_REQUEST, CONFLICT -> {
        body.put("type", API_VIDEO_DOCS + "invalid-attribute");
        body.put("title", "An attribute is invalid.");
      }
    }
    body.put("status", error.status());
    if (error.code() != ClientError.Code.TOO_MANY_REQUESTS) {
      // api.video words a parameter's problem in "detail" and names the parameter in "name".
      boolean field = !error.fieldErrors().isEmpty();
      body.put("detail", field ? error.fieldErrors().get(0).message() : error.getMessage());
      if (field) {
        body.put("name", error.fieldErrors().get(0).field());
      }
    }
    return body;
  }
}
