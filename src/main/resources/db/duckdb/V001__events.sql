-- Session contexts: what all events of a session share (viewer, media as the player saw it, page,
-- place, device). One row per distinct context per session, written when it first appears (and
-- again when it changes, e.g. an identify(email)); events refer to it by context_id. Heartbeats
-- repeat the context every few seconds, so storing it once keeps the group commit cheap.
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

-- Event types, stored as small integers.
CREATE TYPE event_type AS ENUM
  ('impression', 'play', 'start', 'watch', 'pause', 'seek', 'rebuffer', 'end', 'error');

-- Raw player events, one row per event, append-only. Account, environment, session and media
-- come from the event's context row: repeating those strings here doubled the cost of every commit
-- and checkpoint (measured). Rows arrive in receive order, so DuckDB's per-row-group min/max
-- (zone maps) prune by received_at and event_time.
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
  error_message    VARCHAR
);

-- Every event with everything known about it, one row per event.
CREATE VIEW event_details AS
SELECT c.account, c.environment, c.media_id, c.session_id, e.*,
       c.viewer_id, c.media_duration, c.media_type, c.media_title, c.media_tags, c.page_url,
       c.referrer, c.email, c.ip, c.country, c.region, c.city, c.latitude, c.longitude,
       c.continent, c.organisation, c.device_type, c.os, c.os_version, c.browser,
       c.browser_version, c.user_agent
FROM events e JOIN contexts c ON c.context_id = e.context_id;

-- One row, rewritten by the health check to prove the file still takes writes.
CREATE TABLE store_probe (id INTEGER PRIMARY KEY, checked_at TIMESTAMP NOT NULL);
INSERT INTO store_probe VALUES (1, TIMESTAMP '1970-01-01 00:00:00');
