-- wrk script: GET the path given on the command line once with each API key in the file
-- $BENCH_KEYS_FILE (one a line), so every request is a cold key check, then stop. Run it with
-- one wrk thread (-t1; each thread would walk the whole file) and tell it the connection count
-- in $BENCH_CONNECTIONS. Once every key is sent, the connections ask for /api/health/ping; a
-- connection sends its next request only after the answer to its last one, so when
-- keys + connections requests have been asked for, every key has been answered. No response()
-- callback: with one, wrk hands every answer to Lua and the script becomes the bottleneck.
-- wrk's own Requests/sec divides by the whole run, so done() prints the time the keys took
-- ("cold: N requests in S s"); $BENCH_COLD_DONE names a file created when they are all answered.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval* tv, void* tz);
]]
local function now()
  local tv = ffi.new("bench_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

requests = {}  -- formatted once up front: wrk.format per request would cost more than the server
filler = nil
asked = 0
key_count = 0
started = 0
elapsed = 0
local stop_after = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_KEYS_FILE")) do
    if #line > 0 then requests[#requests + 1] = wrk.format(nil, nil, {["X-API-KEY"] = line}) end
  end
  key_count = #requests
  filler = wrk.format("GET", "/api/health/ping")
  stop_after = key_count + tonumber(os.getenv("BENCH_CONNECTIONS") or "64")
end

function request()
  asked = asked + 1
  if asked == 1 then started = now() end
  if asked <= key_count then return requests[asked] end
  if asked == stop_after then
    elapsed = now() - started
    wrk.thread:stop()
    -- wrk's main thread sleeps for the whole -d duration even so: tell run.sh, which then
    -- interrupts wrk (on SIGINT it prints its report and runs done()).
    local marker = os.getenv("BENCH_COLD_DONE")
    if marker then io.open(marker, "w"):close() end
  end
  return filler
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("cold: %d requests in %.3f s\n", thread:get("key_count"),
                           thread:get("elapsed")))
  end
end
