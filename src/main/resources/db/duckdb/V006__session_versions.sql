-- The OS and browser versions of a session's first event, for Wistia's user_agent_details.
ALTER TABLE session_rollup ADD COLUMN os_version VARCHAR;
ALTER TABLE session_rollup ADD COLUMN browser_version VARCHAR;

-- Sessions sealed before this migration: the versions of their earliest context still stored.
UPDATE session_rollup r
SET os_version = c.os_version, browser_version = c.browser_version
FROM (SELECT account, environment, session_id,
             arg_min(os_version, received_at) AS os_version,
             arg_min(browser_version, received_at) AS browser_version
      FROM contexts GROUP BY ALL) c
WHERE c.account = r.account AND c.environment = r.environment AND c.session_id = r.session_id;
