package io.playlens.api.wistia;

import io.javalin.http.Context;
import io.playlens.api.Guard;
import io.playlens.server.ClientError;
import java.util.Locale;

/**
 * Host names that name an account, as {@code <account>.wistia.com} does: with a domain configured,
 * a Wistia request to {@code <account>.<domain>} is refused unless its credentials are that
 * account's. Other host names (the domain itself, an IP address, localhost) are not checked.
 */
public final class AccountHosts {
  private final String suffix;

  /**
   * @param domain such as {@code stats.example.com}; null: no host names an account
   */
  public AccountHosts(String domain) {
    this.suffix = domain == null ? null : "." + domain;
  }

  /** Runs after the Wistia guard has authenticated the request. */
  public void check(Context ctx) {
    if (suffix == null || ctx.method().name().equals("OPTIONS")) {
      return;
    }
    String host = ctx.header("Host");
    if (host == null) {
      return;
    }
    host = host.toLowerCase(Locale.ROOT);
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']') < colon) {
      host = host.substring(0, colon);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1); // the fully qualified form names the same host
    }
    if (!host.endsWith(suffix) || host.length() == suffix.length()) {
      return;
    }
    String account = host.substring(0, host.length() - suffix.length());
    if (!account.equals(Guard.principal(ctx).accountKey())) {
      throw new ClientError(
          401,
          ClientError.Code.UNAUTHENTICATED,
          "these credentials are not for account '" + account + "'");
    }
  }
}
