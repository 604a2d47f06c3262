package io.playlens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Views#csv}: quoting and formula defusing done on UTF-8 bytes. */
class ViewsCsvTest {
  /** The 21 export fields, all empty but those given (by column index). */
  private static byte[] fields(Object... indexAndValue) {
    List<String> fields = new ArrayList<>(Collections.nCopies(Views.CSV_COLUMNS.size(), ""));
    for (int i = 0; i < indexAndValue.length; i += 2) {
      fields.set((Integer) indexAndValue[i], (String) indexAndValue[i + 1]);
    }
    return String.join(String.valueOf(Views.SEPARATOR), fields).getBytes(StandardCharsets.UTF_8);
  }

  private static String csv(byte[] fields) {
    return new String(Views.csv(fields), StandardCharsets.UTF_8);
  }

  private static final String EMPTY_REST = ",".repeat(Views.CSV_COLUMNS.size() - 5);

  @Test
  void multiByteLettersPassUnchangedAndStillGetQuotedBesideSpecialCharacters() {
    // Column 4 is City, column 7 Organization, column 13 Media Name (all text from outside).
    String record = csv(fields(4, "Zürich", 7, "Société \"Générale\", Paris", 13, "東京, 大阪"));

    assertThat(record)
        .isEqualTo(",,,,Zürich,,,\"Société \"\"Générale\"\", Paris\",,,,,,\"東京, 大阪\",,,,,,,");
  }

  @Test
  void formulaCellsGetAnApostropheAndMultiByteFirstLettersDoNot() {
    assertThat(csv(fields(4, "=HYPERLINK(\"x\")"))).startsWith(",,,,\"'=HYPERLINK(\"\"x\"\")\",");
    assertThat(csv(fields(4, "+1", 8, "@me", 13, "-é")))
        .isEqualTo(",,,,'+1,,,,'@me,,,,,'-é,,,,,,,");
    assertThat(csv(fields(4, "\tx"))).startsWith(",,,,'\tx,");
    assertThat(csv(fields(4, "\rx"))).startsWith(",,,,\"'\rx\",");
    assertThat(csv(fields(4, "é=1"))).startsWith(",,,,é=1,");
  }

  @Test
  void valuesPlaylensFormatsKeepTheirSign() {
    // Column 5 is Latitude, a number Playlens formats: a minus there is a sign, not a formula.
    assertThat(csv(fields(5, "-33.8688", 6, "151.2093")))
        .isEqualTo(",,,,,-33.8688,151.2093" + EMPTY_REST.substring(2));
  }

  @Test
  void lineBreaksAreQuoted() {
    assertThat(csv(fields(13, "one\ntwo"))).isEqualTo(",,,,,,,,,,,,,\"one\ntwo\",,,,,,,");
  }
}
