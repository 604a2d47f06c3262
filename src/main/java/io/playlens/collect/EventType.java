package io.playlens.collect;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The player events a beacon may carry, as the tracker names them on the wire. */
public enum EventType {
  IMPRESSION,
  PLAY,
  START,
  WATCH,
  PAUSE,
  SEEK,
  REBUFFER,
  END,
  ERROR;

  public static final String WIRE_NAMES =
      Arrays.stream(values()).map(EventType::wireName).collect(Collectors.joining(", "));

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<EventType> parse(String wireName) {
    for (EventType type : values()) {
      if (type.wireName().equals(wireName)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
