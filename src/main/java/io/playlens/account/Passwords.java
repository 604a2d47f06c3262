package io.playlens.account;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Users' passwords as bcrypt hashes (cost {@value #COST}, ~50-100 ms per check on this hardware).
 * Wistia-style clients send the password with every request, so a successful check is remembered
 * for a few minutes under an HMAC of the pair (keyed by a per-process secret, never the password
 * itself), tied to the stored hash: a changed password stops matching at once.
 */
public final class Passwords {
  static final int COST = 10;
  static final int MIN_LENGTH = 8;
  static final int MAX_BYTES = 72; // bcrypt reads no further
  private static final long REMEMBER_NANOS = 5L * 60 * 1_000_000_000;
  private static final int REMEMBERED_MAX = 10_000;

  /** A hash no password matches, checked for unknown emails so they take as long as known ones. */
  static final String DUMMY_HASH =
      OpenBSDBCrypt.generate("2b", "no-such-user".toCharArray(), new byte[16], COST);

  private final byte[] processSecret = Secrets.randomBytes(32);
  private final Map<String, Remembered> verified = new ConcurrentHashMap<>();

  private record Remembered(String passwordHash, long expiresNanos) {}

  /** Throws a message fit for the user when the password is too short or too long. */
  public static void checkPolicy(String password) {
    if (password == null || password.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("password must be at least " + MIN_LENGTH + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("password must be at most " + MAX_BYTES + " bytes");
    }
  }

  public String hash(String password) {
    checkPolicy(password);
    return OpenBSDBCrypt.generate("2b", password.toCharArray(), Secrets.randomBytes(16), COST);
  }

  /** True when {@code password} matches {@code passwordHash}. */
  public boolean verify(String email, String password, String passwordHash) {
    if (password.isEmpty() || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return false;
    }
    String memo = memoKey(email, password);
    Remembered remembered = verified.get(memo);
    long now = System.nanoTime();
    if (remembered != null
        && now - remembered.expiresNanos() < 0
        && Secrets.constantTimeEquals(remembered.passwordHash(), passwordHash)) {
      return true;
    }
    boolean matches;
    try {
      matches = OpenBSDBCrypt.checkPassword(passwordHash, password.toCharArray());
    } catch (IllegalArgumentException e) {
      return false; // not a bcrypt hash
    }
    if (matches) {
      if (verified.size() >= REMEMBERED_MAX) {
        verified.clear();
      }
      verified.put(memo, new Remembered(passwordHash, now + REMEMBER_NANOS));
    }
    return matches;
  }

  private String memoKey(String email, String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(processSecret, "HmacSHA256"));
      byte[] digest = mac.doFinal((email + '\0' + password).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
