package io.playlens.server;

import java.util.List;

/**
 * A request the client got wrong: carries the HTTP status and what to tell the client. Thrown
 * anywhere on a request's path and turned into a response in one place per API.
 */
public class ClientError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final List<FieldError> fieldErrors;

  public ClientError(int status, String message) {
    this(status, message, List.of());
  }

  public ClientError(int status, String message, List<FieldError> fieldErrors) {
    super(message, null, false, false);
    this.status = status;
    this.fieldErrors = List.copyOf(fieldErrors);
  }

  public int status() {
    return status;
  }

  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** One wrong field of a request body, named by its JSON path (e.g. {@code events[3].type}). */
  public record FieldError(String field, String message) {}
}
