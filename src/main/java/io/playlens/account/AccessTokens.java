package io.playlens.account;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived bearer tokens for an API key ({@code POST /auth/api-key}): {@code
 * base64url(claims).base64url(HMAC-SHA256)}, signed with the installation's secret from the
 * metadata store, so any node can check a token another node issued. A token names its key; the key
 * is looked up on every use, so revoking the key ends its tokens at once.
 */
public final class AccessTokens {
  public static final Duration LIFETIME = Duration.ofHours(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;

  public AccessTokens(byte[] secret, Clock clock) {
    this.key = new SecretKeySpec(requireNonNull(secret, "secret is null"), "HmacSHA256");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** What a valid token says: the API key it stands for, and until when. */
  public record Claims(String apiKeyId, Instant expiresAt) {}

  public String issue(ApiKey apiKey) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("kid", apiKey.id());
    claims.put("exp", clock.instant().plus(LIFETIME).getEpochSecond());
    try {
      String payload = ENCODER.encodeToString(JSON.writeValueAsBytes(claims));
      return payload + "." + ENCODER.encodeToString(sign(payload));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write token claims", e);
    }
  }

  /** The claims of a well-signed, unexpired token; empty for anything else. */
  public Optional<Claims> verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return Optional.empty();
    }
    String payload = token.substring(0, dot);
    byte[] signature;
    JsonNode claims;
    try {
      signature = DECODER.decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(signature, sign(payload))) {
        return Optional.empty();
      }
      claims = JSON.readTree(DECODER.decode(payload));
    } catch (IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
    Instant expiresAt = Instant.ofEpochSecond(claims.path("exp").asLong(0));
    String keyId = claims.path("kid").asText("");
    if (keyId.isEmpty() || !clock.instant().isBefore(expiresAt)) {
      return Optional.empty();
    }
    return Optional.of(new Claims(keyId, expiresAt));
  }

  private byte[] sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
