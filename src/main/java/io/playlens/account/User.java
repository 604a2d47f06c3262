package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A person who reads an account's statistics (Wistia's "manager"). Owners administer the account;
 * members read it, all of it or only the listed media. An operator administers every account of the
 * installation.
 *
 * @param passwordHash bcrypt hash; the password itself is never kept
 * @param media media ids the user may read; empty means the whole account
 */
public record User(
    String id,
    String account,
    String email,
    String passwordHash,
    Role role,
    boolean operator,
    List<String> media,
    Instant createdAt) {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  public enum Role {
    OWNER,
    MEMBER;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String value) {
      return switch (value == null ? "" : value) {
        case "owner" -> OWNER;
        case "member" -> MEMBER;
        default ->
            throw new IllegalArgumentException(
                "role must be 'owner' or 'member' (got '" + value + "')");
      };
    }
  }

  public User {
    requireNonNull(id, "id is null");
    Account.checkKey(account);
    email = normaliseEmail(email);
    requireNonNull(passwordHash, "passwordHash is null");
    requireNonNull(role, "role is null");
    media = List.copyOf(media);
    media.forEach(Media::checkId);
    requireNonNull(createdAt, "createdAt is null");
  }

  public boolean owner() {
    return role == Role.OWNER;
  }

  public boolean canRead(String mediaId) {
    return media.isEmpty() || media.contains(mediaId);
  }

  /** Emails identify users across the installation, compared without case. */
  public static String normaliseEmail(String email) {
    if (email == null || email.length() > 254 || !EMAIL.matcher(email.strip()).matches()) {
      throw new IllegalArgumentException("email must look like name@example.com");
    }
    return email.strip().toLowerCase(Locale.ROOT);
  }
}
