package io.playlens.api.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.playlens.account.Account;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Environment;
import io.playlens.account.Principal;
import io.playlens.account.Project;
import io.playlens.account.Retention;
import io.playlens.account.User;
import io.playlens.api.Guard;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.FieldError;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The admin REST API under {@code /admin/v1}, for a running server: what the CLI does on a stopped
 * one, through the same {@link AccountAdmin}. Owners manage their own account; operators manage
 * every account. Another account's paths answer exactly as a missing account does (404).
 */
public final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE = "/admin/v1";

  private final AccountAdmin admin;

  public AdminApi(AccountAdmin admin) {
    this.admin = requireNonNull(admin, "admin is null");
  }

  public void register(RoutesConfig routes, Guard guard) {
    routes.before(BASE + "/*", guard::check);
    routes.get(BASE + "/accounts", this::listAccounts);
    routes.post(BASE + "/accounts", this::createAccount);
    routes.get(BASE + "/accounts/{account}", ctx -> ctx.json(AdminViews.account(account(ctx))));
    routes.patch(BASE + "/accounts/{account}", this::setAccount);
    routes.post(
        BASE + "/accounts/{account}/suspend", ctx -> setState(ctx, Account.State.SUSPENDED));
    routes.post(BASE + "/accounts/{account}/activate", ctx -> setState(ctx, Account.State.ACTIVE));
    routes.get(BASE + "/accounts/{account}/users", this::listUsers);
    routes.post(BASE + "/accounts/{account}/users", this::addUser);
    routes.patch(BASE + "/accounts/{account}/users/{id}", this::setUserAccess);
    routes.delete(BASE + "/accounts/{account}/users/{id}", this::removeUser);
    routes.get(BASE + "/accounts/{account}/keys", this::listKeys);
    routes.post(BASE + "/accounts/{account}/keys", this::createKey);
    routes.delete(BASE + "/accounts/{account}/keys/{id}", this::revokeKey);
    routes.get(BASE + "/accounts/{account}/media", this::listMedia);
    routes.get(BASE + "/accounts/{account}/media/{media}", this::getMedia);
    routes.patch(BASE + "/accounts/{account}/media/{media}", this::updateMedia);
    routes.get(BASE + "/accounts/{account}/projects", this::listProjects);
    routes.post(BASE + "/accounts/{account}/projects", ctx -> saveProject(ctx, false));
    routes.get(
        BASE + "/accounts/{account}/projects/{project}",
        ctx ->
            ctx.json(
                AdminViews.project(admin.project(account(ctx).key(), ctx.pathParam("project")))));
    routes.put(BASE + "/accounts/{account}/projects/{project}", ctx -> saveProject(ctx, true));
    routes.delete(BASE + "/accounts/{account}/projects/{project}", this::deleteProject);
  }

  private static Principal owner(Context ctx) {
    Principal principal = Guard.principal(ctx);
    if (!principal.owner()) {
      throw new ClientError(403, "only account owners may use the admin API");
    }
    return principal;
  }

  private static Principal operator(Context ctx) {
    Principal principal = owner(ctx);
    if (!principal.operator()) {
      throw new ClientError(403, "only operators may create, suspend or activate accounts");
    }
    return principal;
  }

  /**
   * The path's account, if this principal may manage it; otherwise the same 404 as a missing one.
   */
  private Account account(Context ctx) {
    Principal principal = owner(ctx);
    String key = ctx.pathParam("account");
    if (!principal.operator() && !principal.accountKey().equals(key)) {
      throw new ClientError(404, "no account with key '" + key + "'");
    }
    return admin.account(key);
  }

  private void listAccounts(Context ctx) {
    Principal principal = owner(ctx);
    List<Account> accounts =
        principal.operator() ? admin.accounts() : List.of(admin.account(principal.accountKey()));
    ctx.json(Map.of("accounts", accounts.stream().map(AdminViews::account).toList()));
  }

  private void createAccount(Context ctx) {
    operator(ctx);
    Body body = Body.of(ctx, Set.of("key", "name", "email", "password", "retention", "timezone"));
    AccountAdmin.NewAccount created =
        admin.createAccount(
            body.required("key"),
            body.required("name"),
            body.required("email"),
            body.required("password"),
            body.parsed("retention", Retention::parse, Retention.DAYS_30),
            body.parsed("timezone", Account::parseTimeZone, ZoneId.of("UTC")),
            false);
    ctx.status(201).json(AdminViews.newAccount(created));
  }

  private void setAccount(Context ctx) {
    Account account = account(ctx);
    Body body = Body.of(ctx, Set.of("name", "timezone", "retention"));
    // Parsed here too, so a refusal names its field.
    ZoneId zone = body.parsed("timezone", Account::parseTimeZone, null);
    Retention retention = body.parsed("retention", Retention::parse, null);
    Account changed =
        admin.set(
            account.key(),
            body.optional("name"),
            zone == null ? null : zone.getId(),
            retention == null ? null : retention.wireName());
    ctx.json(AdminViews.account(changed));
  }

  private void setState(Context ctx, Account.State state) {
    operator(ctx);
    Account account = account(ctx);
    ctx.json(AdminViews.account(admin.setState(account.key(), state)));
  }

  private void listUsers(Context ctx) {
    Account account = account(ctx);
    ctx.json(Map.of("users", admin.users(account.key()).stream().map(AdminViews::user).toList()));
  }

  private void addUser(Context ctx) {
    Account account = account(ctx);
    Body body = Body.of(ctx, Set.of("email", "password", "role", "media"));
    User user =
        admin.addUser(
            account.key(),
            body.required("email"),
            body.required("password"),
            body.parsed("role", User.Role::parse, User.Role.MEMBER),
            false,
            body.strings("media"));
    ctx.status(201).json(AdminViews.user(user));
  }

  private void setUserAccess(Context ctx) {
    Account account = account(ctx);
    String id = ctx.pathParam("id");
    User current = admin.user(account.key(), id);
    Body body = Body.of(ctx, Set.of("role", "media"));
    User user =
        admin.setUserAccess(
            account.key(),
            id,
            body.parsed("role", User.Role::parse, current.role()),
            body.has("media") ? body.strings("media") : current.media());
    ctx.json(AdminViews.user(user));
  }

  private void removeUser(Context ctx) {
    Account account = account(ctx);
    admin.removeUser(account.key(), ctx.pathParam("id"));
    ctx.status(204);
  }

  private void listKeys(Context ctx) {
    Account account = account(ctx);
    List<Map<String, Object>> keys = new ArrayList<>();
    admin.apiKeys(account.key()).forEach(key -> keys.add(AdminViews.apiKey(key)));
    admin.playerKeys(account.key()).forEach(key -> keys.add(AdminViews.playerKey(key)));
    ctx.json(Map.of("keys", keys));
  }

  private void createKey(Context ctx) {
    Account account = account(ctx);
    Body body = Body.of(ctx, Set.of("type", "environment", "allowedOrigins"));
    Environment environment = body.parsed("environment", AdminApi::environment, null);
    if (environment == null) {
      throw body.missing("environment");
    }
    String type = body.required("type");
    Map<String, Object> view =
        switch (type) {
          case "api" -> AdminViews.newApiKey(admin.createApiKey(account.key(), environment));
          case "player" ->
              AdminViews.playerKey(
                  admin.createPlayerKey(
                      account.key(), environment, body.strings("allowedOrigins")));
          default ->
              throw new ClientError(
                  400,
                  "invalid body",
                  List.of(new FieldError("type", "must be 'api' or 'player'")));
        };
    ctx.status(201).json(view);
  }

  private void revokeKey(Context ctx) {
    Account account = account(ctx);
    admin.revokeKey(account.key(), ctx.pathParam("id"));
    ctx.status(204);
  }

  private void listMedia(Context ctx) {
    Account account = account(ctx);
    Environment environment = environmentParameter(ctx);
    ctx.json(
        Map.of(
            "media",
            admin.media(account.key(), environment).stream().map(AdminViews::media).toList()));
  }

  private void getMedia(Context ctx) {
    Account account = account(ctx);
    ctx.json(
        AdminViews.media(
            admin.media(account.key(), environmentParameter(ctx), ctx.pathParam("media"))));
  }

  private void updateMedia(Context ctx) {
    Account account = account(ctx);
    Body body = Body.of(ctx, Set.of("name", "duration", "type", "tags"));
    ctx.json(
        AdminViews.media(
            admin.updateMedia(
                account.key(),
                environmentParameter(ctx),
                ctx.pathParam("media"),
                body.optional("name"),
                body.number("duration"),
                body.optional("type"),
                body.has("tags") ? body.strings("tags") : null)));
  }

  private void listProjects(Context ctx) {
    Account account = account(ctx);
    ctx.json(
        Map.of(
            "projects", admin.projects(account.key()).stream().map(AdminViews::project).toList()));
  }

  /** POST: a new project, its id in the body; PUT: the project of the path, replaced. */
  private void saveProject(Context ctx, boolean replace) {
    Account account = account(ctx);
    Body body = Body.of(ctx, replace ? Set.of("name", "media") : Set.of("id", "name", "media"));
    String id = replace ? ctx.pathParam("project") : body.required("id");
    Project project =
        admin.saveProject(
            account.key(),
            id,
            body.required("name"),
            body.has("media") ? body.strings("media") : List.of(),
            replace);
    ctx.status(replace ? 200 : 201).json(AdminViews.project(project));
  }

  private void deleteProject(Context ctx) {
    Account account = account(ctx);
    admin.deleteProject(account.key(), ctx.pathParam("project"));
    ctx.status(204);
  }

  private static Environment environmentParameter(Context ctx) {
    String value = ctx.queryParam("environment");
    return value == null ? Environment.PRODUCTION : environment(value);
  }

  static Environment environment(String value) {
    return Environment.parse(value)
        .orElseThrow(
            () ->
                new ClientError(
                    400,
                    "invalid environment",
                    List.of(
                        new FieldError(
                            "environment",
                            "must be 'production' or 'sandbox' (got '" + value + "')"))));
  }

  /** A JSON object body, checked field by field with messages that name the field. */
  private record Body(JsonNode node) {
    static Body of(Context ctx, Set<String> allowed) {
      JsonNode node;
      try {
        node = ctx.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(ctx.bodyAsBytes());
      } catch (IOException e) {
        throw new ClientError(400, "malformed JSON body");
      }
      if (!node.isObject()) {
        throw new ClientError(400, "the body must be a JSON object");
      }
      List<FieldError> unknown = new ArrayList<>();
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!allowed.contains(name)) {
          unknown.add(
              new FieldError(name, "unknown field; allowed: " + String.join(", ", allowed)));
        }
      }
      if (!unknown.isEmpty()) {
        throw new ClientError(400, "invalid body", unknown);
      }
      return new Body(node);
    }

    boolean has(String name) {
      return node.has(name) && !node.get(name).isNull();
    }

    ClientError missing(String name) {
      return new ClientError(400, "invalid body", List.of(new FieldError(name, "is required")));
    }

    String required(String name) {
      String value = optional(name);
      if (value == null || value.isEmpty()) {
        throw missing(name);
      }
      return value;
    }

    String optional(String name) {
      if (!has(name)) {
        return null;
      }
      JsonNode value = node.get(name);
      if (!value.isTextual()) {
        throw new ClientError(
            400, "invalid body", List.of(new FieldError(name, "must be a string")));
      }
      return value.asText();
    }

    Double number(String name) {
      if (!has(name)) {
        return null;
      }
      JsonNode value = node.get(name);
      if (!value.isNumber()) {
        throw new ClientError(
            400, "invalid body", List.of(new FieldError(name, "must be a number")));
      }
      return value.asDouble();
    }

    List<String> strings(String name) {
      if (!has(name)) {
        return List.of();
      }
      JsonNode value = node.get(name);
      List<String> strings = new ArrayList<>();
      boolean valid = value.isArray();
      for (JsonNode item : value) {
        valid &= item.isTextual();
        strings.add(item.asText());
      }
      if (!valid) {
        throw new ClientError(
            400, "invalid body", List.of(new FieldError(name, "must be an array of strings")));
      }
      return strings;
    }

    <T> T parsed(String name, java.util.function.Function<String, T> parser, T fallback) {
      String value = optional(name);
      if (value == null) {
        return fallback;
      }
      try {
        return parser.apply(value);
      } catch (IllegalArgumentException e) {
        throw new ClientError(400, "invalid body", List.of(new FieldError(name, e.getMessage())));
      }
    }
  }
}
