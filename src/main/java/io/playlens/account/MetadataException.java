package io.playlens.account;

/** The metadata store failed (not the caller's fault): the server answers 503. */
public final class MetadataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
