package io.playlens.api.admin;

import io.playlens.account.Account;
import io.playlens.account.AccountAdmin;
import io.playlens.account.ApiKey;
import io.playlens.account.Media;
import io.playlens.account.PlayerKey;
import io.playlens.account.Project;
import io.playlens.account.User;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes of administration results, shared by the admin API and the CLI's {@code --json}
 * output. No view ever holds a password hash or an API key's hash.
 */
public final class AdminViews {
  private AdminViews() {}

  public static Map<String, Object> account(Account account) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("key", account.key());
    view.put("name", account.name());
    view.put("timeZone", account.timeZone().getId());
    view.put("retention", account.retention().wireName());
    view.put("state", account.state().wireName());
    view.put("createdAt", time(account.createdAt()));
    return view;
  }

  /** The one JSON object {@code account create --json} prints: the only time keys are shown. */
  public static Map<String, Object> newAccount(AccountAdmin.NewAccount created) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("account", created.account().key());
    view.put("productionApiKey", created.productionApiKey().secret());
    view.put("sandboxApiKey", created.sandboxApiKey().secret());
    view.put("productionPlayerKey", created.productionPlayerKey().key());
    view.put("sandboxPlayerKey", created.sandboxPlayerKey().key());
    return view;
  }

  public static Map<String, Object> user(User user) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", user.id());
    view.put("account", user.account());
    view.put("email", user.email());
    view.put("role", user.role().wireName());
    view.put("operator", user.operator());
    view.put("media", user.media().isEmpty() ? "all" : user.media());
    view.put("createdAt", time(user.createdAt()));
    return view;
  }

  public static Map<String, Object> apiKey(ApiKey key) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", key.id());
    view.put("type", "api");
    view.put("environment", key.environment().wireName());
    view.put("hint", key.hint() + "...");
    view.put("createdAt", time(key.createdAt()));
    view.put("revokedAt", time(key.revokedAt()));
    return view;
  }

  /** A new API key with its secret, shown this once. */
  public static Map<String, Object> newApiKey(AccountAdmin.CreatedApiKey created) {
    Map<String, Object> view = apiKey(created.key());
    view.put("key", created.secret());
    return view;
  }

  public static Map<String, Object> playerKey(PlayerKey key) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", key.key());
    view.put("type", "player");
    view.put("environment", key.environment().wireName());
    view.put("key", key.key());
    view.put("allowedOrigins", key.allowedOrigins());
    view.put("createdAt", time(key.createdAt()));
    view.put("revokedAt", time(key.revokedAt()));
    return view;
  }

  public static Map<String, Object> media(Media media) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", media.id());
    view.put("environment", media.environment().wireName());
    view.put("name", media.name());
    view.put("duration", media.duration());
    view.put("type", media.type().wireName());
    view.put("tags", media.tags());
    view.put("createdAt", time(media.createdAt()));
    return view;
  }

  public static Map<String, Object> project(Project project) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", project.id());
    view.put("name", project.name());
    view.put("media", project.media());
    view.put("createdAt", time(project.createdAt()));
    return view;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
