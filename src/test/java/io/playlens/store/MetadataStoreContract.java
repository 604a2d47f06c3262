package io.playlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.account.Account;
import io.playlens.account.ApiKey;
import io.playlens.account.Environment;
import io.playlens.account.Media;
import io.playlens.account.MetadataStore;
import io.playlens.account.MetadataStore.DashboardSession;
import io.playlens.account.MetadataStore.HashedApiKey;
import io.playlens.account.PlayerKey;
import io.playlens.account.Project;
import io.playlens.account.Retention;
import io.playlens.account.User;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} must do, run against each engine (the embedded DuckDB file,
 * PostgreSQL) by a subclass that hands out a fresh, migrated, empty store. The expected results are
 * the same for every engine.
 */
public abstract class MetadataStoreContract {
  /** A fresh, migrated store with no accounts. */
  protected abstract MetadataStore newStore() throws Exception;

  private static final Instant T = Instant.parse("2026-11-20T10:15:30.123Z");

  private MetadataStore store;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  private static Account account(String key) {
    return new Account(
        key, "Acme " + key, ZoneId.of("Europe/Paris"), Retention.DAYS_90, Account.State.ACTIVE, T);
  }

  private static User user(String id, String account, String email, User.Role role) {
    return new User(id, account, email, "hash-" + id, role, false, List.of(), T);
  }

  private static ApiKey apiKey(String id, String account, Environment environment) {
    return new ApiKey(id, account, environment, "…" + id.substring(id.length() - 4), T, null);
  }

  private void createAcme() {
    store.createAccount(
        account("acme"),
        user("u-owner", "acme", "owner@acme.test", User.Role.OWNER),
        List.of(new HashedApiKey(apiKey("key-prod-0001", "acme", Environment.PRODUCTION), "h1")),
        List.of(
            new PlayerKey(
                "pk_acme", "acme", Environment.PRODUCTION, List.of("https://a.test"), T, null)));
  }

  @Test
  void anAccountIsCreatedWithItsOwnerAndKeysAndReadBack() {
    createAcme();

    assertThat(store.account("acme")).contains(account("acme"));
    assertThat(store.account("nope")).isEmpty();
    assertThat(store.accounts()).containsExactly(account("acme"));
    assertThat(store.userByEmail("owner@acme.test"))
        .contains(user("u-owner", "acme", "owner@acme.test", User.Role.OWNER));
    assertThat(store.user("u-owner")).map(User::email).contains("owner@acme.test");
    assertThat(store.apiKeyBySecretHash("h1"))
        .contains(apiKey("key-prod-0001", "acme", Environment.PRODUCTION));
    assertThat(store.apiKey("key-prod-0001")).isPresent();
    assertThat(store.playerKey("pk_acme"))
        .contains(
            new PlayerKey(
                "pk_acme", "acme", Environment.PRODUCTION, List.of("https://a.test"), T, null));
  }

  @Test
  void aTakenAccountKeyOrEmailIsAConflictAndWritesNothing() {
    createAcme();

    assertThatThrownBy(
            () ->
                store.createAccount(
                    account("acme"),
                    user("u-2", "acme", "other@acme.test", User.Role.OWNER),
                    List.of(),
                    List.of()))
        .isInstanceOf(MetadataStore.Conflict.class);
    assertThatThrownBy(
            () ->
                store.createAccount(
                    account("beta"),
                    user("u-3", "beta", "owner@acme.test", User.Role.OWNER),
                    List.of(),
                    List.of()))
        .isInstanceOf(MetadataStore.Conflict.class);
    // the failed account's transaction left nothing behind
    assertThat(store.account("beta")).isEmpty();
    assertThat(store.user("u-3")).isEmpty();
    assertThatThrownBy(
            () -> store.createUser(user("u-4", "acme", "owner@acme.test", User.Role.MEMBER)))
        .isInstanceOf(MetadataStore.Conflict.class);
  }

