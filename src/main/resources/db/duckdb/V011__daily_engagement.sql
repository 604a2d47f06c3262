-- Wistia's engagement graph of a media over a year summed every session's stretches (0.43-0.49 s
-- for a media with a million sessions). Per media, day and second of the media, the steps of the
-- graph of the sessions that began that day (UTC): dn how many more (or fewer) times the second
-- was played than the one before, dp how many more sessions played it. A question reads the
-- steps of its whole days here, at most a row per second of the media per day, and works out its
-- part-days and the days with unsealed sessions from the sessions (taking off the steps of the
-- sessions that went on past its end). The sealer takes a sealed session's steps off and adds
-- its new ones; the retention job redoes the days it cuts into.
CREATE TABLE daily_engagement (
  account          VARCHAR   NOT NULL,
  environment      VARCHAR   NOT NULL,
  media_id         VARCHAR   NOT NULL,
  day              DATE      NOT NULL,
  cell             BIGINT    NOT NULL,
  dn               BIGINT    NOT NULL,
  dp               BIGINT    NOT NULL
);

-- Each stretch played n times: +n at its first second, -n at the second after its last; each
-- span played at all: +1 and -1 (seconds rounded as the graph rounds them). In day order.
INSERT INTO daily_engagement
SELECT account, environment, media_id, day, cell, CAST(sum(dn) AS BIGINT), CAST(sum(dp) AS BIGINT)
FROM (SELECT account, environment, media_id, CAST(first_at AS DATE) AS day,
             CAST(round(u.f) AS BIGINT) AS cell, u.n AS dn, 0 AS dp
      FROM (SELECT *, unnest(plays) AS u FROM session_rollup)
      UNION ALL
      SELECT account, environment, media_id, CAST(first_at AS DATE), CAST(round(u.t) AS BIGINT), -u.n, 0
      FROM (SELECT *, unnest(plays) AS u FROM session_rollup)
      UNION ALL
      SELECT account, environment, media_id, CAST(first_at AS DATE), CAST(round(u.f) AS BIGINT), 0, 1
      FROM (SELECT *, unnest(watch) AS u FROM session_rollup)
      UNION ALL
      SELECT account, environment, media_id, CAST(first_at AS DATE), CAST(round(u.t) AS BIGINT), 0, -1
      FROM (SELECT *, unnest(watch) AS u FROM session_rollup))
GROUP BY account, environment, media_id, day, cell
HAVING sum(dn) <> 0 OR sum(dp) <> 0
ORDER BY day, account, environment, media_id, cell;
