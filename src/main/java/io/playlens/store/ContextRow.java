package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/** A session context as stored: its id (what events refer to) and when it was first received. */
public record ContextRow(UUID contextId, Instant receivedAt, SessionContext context) {
  public ContextRow {
    requireNonNull(contextId, "contextId is null");
    requireNonNull(receivedAt, "receivedAt is null");
    requireNonNull(context, "context is null");
  }
}
