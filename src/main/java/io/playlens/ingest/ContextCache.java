package io.playlens.ingest;

import io.playlens.store.SessionContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last committed context of each live session, so a heartbeat that repeats it refers to the
 * stored row instead of writing it again. Only contexts whose commit succeeded are remembered: an
 * event never refers to a context row that is not durable. When full it starts over, which costs
 * one extra context row per live session and nothing else. An entry is used for a day at most, so
 * every context an event refers to was written within the last day: the retention job may delete
 * older unreferenced context rows without a new event pointing at a deleted one.
 */
public final class ContextCache {
  private final int limit;
  private final ConcurrentHashMap<SessionKey, Stored> committed = new ConcurrentHashMap<>();

  /**
   * A stored context, remembered by a SHA-256 digest of its fields rather than the fields: a
   * session's strings (user agent, URLs, title, tags) can run to kilobytes, and the key is public.
   */
  private record Stored(UUID contextId, byte[] digest, long storedAtNanos) {}

  static final long MAX_AGE_NANOS = 24L * 3600 * 1_000_000_000;

  public ContextCache(int limit) {
    this.limit = limit;
  }

  private record SessionKey(String account, String environment, String sessionId) {
    static SessionKey of(SessionContext context) {
      return new SessionKey(context.account(), context.environment(), context.sessionId());
    }
  }

  /** What the cache knows of one context: digested once, on the request thread. */
  public final class Lookup {
    private final SessionKey key;
    private final byte[] digest;
    private final UUID storedId;

    private Lookup(SessionKey key, byte[] digest, UUID storedId) {
      this.key = key;
      this.digest = digest;
      this.storedId = storedId;
    }

    /** The id of the stored row holding exactly this context, or null when there is none yet. */
    public UUID storedId() {
      return storedId;
    }

    /** What the committer runs once a new row for this context, with this id, is durable. */
    public Runnable rememberOnCommit(UUID contextId) {
      return () -> remember(key, new Stored(contextId, digest, System.nanoTime()));
    }
  }

  public Lookup lookup(SessionContext context) {
    SessionKey key = SessionKey.of(context);
    byte[] digest = digest(context);
    Stored stored = committed.get(key);
    boolean same =
        stored != null
            && System.nanoTime() - stored.storedAtNanos() < MAX_AGE_NANOS
            && MessageDigest.isEqual(stored.digest(), digest);
    return new Lookup(key, digest, same ? stored.contextId() : null);
  }

  private void remember(SessionKey key, Stored stored) {
    if (committed.size() >= limit) {
      committed.clear();
    }
    committed.put(key, stored);
  }

  static byte[] digest(SessionContext context) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    // Each field with its length, so no two different contexts share an encoding.
    for (Object field :
        new Object[] {
          context.account(),
          context.environment(),
          context.sessionId(),
          context.viewerId(),
          context.mediaId(),
          context.mediaDuration(),
          context.mediaType(),
          context.mediaTitle(),
          String.join("\u0000", context.mediaTags()),
          context.pageUrl(),
          context.referrer(),
          context.email(),
          context.ip(),
          context.country(),
          context.region(),
          context.city(),
          context.latitude(),
          context.longitude(),
          context.continent(),
          context.organisation(),
          context.deviceType(),
          context.os(),
          context.osVersion(),
          context.browser(),
          context.browserVersion(),
          context.userAgent()
        }) {
      byte[] bytes =
          field == null ? new byte[0] : field.toString().getBytes(StandardCharsets.UTF_8);
      int length = field == null ? -1 : bytes.length;
      sha.update(
          new byte[] {
            (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
          });
      sha.update(bytes);
    }
    return sha.digest();
  }

  public int size() {
    return committed.size();
  }
}
