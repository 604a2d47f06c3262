package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The address of a server a cluster store talks to, {@code
 * scheme://[user[:password]@]host[:port]/database[?query]} (a leading {@code jdbc:} is allowed),
 * taken apart with clear errors: user and password URL-decoded, {@code port} -1 when none is given
 * (the store picks its default), {@code query} as written.
 */
public record ServiceAddress(
    String scheme,
    String host,
    int port,
    String database,
    String query,
    String user,
    String password) {

  /**
   * @param product the server's name for messages, e.g. {@code PostgreSQL}
   * @param schemes the schemes accepted; the first is the one messages show
   * @param defaultPort the port messages show in the example address
   */
  public static ServiceAddress parse(
      String url, String product, int defaultPort, String... schemes) {
    requireNonNull(url, "url is null");
    String text = url.strip();
    if (text.startsWith("jdbc:")) {
      text = text.substring("jdbc:".length());
    }
    String example = schemes[0] + "://user:password@host:" + defaultPort + "/database";
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a " + product + " address (" + example + "): " + url);
    }
    String scheme = String.valueOf(uri.getScheme());
    if (!java.util.List.of(schemes).contains(scheme)) {
      throw new IllegalArgumentException(
          "a " + product + " address starts with " + schemes[0] + ":// (got " + scheme + "://)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the " + product + " address names no host: " + url);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw new IllegalArgumentException(
          "the "
              + product
              + " address must end with /DATABASE (e.g. "
              + schemes[0]
              + "://host/playlens): "
              + url);
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    return new ServiceAddress(
        scheme, uri.getHost(), uri.getPort(), database, uri.getRawQuery(), user, password);
  }

  /** The address for logs and errors: never the password. */
  public static String display(String scheme, String user, String host, int port, String database) {
    return scheme + "://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + database;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
