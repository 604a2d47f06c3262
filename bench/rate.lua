-- Shared by the collect-*.lua scripts. With RATE and THREADS (wrk's -t) set, the requests are sent
-- on a fixed schedule that offers RATE requests/s in all, whatever the answers' latency: each wrk
-- thread keeps its own schedule of RATE/THREADS requests/s, with random (exponential) gaps, as
-- independent viewers' arrivals are. A connection ready early waits for the next slot; a slow
-- answer does not lower the rate offered while other connections are free (an open loop). The
-- latency wrk reports starts when a request is sent, so it leaves out any wait for a free
-- connection: use enough connections (the rate times the p99 latency, with room to spare).
local rate = tonumber(os.getenv("RATE") or "0")
local threads = tonumber(os.getenv("THREADS") or "0")
if rate > 0 then
  assert(threads > 0, "set THREADS to wrk's -t with RATE")
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } playlens_timespec;
    int clock_gettime(int clock, playlens_timespec *time);
  ]]
  local time = ffi.new("playlens_timespec")
  local CLOCK_MONOTONIC = 1
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, time)
    return tonumber(time.tv_sec) * 1000 + tonumber(time.tv_nsec) / 1e6
  end
  local gap_ms = threads * 1000 / rate
  local next_at = nil
  delay = function()
    local now = now_ms()
    -- a schedule more than a second behind (every connection busy) starts again from now
    if next_at == nil or next_at < now - 1000 then
      next_at = now
    end
    next_at = next_at - math.log(1 - math.random()) * gap_ms
    return math.max(0, math.floor(next_at - now))
  end
end
