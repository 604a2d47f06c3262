-- The commit batch each event came in: numbers increase with every commit. The session rollup
-- below holds every event of batches up to rollup_state.sealed_batch; a query folds in the later
-- (fresh) batches itself, so answers are exact and current while reading one row per session.
ALTER TABLE events ADD COLUMN batch BIGINT DEFAULT 0;

-- One row per playback session: what the analytics APIs count, summed up from its events.
-- Dimensions are those of the session's first event; *_at are the first event of each kind;
-- watch holds the union of its watched intervals (media seconds) and live the union of the 20 s
-- after each heartbeat (wall time), both as sorted, disjoint intervals.
CREATE TABLE session_rollup (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
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
  events           BIGINT    NOT NULL
);

CREATE TABLE rollup_state (id INTEGER PRIMARY KEY, sealed_batch BIGINT NOT NULL);
INSERT INTO rollup_state VALUES (1, -1);

-- Concurrent viewers, sampled once a minute: a row per session and minute mark (hh:mm:00) at which
-- the session was live (had sent a heartbeat in the 20 s before). Rewritten with the session's
-- rollup row; carries the columns the analytics filters and breakdowns use.
CREATE TABLE live_marks (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
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

-- live_marks counted per minute mark and breakdown value (dimension '' with value '': everyone),
-- for concurrent viewers without filters; rewritten by the sealer for every mark it touches.
CREATE TABLE live_counts (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  dimension        VARCHAR   NOT NULL,
  value            VARCHAR   NOT NULL,
  mark             TIMESTAMP NOT NULL,
  n                BIGINT    NOT NULL
);
