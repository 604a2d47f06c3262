-- New events are committed to two ingest files beside this one (playlens-ingest-0.duckdb and
-- playlens-ingest-1.duckdb, attached as ingest0 and ingest1), one at a time, switching when its
-- WAL is due a checkpoint, and that file is checkpointed while the other takes the commits.
-- A DuckDB checkpoint holds the database's checkpoint lock for its whole length, and no write
-- transaction can start on that database meanwhile: with everything in one file, each checkpoint
-- (two dozen a minute at 10,000 heartbeats/s, up to half a second each) held the acknowledgements
-- up, and the sealer's rollup writes, more than half of the WAL, made most of them. Now the
-- committers never wait for a checkpoint: not this file's (the sealer's), nor an ingest file's.
--
-- The rows this file held stay here, renamed, and the `events` and `contexts` views read them
-- together with the ingest files' rows, so every query (and event_details) reads them as before.
ALTER TABLE events RENAME TO events_main;
ALTER TABLE contexts RENAME TO contexts_main;
CREATE VIEW events AS
  SELECT * FROM events_main
  UNION ALL SELECT * FROM ingest0.events
  UNION ALL SELECT * FROM ingest1.events;
CREATE VIEW contexts AS
  SELECT * FROM contexts_main
  UNION ALL SELECT * FROM ingest0.contexts
  UNION ALL SELECT * FROM ingest1.contexts;
