package io.playlens.api.wistia;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A media's visitors over the 30 days kept (from 02-08 12:00 to 03-10 12:00 UTC, asked at 03-10
 * 12:00): the viewers whose last load, kept per media and viewer by the sealer, is in the range,
 * and from the sessions those whose last load is after it or who have unsealed sessions.
 *
 * <pre>
 * v1  a1 03-01 10:00                         a visitor
 * v2  b1 02-05 10:00                         before the range: not (until b2, 03-09, comes)
 * v3  c1 03-05 10:00, c2 03-10 13:00         last load after the range, one in it: a visitor
 * v4  d1 03-10 12:30                         after the range only: not
 * v5  e1 03-02 10:00, e2 03-03 10:00         a visitor, once
 * v6  f1 03-06 10:00                         a visitor, until a late beacon of f1 shows its
 *                                            first load was on 02-01
 * </pre>
 */
class MediaVisitorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The last load per media and viewer as its definition gives it from the session rows. */
  private static final String DEFINITION =
      "SELECT media_id, viewer_id, max(impression_at) AS last_load FROM session_rollup"
          + " WHERE impression_at IS NOT NULL AND viewer_id IS NOT NULL GROUP BY ALL"
          + " ORDER BY media_id, viewer_id";

  private static final String KEPT =
      "SELECT media_id, viewer_id, last_load FROM media_visitors ORDER BY media_id, viewer_id";

  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private TestServer server;
  private AccountAdmin.NewAccount account;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void visitorsFromTheLastLoadsKeptAndTheSessionsTheyMiss() throws Exception {
    server = TestServer.startSealingOnDemand(dataDir, clock);
    account = server.createAccount("visits", "visitors password");
    load("v1", "a1", "2026-03-01T10:00:00Z");
    load("v2", "b1", "2026-02-05T10:00:00Z");
    load("v3", "c1", "2026-03-05T10:00:00Z");
    load("v3", "c2", "2026-03-10T13:00:00Z");
    load("v4", "d1", "2026-03-10T12:30:00Z");
    load("v5", "e1", "2026-03-02T10:00:00Z");
    load("v5", "e2", "2026-03-03T10:00:00Z");
    load("v6", "f1", "2026-03-06T10:00:00Z");

    // Nothing sealed: all from the sessions. Loads: a1 c1 e1 e2 f1.
    figuresAre(5, 4);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).hasSize(6).isEqualTo(server.query(DEFINITION));
    figuresAre(5, 4);

    // Unsealed: v2 loads in the range (its last load kept is before it), v1 loads again.
    load("v2", "b2", "2026-03-09T10:00:00Z");
    load("v1", "a2", "2026-03-09T11:00:00Z");
    figuresAre(7, 5);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).isEqualTo(server.query(DEFINITION));
    figuresAre(7, 5);

    // f1's first load was on 02-01 after all: v6's last load goes back before the range.
    load("v6", "f1", "2026-02-01T10:00:00Z");
    figuresAre(6, 4);
    assertThat(server.server().store().seal()).isPositive();
    assertThat(server.query(KEPT)).isEqualTo(server.query(DEFINITION));
    figuresAre(6, 4);

    // Retention (30 days from 03-20 12:00) deletes b1; v2 keeps b2's load, v6 f1's (it ended on
    // 03-06).
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-03-20T12:00:00Z")));
    assertThat(server.server().retention().runOnce()).isPositive();
    assertThat(server.query(KEPT)).hasSize(6).isEqualTo(server.query(DEFINITION));
  }

  private void figuresAre(long loads, long visitors) throws Exception {
    var response =
        server.get(
            "/v1/stats/medias/m", TestServer.basic(account.owner().email(), "visitors password"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode media = JSON.readTree(response.body());
    assertThat(media.get("load_count").asLong()).as("loads").isEqualTo(loads);
    assertThat(media.get("visitors").asLong()).as("visitors").isEqualTo(visitors);
  }

  /** An impression of the session by the viewer, received (and dated) at {@code at}. */
  private void load(String viewer, String session, String at) throws Exception {
    String json =
        """
        {"key":"%s","session":"%s","viewer":"%s","media":{"id":"m"},"events":[{"type":"impression"}]}"""
            .formatted(account.productionPlayerKey().key(), session, viewer);
    assertThat(server.collectAt(json, "81.2.69.142", TestServer.BROWSER, Instant.parse(at)))
        .isEqualTo(1);
  }
}
