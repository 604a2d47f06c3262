package io.playlens.api.apivideo;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.playlens.account.Authenticator;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.FieldError;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * api.video's disposable bearer tokens: {@code POST /auth/api-key} trades an API key for an access
 * token (one hour) and a refresh token; {@code POST /auth/refresh} trades a refresh token, once,
 * for a new pair.
 */
public final class AuthEndpoints {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Authenticator authenticator;
  private final Function<Context, String> clientIp;

  public AuthEndpoints(Authenticator authenticator, Function<Context, String> clientIp) {
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.clientIp = requireNonNull(clientIp, "clientIp is null");
  }

  public void apiKey(Context ctx) {
    String apiKey = field(ctx, "apiKey");
    answer(ctx, asApiVideoAnswers(() -> authenticator.issueTokens(apiKey, clientIp.apply(ctx))));
  }

  public void refresh(Context ctx) {
    String refreshToken = field(ctx, "refreshToken");
    answer(ctx, asApiVideoAnswers(() -> authenticator.refresh(refreshToken, clientIp.apply(ctx))));
  }

  /** api.video answers wrong credentials on these two routes with a 400, not a 401. */
  private static Authenticator.TokenPair asApiVideoAnswers(
      java.util.function.Supplier<Authenticator.TokenPair> exchange) {
    try {
      return exchange.get();
    } catch (ClientError e) {
      if (e.status() == 401) {
        throw new ClientError(400, ClientError.Code.INVALID_CREDENTIALS, e.getMessage());
      }
      throw e;
    }
  }

  private static void answer(Context ctx, Authenticator.TokenPair tokens) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "Bearer");
    body.put("expires_in", tokens.expiresInSeconds());
    body.put("access_token", tokens.accessToken());
    body.put("refresh_token", tokens.refreshToken());
    ctx.header("Cache-Control", "no-store");
    ctx.json(body);
  }

  private static String field(Context ctx, String name) {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      throw new ClientError(400, "the body must be a JSON object with \"" + name + "\"");
    }
    JsonNode value = body == null ? null : body.get(name);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new ClientError(
          400,
          "the body must be a JSON object with \"" + name + "\"",
          List.of(new FieldError(name, "This value should not be blank.")));
    }
    return value.asText();
  }
}
