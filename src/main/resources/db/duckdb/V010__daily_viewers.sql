-- Unique views count one per viewer (user agent + IP) and day of the play. Over a year that was
-- a distinct count of millions of (user agent, IP, day) triples, 0.5-1 s on one thread. Per day,
-- each viewer's longest watch among the sessions that played that day: a question counts the rows
-- of its whole days here, and only its part-days (and days with unsealed sessions) from the
-- sessions. The sealer updates the rows of every viewer and day a seal touches; the retention
-- job redoes the days it cuts into. k, an MD5 of the other key columns, finds a viewer's row
-- among a day's (a seal compared the text columns of every row of the day: 0.6 s at 5 million
-- viewers a day, 50 ms by k); it may collide, so the key columns are compared after it.
CREATE TABLE daily_viewers (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  day              DATE      NOT NULL,
  user_agent       VARCHAR,
  ip               VARCHAR,
  watched          DOUBLE    NOT NULL,
  k                UBIGINT   NOT NULL
);

-- In day order, so a question's days are read from few row groups.
INSERT INTO daily_viewers
SELECT *, md5_number_lower(concat_ws(chr(31), account, environment, CAST(day AS VARCHAR),
                                     coalesce(user_agent, ''), coalesce(ip, ''))) AS k
FROM (SELECT account, environment, CAST(play_at AS DATE) AS day, user_agent, ip, max(watched) AS watched
      FROM session_rollup WHERE play_at IS NOT NULL
      GROUP BY account, environment, day, user_agent, ip)
ORDER BY day, account, environment;
