-- The schema of each ingest file (playlens-ingest-0.duckdb, playlens-ingest-1.duckdb): the raw
-- events and their session contexts as the committers write them, column for column as the main
-- file's tables were at its migration 13 (V001 and V004 there, which explain the columns). The
-- main file's `events` and `contexts` views read them together with what that file held before
-- (V014): a change to one of these tables is a migration here and one there, in the same order.
CREATE TABLE contexts (
  context_id       UUID      NOT NULL,
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
  viewer_id        VARCHAR,
  media_id         VARCHAR   NOT NULL,
  received_at      TIMESTAMP NOT NULL,
  media_duration   DOUBLE,
  media_type       VARCHAR,
  media_title      VARCHAR,
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
  os_version       VARCHAR,
  browser          VARCHAR,
  browser_version  VARCHAR,
  user_agent       VARCHAR
);

-- The same values in the same order as the main file's type, so the views' UNION keeps the ENUM.
CREATE TYPE event_type AS ENUM
  ('impression', 'play', 'start', 'watch', 'pause', 'seek', 'rebuffer', 'end', 'error');

CREATE TABLE events (
  context_id       UUID       NOT NULL,
  event_type       event_type NOT NULL,
  client_time      TIMESTAMP,
  event_time       TIMESTAMP  NOT NULL,
  received_at      TIMESTAMP  NOT NULL,
  position         DOUBLE,
  from_position    DOUBLE,
  to_position      DOUBLE,
  startup_ms       INTEGER,
  rebuffer_ms      INTEGER,
  error_code       VARCHAR,
  error_message    VARCHAR,
  batch            BIGINT     DEFAULT 0
);
