package io.playlens.store;

import static java.util.Objects.requireNonNull;

/**
 * A versioned schema change: applied once, in version order, at start-up.
 *
 * @param resource classpath resource holding the SQL statements, separated by semicolons
 */
public record Migration(int version, String description, String resource) {
  public Migration {
    if (version < 1) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
    requireNonNull(description, "description is null");
    requireNonNull(resource, "resource is null");
  }
}
