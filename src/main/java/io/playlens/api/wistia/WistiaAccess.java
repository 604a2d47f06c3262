package io.playlens.api.wistia;

import io.playlens.account.Media;
import io.playlens.account.MetadataStore;
import io.playlens.account.Principal;
import io.playlens.server.ClientError;

/** What a Wistia route may read: a media of the principal's account and environment it can see. */
final class WistiaAccess {
  private WistiaAccess() {}

  /**
   * The media, or Wistia's empty 404 when it does not exist here or the user may not read it (the
   * two are not told apart, so ids of other accounts' media do not leak).
   */
  static Media media(MetadataStore metadata, Principal principal, String mediaId) {
    if (!principal.canRead(mediaId)) {
      throw notFound();
    }
    return metadata
        .media(principal.accountKey(), principal.environment(), mediaId)
        .orElseThrow(WistiaAccess::notFound);
  }

  static ClientError notFound() {
    return new ClientError(404, ClientError.Code.NOT_FOUND, "not found");
  }
}
