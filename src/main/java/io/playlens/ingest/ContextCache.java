package io.playlens.ingest;

import io.playlens.store.ContextRow;
import io.playlens.store.SessionContext;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last committed context of each live session, so a heartbeat that repeats it refers to the
 * stored row instead of writing it again. Only contexts whose commit succeeded are remembered: an
 * event never refers to a context row that is not durable. When full it starts over, which costs
 * one extra context row per live session and nothing else.
 */
public final class ContextCache {
  private final int limit;
  private final ConcurrentHashMap<SessionKey, ContextRow> committed = new ConcurrentHashMap<>();

  public ContextCache(int limit) {
    this.limit = limit;
  }

  private record SessionKey(String account, String environment, String sessionId) {
    static SessionKey of(SessionContext context) {
      return new SessionKey(context.account(), context.environment(), context.sessionId());
    }
  }

  /** The id of the stored row holding exactly this context, or null when there is none yet. */
  public UUID storedId(SessionContext context) {
    ContextRow row = committed.get(SessionKey.of(context));
    return row != null && Objects.equals(row.context(), context) ? row.contextId() : null;
  }

  /** Called by the committer once the row is durable. */
  void committed(ContextRow row) {
    if (committed.size() >= limit) {
      committed.clear();
    }
    committed.put(SessionKey.of(row.context()), row);
  }

  public int size() {
    return committed.size();
  }
}
