package io.playlens.account;

import java.util.Locale;
import java.util.Optional;

/** The two data environments every account has; their data never mixes. */
public enum Environment {
  PRODUCTION,
  SANDBOX;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Environment> parse(String value) {
    for (Environment environment : values()) {
      if (environment.wireName().equals(value)) {
        return Optional.of(environment);
      }
    }
    return Optional.empty();
  }
}
