-- Shared by the collect-*.lua scripts. With RATE and CONNECTIONS set, each connection waits
-- between requests so that all of them together offer about RATE requests/s: the latency of a
-- fixed, sub-capacity load. The wait is random (exponential, as independent viewers' arrivals are)
-- so connections do not fire in step.
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "0")
if rate > 0 and connections > 0 then
  delay = function()
    return -math.log(1 - math.random()) * connections * 1000 / rate
  end
end
