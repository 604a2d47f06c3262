-- Playlens on ClickHouse: SQL that both ClickHouse 18.16 (what Debian ships) and current
-- releases run. Times are epoch microseconds in Int64 columns (18.16 has no DateTime64), so they
-- keep the microseconds the embedded store keeps.

-- Raw player events, one row per event, with the context they came with (columnar compression
-- makes the repetition cheap, and no query needs a join). Partitioned by month, ordered for the
-- two APIs' questions: one account and environment, one media, a time range.
CREATE TABLE IF NOT EXISTS events (
  account          String,
  environment      String,
  media_id         String,
  session_id       String,
  context_id       String,
  event_type       Enum8('impression' = 1, 'play' = 2, 'start' = 3, 'watch' = 4, 'pause' = 5,
                         'seek' = 6, 'rebuffer' = 7, 'end' = 8, 'error' = 9),
  client_time      Nullable(Int64),
  event_time       Int64,
  received_at      Int64,
  position         Nullable(Float64),
  from_position    Nullable(Float64),
  to_position      Nullable(Float64),
  startup_ms       Nullable(Int32),
  rebuffer_ms      Nullable(Int32),
  error_code       Nullable(String),
  error_message    Nullable(String),
  viewer_id        Nullable(String),
  media_duration   Nullable(Float64),
  media_type       Nullable(String),
  media_title      Nullable(String),
  media_tags       Array(String),
  page_url         Nullable(String),
  referrer         Nullable(String),
  email            Nullable(String),
  ip               Nullable(String),
  country          Nullable(String),
  region           Nullable(String),
  city             Nullable(String),
  latitude         Nullable(Float64),
  longitude        Nullable(Float64),
  continent        Nullable(String),
  organisation     Nullable(String),
  device_type      Nullable(String),
  os               Nullable(String),
  os_version       Nullable(String),
  browser          Nullable(String),
  browser_version  Nullable(String),
  user_agent       Nullable(String)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(event_time, 1000000)))
ORDER BY (account, environment, media_id, event_time);

-- Every event with everything known about it (the events already carry it all).
CREATE VIEW IF NOT EXISTS event_details AS SELECT * FROM events;

-- Session contexts as first written by a node: what a node looks a context up in when its own
-- memory of it is gone (the tracker's later beacons refer to a context by id only).
CREATE TABLE IF NOT EXISTS contexts (
  context_id       String,
  account          String,
  environment      String,
  session_id       String,
  media_id         String,
  received_at      Int64,
  viewer_id        Nullable(String),
  media_duration   Nullable(Float64),
  media_type       Nullable(String),
  media_title      Nullable(String),
  media_tags       Array(String),
  page_url         Nullable(String),
  referrer         Nullable(String),
  email            Nullable(String),
  ip               Nullable(String),
  country          Nullable(String),
  region           Nullable(String),
  city             Nullable(String),
  latitude         Nullable(Float64),
  longitude        Nullable(Float64),
  continent        Nullable(String),
  organisation     Nullable(String),
  device_type      Nullable(String),
  os               Nullable(String),
  os_version       Nullable(String),
  browser          Nullable(String),
  browser_version  Nullable(String),
  user_agent       Nullable(String)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(received_at, 1000000)))
ORDER BY context_id;

-- One row per node, rewritten by the health check to prove the database still takes writes.
CREATE TABLE IF NOT EXISTS store_probe (node String, checked_at Int64)
ENGINE = ReplacingMergeTree(checked_at) ORDER BY node
