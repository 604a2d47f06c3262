-- wrk script: one single-event beacon per request, each from a session never seen before (worst case:
-- every request stores its session context too).
-- Usage: wrk -s bench/collect-new-session.lua http://127.0.0.1:8080/v1/collect  (env PLAYLENS_KEY)
local key = assert(os.getenv("PLAYLENS_KEY"), "set PLAYLENS_KEY to a player key")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
request = function()
  counter = counter + 1
  local body = string.format(
    '{"key":"%s","session":"s-%d-%d","viewer":"v%d","media":{"id":"bench-%d","duration":120},"events":[{"type":"watch","from":%d,"to":%d}]}',
    key, math.random(1, 1000000000), counter, counter % 5000, counter % 50, counter % 100, counter % 100 + 5)
  return wrk.format(nil, nil, nil, body)
end

-- Fixed-rate mode (RATE, THREADS): see rate.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "rate.lua")
