-- wrk script: 100-event beacons (a session's heartbeats), a new session id each time.
-- Usage: wrk -s bench/collect-batch.lua http://127.0.0.1:8080/v1/collect  (env PLAYLENS_KEY)
local key = assert(os.getenv("PLAYLENS_KEY"), "set PLAYLENS_KEY to a player key")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
local events = {}
for i = 0, 99 do
  events[#events + 1] = string.format('{"type":"watch","from":%d,"to":%d}', i * 5, i * 5 + 5)
end
local eventsJson = table.concat(events, ",")
request = function()
  counter = counter + 1
  local body = string.format(
    '{"key":"%s","session":"b-%d-%d","viewer":"v%d","media":{"id":"bench-%d","duration":600},"events":[%s]}',
    key, math.random(1, 1000000000), counter, counter % 5000, counter % 50, eventsJson)
  return wrk.format(nil, nil, nil, body)
end

-- Fixed-rate mode (RATE, THREADS): see rate.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "rate.lua")
