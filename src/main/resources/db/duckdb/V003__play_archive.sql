-- All-time plays that outlived their events: when the retention job deletes the last play event of
-- a session, it adds that session here (per media) in the same transaction. All-time plays of a
-- media are then the sessions with a play among the stored events plus the rows here: a session is
-- counted by exactly one of the two, whatever slices its plays fall in.
CREATE TABLE play_archive (
  account      VARCHAR   NOT NULL,
  environment  VARCHAR   NOT NULL,
  media_id     VARCHAR   NOT NULL,
  media_type   VARCHAR   NOT NULL,
  plays        BIGINT    NOT NULL,
  archived_at  TIMESTAMP NOT NULL
);
