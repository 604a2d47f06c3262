-- wrk script: single-event heartbeats from 20,000 ongoing playback sessions, as the tracker sends
-- them every 5 s while a video plays. Each session has its own viewer, media, IP and user agent.
-- Usage: wrk -s bench/collect-heartbeat.lua http://127.0.0.1:8080/v1/collect  (env PLAYLENS_KEY)
local key = assert(os.getenv("PLAYLENS_KEY"), "set PLAYLENS_KEY to a player key")
local sessions = 20000
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
}
local position = {}
local seed = 0
init = function(args)
  seed = math.random(1, 1000000)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
request = function()
  local s = math.random(1, sessions)
  local from = position[s] or 0
  position[s] = from + 5
  wrk.headers["User-Agent"] = agents[(s % #agents) + 1]
  local body = string.format(
    '{"key":"%s","session":"hb-%d-%d","viewer":"v%d","media":{"id":"video-%d","duration":600,"title":"Video %d"},"page":{"url":"https://www.example.com/watch/%d"},"events":[{"type":"watch","from":%d,"to":%d}]}',
    key, seed, s, s, s % 40, s % 40, s % 40, from, from + 5)
  return wrk.format(nil, nil, nil, body)
end

-- Fixed-rate mode (RATE, THREADS): see rate.lua beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "rate.lua")
