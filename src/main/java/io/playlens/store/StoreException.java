package io.playlens.store;

/** The store failed: nothing of the failed operation was kept. */
public class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
