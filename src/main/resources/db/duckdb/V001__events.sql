-- One row per accepted beacon: what all its events share (viewer, page, place, device, media as
-- the player saw it). Kept apart from events so a 100-event beacon writes its 20-odd context
-- columns once, not 100 times: the group committer's cost is per column value.
CREATE TABLE beacons (
  beacon_id        UUID      NOT NULL,
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
  viewer_id        VARCHAR,
  media_id         VARCHAR   NOT NULL,
  received_at      TIMESTAMP NOT NULL,
  sent_at          TIMESTAMP,
  event_count      INTEGER   NOT NULL,
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

-- Raw player events, one row per event, append-only. Rows arrive in receive order, so DuckDB's
-- per-row-group min/max (zone maps) prune by received_at and event_time. The account, environment,
-- media and session are repeated here so the common filters need no join.
CREATE TABLE events (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  media_id         VARCHAR   NOT NULL,
  session_id       VARCHAR   NOT NULL,
  beacon_id        UUID      NOT NULL,
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
  error_message    VARCHAR
);

-- Every event with everything known about it, one row per event.
CREATE VIEW event_details AS
SELECT e.*,
       b.viewer_id, b.sent_at, b.media_duration, b.media_type, b.media_title, b.media_tags,
       b.page_url, b.referrer, b.email, b.ip, b.country, b.region, b.city, b.latitude, b.longitude,
       b.continent, b.organisation, b.device_type, b.os, b.os_version, b.browser,
       b.browser_version, b.user_agent
FROM events e JOIN beacons b ON b.beacon_id = e.beacon_id;

-- One row, rewritten by the health check to prove the file still takes writes.
CREATE TABLE store_probe (id INTEGER PRIMARY KEY, checked_at TIMESTAMP NOT NULL);
INSERT INTO store_probe VALUES (1, TIMESTAMP '1970-01-01 00:00:00');
