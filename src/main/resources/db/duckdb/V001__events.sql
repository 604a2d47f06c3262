-- Raw player events, one row per event, append-only. Rows are appended in receive order, so
-- DuckDB's per-row-group min/max (zone maps) prune by received_at and event_time; account, media
-- and session questions are answered from summaries built on top of this table.
CREATE TABLE events (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  media_id         VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
  viewer_id        VARCHAR,
  event_type       VARCHAR   NOT NULL,
  client_time      TIMESTAMP,
  event_time       TIMESTAMP NOT NULL,
  received_at      TIMESTAMP NOT NULL,
  position         DOUBLE,
  from_position    DOUBLE,
  to_position      DOUBLE,
  startup_ms       INTEGER,
  rebuffer_ms      INTEGER,
  error_code       VARCHAR,
  error_message    VARCHAR,
  media_duration   DOUBLE,
  media_type       VARCHAR,
  media_title      VARCHAR,
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

-- One row, rewritten by the health check to prove the file still takes writes.
CREATE TABLE store_probe (id INTEGER PRIMARY KEY, checked_at TIMESTAMP NOT NULL);
INSERT INTO store_probe VALUES (1, TIMESTAMP '1970-01-01 00:00:00');
