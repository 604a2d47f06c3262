-- One row per playback session and insert: partial aggregate states that ClickHouse merges in the
-- background and every query finishes merging (the -Merge functions), so a session's figures are
-- exact and current the moment its events are inserted, whichever node inserted them. The
-- materialized view below fills it from every insert into events.
--
-- Dimensions are the values of the session's first event (argMin by event time, skipping NULLs:
-- argMinIf over the non-NULL values, so the state's type is the same on every ClickHouse version;
-- text is kept behind a  mark, so an empty value stays apart from none, which reads as ''); *_at the first event of each kind; watch every watched interval (their union is taken
-- when read); marks the whole minutes at which the session was live (a heartbeat - play, start,
-- watch, seek or rebuffer - in the 20 s before).
CREATE TABLE IF NOT EXISTS sessions (
  account          String,
  environment      String,
  session_id       String,
  part_at          Int64,
  media_id_state AggregateFunction(argMinIf, String, Int64, UInt8),
  viewer_id_state AggregateFunction(argMinIf, String, Int64, UInt8),
  media_type_state AggregateFunction(argMinIf, String, Int64, UInt8),
  media_title_state AggregateFunction(argMinIf, String, Int64, UInt8),
  page_url_state AggregateFunction(argMinIf, String, Int64, UInt8),
  referrer_state AggregateFunction(argMinIf, String, Int64, UInt8),
  email_state AggregateFunction(argMinIf, String, Int64, UInt8),
  ip_state AggregateFunction(argMinIf, String, Int64, UInt8),
  country_state AggregateFunction(argMinIf, String, Int64, UInt8),
  region_state AggregateFunction(argMinIf, String, Int64, UInt8),
  city_state AggregateFunction(argMinIf, String, Int64, UInt8),
  continent_state AggregateFunction(argMinIf, String, Int64, UInt8),
  organisation_state AggregateFunction(argMinIf, String, Int64, UInt8),
  device_type_state AggregateFunction(argMinIf, String, Int64, UInt8),
  os_state AggregateFunction(argMinIf, String, Int64, UInt8),
  os_version_state AggregateFunction(argMinIf, String, Int64, UInt8),
  browser_state AggregateFunction(argMinIf, String, Int64, UInt8),
  browser_version_state AggregateFunction(argMinIf, String, Int64, UInt8),
  user_agent_state AggregateFunction(argMinIf, String, Int64, UInt8),
  media_duration_state AggregateFunction(argMinIf, Float64, Int64, UInt8),
  media_duration_known AggregateFunction(max, UInt8),
  latitude_state AggregateFunction(argMinIf, Float64, Int64, UInt8),
  latitude_known AggregateFunction(max, UInt8),
  longitude_state AggregateFunction(argMinIf, Float64, Int64, UInt8),
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
       argMinIfState(concat('\x01', assumeNotNull(media_id)), event_time, isNotNull(media_id)) AS media_id_state,
       argMinIfState(concat('\x01', assumeNotNull(viewer_id)), event_time, isNotNull(viewer_id)) AS viewer_id_state,
       argMinIfState(concat('\x01', assumeNotNull(media_type)), event_time, isNotNull(media_type)) AS media_type_state,
       argMinIfState(concat('\x01', assumeNotNull(media_title)), event_time, isNotNull(media_title)) AS media_title_state,
       argMinIfState(concat('\x01', assumeNotNull(page_url)), event_time, isNotNull(page_url)) AS page_url_state,
       argMinIfState(concat('\x01', assumeNotNull(referrer)), event_time, isNotNull(referrer)) AS referrer_state,
       argMinIfState(concat('\x01', assumeNotNull(email)), event_time, isNotNull(email)) AS email_state,
       argMinIfState(concat('\x01', assumeNotNull(ip)), event_time, isNotNull(ip)) AS ip_state,
       argMinIfState(concat('\x01', assumeNotNull(country)), event_time, isNotNull(country)) AS country_state,
       argMinIfState(concat('\x01', assumeNotNull(region)), event_time, isNotNull(region)) AS region_state,
       argMinIfState(concat('\x01', assumeNotNull(city)), event_time, isNotNull(city)) AS city_state,
       argMinIfState(concat('\x01', assumeNotNull(continent)), event_time, isNotNull(continent)) AS continent_state,
       argMinIfState(concat('\x01', assumeNotNull(organisation)), event_time, isNotNull(organisation)) AS organisation_state,
       argMinIfState(concat('\x01', assumeNotNull(device_type)), event_time, isNotNull(device_type)) AS device_type_state,
       argMinIfState(concat('\x01', assumeNotNull(os)), event_time, isNotNull(os)) AS os_state,
       argMinIfState(concat('\x01', assumeNotNull(os_version)), event_time, isNotNull(os_version)) AS os_version_state,
       argMinIfState(concat('\x01', assumeNotNull(browser)), event_time, isNotNull(browser)) AS browser_state,
       argMinIfState(concat('\x01', assumeNotNull(browser_version)), event_time, isNotNull(browser_version)) AS browser_version_state,
       argMinIfState(concat('\x01', assumeNotNull(user_agent)), event_time, isNotNull(user_agent)) AS user_agent_state,
       argMinIfState(assumeNotNull(media_duration), event_time, isNotNull(media_duration)) AS media_duration_state,
       maxState(toUInt8(isNotNull(media_duration))) AS media_duration_known,
       argMinIfState(assumeNotNull(latitude), event_time, isNotNull(latitude)) AS latitude_state,
       maxState(toUInt8(isNotNull(latitude))) AS latitude_known,
       argMinIfState(assumeNotNull(longitude), event_time, isNotNull(longitude)) AS longitude_state,
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
       groupArrayIfState((assumeNotNull(from_position), assumeNotNull(to_position)), event_type = 'watch' AND ifNull(to_position > from_position, 0)) AS watch_state,
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
