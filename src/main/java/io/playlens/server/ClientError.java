package io.playlens.server;

import java.util.List;

/**
 * A request the client got wrong: carries the HTTP status, a category code and what to tell the
 * client. Thrown anywhere on a request's path and turned into a response in one place per API (each
 * API words its own error body from the code; see {@code api/ErrorResponses}).
 */
public class ClientError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Categories every API can render; an API's own body is chosen from these. */
  public enum Code {
    INVALID_REQUEST,
    INVALID_QUERY_PARAMETER,
    INVALID_CREDENTIALS,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    TOO_MANY_REQUESTS
  }

  private final int status;
  private final Code code;
  private final List<FieldError> fieldErrors;

  public ClientError(int status, String message) {
    this(status, codeOf(status), message, List.of());
  }

  public ClientError(int status, String message, List<FieldError> fieldErrors) {
    this(status, codeOf(status), message, fieldErrors);
  }

  public ClientError(int status, Code code, String message) {
    this(status, code, message, List.of());
  }

  public ClientError(int status, Code code, String message, List<FieldError> fieldErrors) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.fieldErrors = List.copyOf(fieldErrors);
  }

  private static Code codeOf(int status) {
    return switch (status) {
      case 401 -> Code.UNAUTHENTICATED;
      case 403 -> Code.FORBIDDEN;
      case 404 -> Code.NOT_FOUND;
      case 409 -> Code.CONFLICT;
      case 429 -> Code.TOO_MANY_REQUESTS;
      default -> Code.INVALID_REQUEST;
    };
  }

  public int status() {
    return status;
  }

  public Code code() {
    return code;
  }

  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** One wrong field of a request, named by its JSON path (e.g. {@code events[3].type}). */
  public record FieldError(String field, String message) {}
}
