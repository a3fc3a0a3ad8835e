-- wrk script: each connection waits BENCH_PACE_MS (default 2) between its requests, so the
-- requests come at a steady rate the server has room for instead of as fast as it answers.
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "2")
function delay() return pace end
