-- The session ids of the rollup and of the minute marks, stored uncompressed. Every seal deletes
-- the rows of the sessions it rewrites, and at COMMIT DuckDB takes each deleted row out of the
-- session_id index: it fetches the row's session id again, and from a compressed (dictionary +
-- FSST) string segment each fetch decodes a whole vector. That was three quarters of a seal's
-- COMMIT (a CPU profile under load), and every other transaction's commit waits for it: queries
-- and the committers' acknowledgements stalled 300-800 ms once a second. A table of 300,000 rows,
-- 2,000 rows deleted and inserted: COMMIT 50-60 ms compressed, 14 ms uncompressed.
-- A column's compression is set when it is created, so both tables are made again, columns in the
-- same order.
DROP INDEX session_rollup_session;
DROP INDEX live_marks_session;

ALTER TABLE session_rollup RENAME TO session_rollup_compressed;
CREATE TABLE session_rollup (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL USING COMPRESSION uncompressed,
  viewer_id        VARCHAR,
  media_id         VARCHAR   NOT NULL,
  media_type       VARCHAR,
  media_title      VARCHAR,
  media_duration   DOUBLE,
  media_tags       VARCHAR[],
  page_url         VARCHAR,
  referrer         VARCHAR,
  email            VARCHAR,
  ip               VARCHAR,
  country          VARCHAR,
  region           VARCHAR,
  city             VARCHAR,
  latitude         DOUBLE,
  longitude        DOUBLE,
  continent        VARCHAR,
  organisation     VARCHAR,
  device_type      VARCHAR,
  os               VARCHAR,
  browser          VARCHAR,
  user_agent       VARCHAR,
  first_at         TIMESTAMP NOT NULL,
  last_at          TIMESTAMP NOT NULL,
  impression_at    TIMESTAMP,
  play_at          TIMESTAMP,
  start_at         TIMESTAMP,
  end_at           TIMESTAMP,
  startup_ms       INTEGER,
  watch            STRUCT(f DOUBLE, t DOUBLE)[] NOT NULL,
  watched          DOUBLE    NOT NULL,
  live             STRUCT(s TIMESTAMP, e TIMESTAMP)[] NOT NULL,
  events           BIGINT    NOT NULL,
  os_version       VARCHAR,
  browser_version  VARCHAR,
  plays            STRUCT(f DOUBLE, t DOUBLE, n INTEGER)[] DEFAULT []
);
INSERT INTO session_rollup SELECT * FROM session_rollup_compressed;
DROP TABLE session_rollup_compressed;

ALTER TABLE live_marks RENAME TO live_marks_compressed;
CREATE TABLE live_marks (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL USING COMPRESSION uncompressed,
  mark             TIMESTAMP NOT NULL,
  media_id         VARCHAR   NOT NULL,
  media_type       VARCHAR,
  media_tags       VARCHAR[],
  referrer         VARCHAR,
  ip               VARCHAR,
  continent        VARCHAR,
  country          VARCHAR,
  device_type      VARCHAR,
  os               VARCHAR,
  browser          VARCHAR,
  user_agent       VARCHAR
);
INSERT INTO live_marks SELECT * FROM live_marks_compressed;
DROP TABLE live_marks_compressed;

CREATE INDEX session_rollup_session ON session_rollup (session_id);
CREATE INDEX live_marks_session ON live_marks (session_id);