  @Test
  void settingsAndStateChangeSeparately() {
    createAcme();
    Account changed =
        account("acme").withSettings("Acme Films", ZoneId.of("America/Havana"), Retention.DAYS_365);

    store.setAccountState("acme", Account.State.SUSPENDED);
    store.updateAccount(changed);

    Account read = store.account("acme").orElseThrow();
    assertThat(read.name()).isEqualTo("Acme Films");
    assertThat(read.timeZone()).isEqualTo(ZoneId.of("America/Havana"));
    assertThat(read.retention()).isEqualTo(Retention.DAYS_365);
    // a settings change never undoes a suspension
    assertThat(read.state()).isEqualTo(Account.State.SUSPENDED);
  }

  @Test
  void usersGetMediaLimitsAndAreRemovedWithTheirSessions() {
    createAcme();
    store.createUser(
        new User(
            "u-m", "acme", "m@acme.test", "hash", User.Role.MEMBER, false, List.of("v1", "v2"), T));

    assertThat(store.user("u-m").orElseThrow().media()).containsExactlyInAnyOrder("v1", "v2");
    assertThat(store.updateUserAccess("acme", "u-m", User.Role.MEMBER, List.of("v3"))).isTrue();
    assertThat(store.user("u-m").orElseThrow().media()).containsExactly("v3");
    assertThat(store.updateUserAccess("other", "u-m", User.Role.OWNER, List.of())).isFalse();
    assertThat(store.users("acme"))
        .extracting(User::id)
        .containsExactlyInAnyOrder("u-owner", "u-m");

    store.saveDashboardSession(
        new DashboardSession("tok-m", "u-m", "csrf", T, T.plus(1, ChronoUnit.DAYS)));
    assertThat(store.deleteUser("acme", "u-m")).isTrue();
    assertThat(store.user("u-m")).isEmpty();
    assertThat(store.dashboardSession("tok-m", T)).isEmpty();
    assertThat(store.deleteUser("acme", "u-m")).isFalse();
  }

  @Test
  void keysAreListedAndRevokedOnceWithinTheirAccount() {
    createAcme();
    store.createApiKey(apiKey("key-sand-0002", "acme", Environment.SANDBOX), "h2");
    store.createPlayerKey(
        new PlayerKey("pk_acme_sb", "acme", Environment.SANDBOX, List.of(), T, null));

    assertThat(store.apiKeys("acme"))
        .extracting(ApiKey::id)
        .containsExactlyInAnyOrder("key-prod-0001", "key-sand-0002");
    assertThat(store.playerKeys("acme"))
        .extracting(PlayerKey::key)
        .containsExactlyInAnyOrder("pk_acme", "pk_acme_sb");

    Instant at = T.plusSeconds(60);
    assertThat(store.revokeApiKey("other", "key-sand-0002", at)).isFalse();
    assertThat(store.revokeApiKey("acme", "key-sand-0002", at)).isTrue();
    assertThat(store.revokeApiKey("acme", "key-sand-0002", at)).isFalse();
    assertThat(store.apiKey("key-sand-0002").orElseThrow().revokedAt()).isEqualTo(at);
    assertThat(store.revokePlayerKey("acme", "pk_acme_sb", at)).isTrue();
    assertThat(store.playerKey("pk_acme_sb").orElseThrow().revoked()).isTrue();
  }

  @Test
  void mediaAreRegisteredOncePerEnvironmentAndUpdated() {
    createAcme();
    Media intro =
        new Media(
            "acme",
            Environment.PRODUCTION,
            "m1",
            "Intro",
            125.3,
            Media.Type.VIDEO,
            List.of("a", "b"),
            T);

    assertThat(store.registerMedia(intro)).isTrue();
    assertThat(store.registerMedia(intro)).isFalse();
    assertThat(
            store.registerMedia(
                new Media(
                    "acme", Environment.SANDBOX, "m1", null, null, Media.Type.VIDEO, List.of(), T)))
        .isTrue();
    assertThat(store.media("acme", Environment.PRODUCTION, "m1")).contains(intro);
    Media renamed =
        new Media(
            "acme",
            Environment.PRODUCTION,
            "m1",
            "Intro (cut)",
            99.0,
            Media.Type.LIVE_STREAM,
            List.of("c"),
            T);
    store.updateMedia(renamed);
    assertThat(store.media("acme", Environment.PRODUCTION)).containsExactly(renamed);
    assertThat(store.media("acme", Environment.SANDBOX)).hasSize(1);
  }

