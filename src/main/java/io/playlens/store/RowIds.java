package io.playlens.store;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Row ids (session contexts): UUID version 7 (RFC 9562), time-ordered so rows written together sort
 * together. They identify rows, not secrets, so a fast non-cryptographic random source is enough.
 */
public final class RowIds {
  private RowIds() {}

  public static UUID next(long epochMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0fffL);
    long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
