package io.playlens.account;

import java.util.Optional;

/** Resolves the player key of a beacon to its account and environment. */
public interface PlayerKeys {
  Optional<PlayerKey> resolve(String key);
}
