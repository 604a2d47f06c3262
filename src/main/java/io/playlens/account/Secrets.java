package io.playlens.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Random credentials and the one-way hashes they are stored as. */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private Secrets() {}

  /** {@code prefix} then {@code length} random base-62 characters (~5.95 bits each). */
  public static String random(String prefix, int length) {
    StringBuilder out = new StringBuilder(prefix.length() + length).append(prefix);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return out.toString();
  }

  public static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** A secret API key: 40 random characters (238 bits), prefixed by its environment. */
  public static String newApiKey(Environment environment) {
    return random(environment == Environment.PRODUCTION ? "sk_live_" : "sk_test_", 40);
  }

  public static String newPlayerKey(Environment environment) {
    return random(environment == Environment.PRODUCTION ? "pk_live_" : "pk_test_", 24);
  }

  /**
   * SHA-256, hex. Enough for random secrets of 200+ bits (API keys, refresh tokens): unlike
   * passwords they cannot be guessed, so a slow hash would only slow every request.
   */
  public static String hash(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Compares in time that does not depend on where the inputs differ. */
  public static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
