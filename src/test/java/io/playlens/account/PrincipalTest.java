package io.playlens.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final Account ACCOUNT =
      new Account("foo", "Foo", ZoneId.of("UTC"), Retention.DAYS_90, Account.State.ACTIVE, NOW);

  @Test
  void theSandboxSeesTheLast24HoursAndProductionTheAccountsRetention() {
    Principal sandbox = new Principal(ACCOUNT, Environment.SANDBOX, null, "key:k1");
    Principal production = new Principal(ACCOUNT, Environment.PRODUCTION, null, "key:k2");

    assertThat(sandbox.earliestVisible(NOW)).isEqualTo(Instant.parse("2026-11-21T12:00:00Z"));
    assertThat(production.earliestVisible(NOW)).isEqualTo(Instant.parse("2026-08-24T12:00:00Z"));
  }

  @Test
  void aUserLimitedToListedMediaReadsOnlyThose() {
    User member =
        new User(
            "u1", "foo", "Viewer@Foo.test", "$2b$", User.Role.MEMBER, false, List.of("intro"), NOW);
    Principal principal = new Principal(ACCOUNT, Environment.PRODUCTION, member, "user:u1");

    assertThat(member.email()).isEqualTo("viewer@foo.test");
    assertThat(principal.canRead("intro")).isTrue();
    assertThat(principal.canRead("launch")).isFalse();
    assertThat(principal.owner()).isFalse();
  }

  @Test
  void inputIsCheckedWithMessagesThatSayWhatIsAllowed() {
    assertThatThrownBy(() -> Account.checkKey("Foo"))
        .hasMessage("account key must be 2-40 characters of a-z, 0-9 and '-' (got 'Foo')");
    assertThatThrownBy(() -> Account.parseTimeZone("+02:00"))
        .hasMessage("time zone must be an IANA name such as Europe/Paris or UTC (got '+02:00')");
    assertThatThrownBy(() -> Retention.parse("1y"))
        .hasMessage("retention must be one of 30d, 90d, 365d (got '1y')");
    assertThatThrownBy(() -> Passwords.checkPolicy("1234567"))
        .hasMessage("password must be at least 8 characters");
    assertThatThrownBy(() -> Passwords.checkPolicy("é".repeat(37)))
        .hasMessage("password must be at most 72 bytes");
    assertThatThrownBy(() -> Media.checkId("a b"))
        .hasMessageStartingWith("media id must be 1-64 characters");
  }

  @Test
  void passwordsAreSaltedBcryptAndOnlyTheRightOneMatches() {
    Passwords passwords = new Passwords();
    String first = passwords.hash("correct horse");
    String second = passwords.hash("correct horse");

    assertThat(first).startsWith("$2b$10$").isNotEqualTo(second);
    assertThat(passwords.verify("a@b.c", "correct horse", first)).isTrue();
    assertThat(passwords.verify("a@b.c", "correct horse", first)).isTrue(); // remembered
    assertThat(passwords.verify("a@b.c", "correct horsE", first)).isFalse();
    assertThat(passwords.verify("a@b.c", "correct horse", second)).isTrue();
    // A changed hash (a new password) is not matched by what was remembered for the old one.
    assertThat(passwords.verify("a@b.c", "correct horse", passwords.hash("other password")))
        .isFalse();
  }

  @Test
  void anEncodedAtInABasicUsernameIsDecoded() {
    assertThat(Authenticator.decodeUsername("me%40foo.test")).isEqualTo("me@foo.test");
    assertThat(Authenticator.decodeUsername("me+tag@foo.test")).isEqualTo("me+tag@foo.test");
    assertThat(Authenticator.decodeUsername("100%")).isEqualTo("100%");
  }
}