  @Test
  void aMediaSeenByManyRequestsAtOnceIsRegisteredOnce() throws Exception {
    createAcme();
    Media media =
        new Media("acme", Environment.PRODUCTION, "m7", "x", 1.0, Media.Type.VIDEO, List.of(), T);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> racers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        racers.add(() -> store.registerMedia(media));
      }
      List<Boolean> results = new ArrayList<>();
      for (Future<Boolean> result : pool.invokeAll(racers)) {
        results.add(result.get());
      }
      assertThat(results).filteredOn(Boolean::booleanValue).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.media("acme", Environment.PRODUCTION)).containsExactly(media);
  }

  @Test
  void projectsAreCreatedReplacedAndDeleted() {
    createAcme();
    Project project = new Project("acme", "p1", "Onboarding", List.of("m1", "m2"), T);

    store.createProject(project);
    assertThatThrownBy(() -> store.createProject(project))
        .isInstanceOf(MetadataStore.Conflict.class);
    assertThat(store.project("acme", "p1")).contains(project);
    assertThat(store.replaceProject(new Project("acme", "p1", "Renamed", List.of("m3"), T)))
        .isTrue();
    assertThat(store.projects("acme")).extracting(Project::name).containsExactly("Renamed");
    assertThat(store.replaceProject(new Project("acme", "p9", "x", List.of(), T))).isFalse();
    assertThat(store.deleteProject("acme", "p1")).isTrue();
    assertThat(store.deleteProject("acme", "p1")).isFalse();
    assertThat(store.project("other", "p1")).isEmpty();
  }

  @Test
  void aRefreshTokenWorksOnceEvenWhenTwoRequestsRace() throws Exception {
    createAcme();
    store.saveRefreshToken("rt", "key-prod-0001", T.plusSeconds(3600));
    store.saveRefreshToken("old", "key-prod-0001", T.minusSeconds(1));

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Optional<String>>> racers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        racers.add(() -> store.consumeRefreshToken("rt", T));
      }
      List<Optional<String>> results = new ArrayList<>();
      for (Future<Optional<String>> result : pool.invokeAll(racers)) {
        results.add(result.get());
      }
      assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
      assertThat(results).contains(Optional.of("key-prod-0001"));
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.consumeRefreshToken("old", T)).isEmpty();
    store.saveRefreshToken("old2", "key-prod-0001", T.minusSeconds(1));
    assertThat(store.deleteExpiredRefreshTokens(T)).isEqualTo(1);
  }

  @Test
  void dashboardSessionsExpire() {
    createAcme();
    Instant expires = T.plus(1, ChronoUnit.HOURS);
    DashboardSession session = new DashboardSession("tok", "u-owner", "csrf-1", T, expires);

    store.saveDashboardSession(session);
    assertThat(store.dashboardSession("tok", T)).contains(session);
    assertThat(store.dashboardSession("tok", expires.plusSeconds(1))).isEmpty();
    store.saveDashboardSession(new DashboardSession("gone", "u-owner", "c", T, T.minusSeconds(1)));
    assertThat(store.deleteExpiredDashboardSessions(T)).isEqualTo(1);
    assertThat(store.deleteDashboardSession("tok")).isTrue();
    assertThat(store.deleteDashboardSession("tok")).isFalse();
  }

  @Test
  void theSigningSecretIsCreatedOnceAndShared() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<byte[]>> racers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        racers.add(store::signingSecret);
      }
      List<byte[]> secrets = new ArrayList<>();
      for (Future<byte[]> secret : pool.invokeAll(racers)) {
        secrets.add(secret.get());
      }
      assertThat(secrets.get(0)).hasSizeGreaterThanOrEqualTo(32);
      assertThat(secrets).allSatisfy(s -> assertThat(s).isEqualTo(secrets.get(0)));
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.signingSecret()).isEqualTo(newStoreOnSameDatabase().signingSecret());
  }

  /** A second store over the same database, as a second node would open it. */
  protected abstract MetadataStore newStoreOnSameDatabase() throws Exception;
}
