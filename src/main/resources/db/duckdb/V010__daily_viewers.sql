-- Unique views count one per viewer (user agent + IP) and day of the play. Over a year that was
-- a distinct count of millions of (user agent, IP, day) triples, 0.5-1 s on one thread. Per day,
-- each viewer's longest watch among the sessions that played that day: a question counts the rows
-- of its whole days here, and only its part-days (and days with unsealed sessions) from the
-- sessions. The sealer rewrites the rows of every viewer and day a seal touches; the retention
-- job redoes the days it cuts into.
CREATE TABLE daily_viewers (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  day              DATE      NOT NULL,
  user_agent       VARCHAR,
  ip               VARCHAR,
  watched          DOUBLE    NOT NULL
);

-- In day order, so a question's days are read from few row groups.
INSERT INTO daily_viewers
SELECT account, environment, CAST(play_at AS DATE) AS day, user_agent, ip, max(watched)
FROM session_rollup WHERE play_at IS NOT NULL
GROUP BY account, environment, day, user_agent, ip
ORDER BY day, account, environment;
