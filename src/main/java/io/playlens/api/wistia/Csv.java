package io.playlens.api.wistia;

import java.io.IOException;
import java.io.Writer;

/**
 * RFC 4180 CSV: cells separated by commas, records ended by CRLF, a cell quoted when it holds a
 * comma, a quote or a line break (quotes inside doubled). Text from beacons is attacker-controlled,
 * so a text cell a spreadsheet would run as a formula (starting with {@code = + - @}, a tab or a
 * carriage return) gets a leading apostrophe, which spreadsheets show as text.
 */
final class Csv {
  private final Writer out;
  private boolean rowStarted;

  Csv(Writer out) {
    this.out = out;
  }

  /** A text cell (null: empty), neutralised and quoted as needed. */
  Csv text(String value) throws IOException {
    separate();
    if (value == null || value.isEmpty()) {
      return this;
    }
    String safe = formulaLike(value) ? "'" + value : value;
    if (needsQuotes(safe)) {
      out.write('"');
      out.write(safe.replace("\"", "\"\""));
      out.write('"');
    } else {
      out.write(safe);
    }
    return this;
  }

  /** A cell Playlens formatted itself (a number, a date): written as it is. */
  Csv raw(String value) throws IOException {
    separate();
    if (value != null) {
      out.write(value);
    }
    return this;
  }

  /** Ends the record. */
  void end() throws IOException {
    out.write("\r\n");
    rowStarted = false;
  }

  private void separate() throws IOException {
    if (rowStarted) {
      out.write(',');
    }
    rowStarted = true;
  }

  static boolean formulaLike(String value) {
    char first = value.charAt(0);
    return first == '='
        || first == '+'
        || first == '-'
        || first == '@'
        || first == '\t'
        || first == '\r';
  }

  private static boolean needsQuotes(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return false;
  }
}
