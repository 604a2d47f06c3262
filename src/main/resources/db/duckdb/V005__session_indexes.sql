-- A query or seal with unsealed events reads the rollup rows and minute marks of just those
-- sessions: looked up by session id instead of scanning every row of the table.
CREATE INDEX session_rollup_session ON session_rollup (session_id);
CREATE INDEX live_marks_session ON live_marks (session_id);
