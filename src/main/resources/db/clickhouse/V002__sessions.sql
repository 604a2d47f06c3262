-- One row per playback session and insert: partial aggregate states that ClickHouse merges in the
-- background and every query finishes merging (the -Merge functions), so a session's figures are
-- exact and current the moment its events are inserted, whichever node inserted them. The
-- materialized view below fills it from every insert into events.
--
-- Dimensions are the values of the session's first event (argMin by event time, skipping empty
-- values); *_at the first event of each kind; watch every watched interval (their union is taken
-- when read); marks the whole minutes at which the session was live (a heartbeat - play, start,
-- watch, seek or rebuffer - in the 20 s before).
CREATE TABLE IF NOT EXISTS sessions (
  account          String,
  environment      String,
  session_id       String,
  part_at          Int64,
  media_id_state AggregateFunction(argMin, String, Int64),
  viewer_id_state AggregateFunction(argMin, String, Int64),
  media_type_state AggregateFunction(argMin, String, Int64),
  media_title_state AggregateFunction(argMin, String, Int64),
  page_url_state AggregateFunction(argMin, String, Int64),
  referrer_state AggregateFunction(argMin, String, Int64),
  email_state AggregateFunction(argMin, String, Int64),
  ip_state AggregateFunction(argMin, String, Int64),
  country_state AggregateFunction(argMin, String, Int64),
  region_state AggregateFunction(argMin, String, Int64),
  city_state AggregateFunction(argMin, String, Int64),
  continent_state AggregateFunction(argMin, String, Int64),
  organisation_state AggregateFunction(argMin, String, Int64),
  device_type_state AggregateFunction(argMin, String, Int64),
  os_state AggregateFunction(argMin, String, Int64),
  os_version_state AggregateFunction(argMin, String, Int64),
  browser_state AggregateFunction(argMin, String, Int64),
  browser_version_state AggregateFunction(argMin, String, Int64),
  user_agent_state AggregateFunction(argMin, String, Int64),
  media_duration_state AggregateFunction(argMin, Float64, Int64),
  media_duration_known AggregateFunction(max, UInt8),
  latitude_state AggregateFunction(argMin, Float64, Int64),
  latitude_known AggregateFunction(max, UInt8),
  longitude_state AggregateFunction(argMin, Float64, Int64),
  longitude_known AggregateFunction(max, UInt8),
  media_tags_state AggregateFunction(argMin, Array(String), Int64),
  first_at_state AggregateFunction(min, Int64),
  last_at_state AggregateFunction(max, Int64),
  impression_at_state AggregateFunction(minIf, Int64, UInt8),
  play_at_state AggregateFunction(minIf, Int64, UInt8),
  start_at_state AggregateFunction(minIf, Int64, UInt8),
  end_at_state AggregateFunction(minIf, Int64, UInt8),
  startup_ms_state AggregateFunction(minIf, Int32, UInt8),
  startup_ms_known AggregateFunction(max, UInt8),
  watch_state AggregateFunction(groupArrayIf, Tuple(Float64, Float64), UInt8),
  marks_state AggregateFunction(groupUniqArrayIf, Int64, UInt8),
  events_state AggregateFunction(count)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(part_at, 1000000)))
ORDER BY (account, environment, session_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_mv TO sessions AS
SELECT account, environment, session_id, min(event_time) AS part_at,
       argMinState(media_id, event_time) AS media_id_state,
       argMinState(viewer_id, event_time) AS viewer_id_state,
       argMinState(media_type, event_time) AS media_type_state,
       argMinState(media_title, event_time) AS media_title_state,
       argMinState(page_url, event_time) AS page_url_state,
       argMinState(referrer, event_time) AS referrer_state,
       argMinState(email, event_time) AS email_state,
       argMinState(ip, event_time) AS ip_state,
       argMinState(country, event_time) AS country_state,
       argMinState(region, event_time) AS region_state,
       argMinState(city, event_time) AS city_state,
       argMinState(continent, event_time) AS continent_state,
       argMinState(organisation, event_time) AS organisation_state,
       argMinState(device_type, event_time) AS device_type_state,
       argMinState(os, event_time) AS os_state,
       argMinState(os_version, event_time) AS os_version_state,
       argMinState(browser, event_time) AS browser_state,
       argMinState(browser_version, event_time) AS browser_version_state,
       argMinState(user_agent, event_time) AS user_agent_state,
       argMinState(media_duration, event_time) AS media_duration_state,
       maxState(toUInt8(isNotNull(media_duration))) AS media_duration_known,
       argMinState(latitude, event_time) AS latitude_state,
       maxState(toUInt8(isNotNull(latitude))) AS latitude_known,
       argMinState(longitude, event_time) AS longitude_state,
       maxState(toUInt8(isNotNull(longitude))) AS longitude_known,
       argMinState(media_tags, event_time) AS media_tags_state,
       minState(event_time) AS first_at_state,
       maxState(event_time) AS last_at_state,
       minIfState(event_time, event_type = 'impression') AS impression_at_state,
       minIfState(event_time, event_type = 'play') AS play_at_state,
       minIfState(event_time, event_type = 'start') AS start_at_state,
       minIfState(event_time, event_type = 'end') AS end_at_state,
       minIfState(assumeNotNull(startup_ms), event_type = 'start' AND isNotNull(startup_ms)) AS startup_ms_state,
       maxState(toUInt8(event_type = 'start' AND isNotNull(startup_ms))) AS startup_ms_known,
       groupArrayIfState((assumeNotNull(from_position), assumeNotNull(to_position)), event_type = 'watch' AND to_position > from_position) AS watch_state,
       groupUniqArrayIfState(intDiv(event_time + 59999999, 60000000) * 60000000, event_type IN ('play', 'start', 'watch', 'seek', 'rebuffer') AND intDiv(event_time + 59999999, 60000000) * 60000000 - event_time < 20000000) AS marks_state,
       countState() AS events_state
FROM events GROUP BY account, environment, session_id;

-- All-time plays per media, exempt from retention: the sessions with a play, as an exact set;
-- media_kind is the media type, 'video' when the player gave none.
CREATE TABLE IF NOT EXISTS play_totals (
  account          String,
  environment      String,
  media_id         String,
  media_kind       String,
  plays_state      AggregateFunction(uniqExactIf, String, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY tuple()
ORDER BY (account, environment, media_id, media_kind);

CREATE MATERIALIZED VIEW IF NOT EXISTS play_totals_mv TO play_totals AS
SELECT account, environment, media_id, ifNull(media_type, 'video') AS media_kind,
       uniqExactIfState(session_id, event_type = 'play') AS plays_state
FROM events GROUP BY account, environment, media_id, media_kind
