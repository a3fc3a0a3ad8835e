-- wrk script: anonymous POST /api/users/signup, a new name each request, each from another
-- client address (X-Forwarded-For; the server trusts 127.0.0.1 as a proxy): a distributed
-- sign-up flood that the per-address limit alone does not stop. With BENCH_FLOOD_ONE_ADDRESS=1
-- every request comes from one address instead: the review's flood (issue 19, item 2).
local one_address = os.getenv("BENCH_FLOOD_ONE_ADDRESS") == "1"
local counter = 0
-- Each wrk thread runs its own Lua state: the address of a fresh table tells them apart.
local thread_tag = tostring({}):match("0x(%x+)") or tostring(math.random(1, 1e9))
request = function()
  counter = counter + 1
  local name = string.format("flood%s_%d", thread_tag, counter)
  local address = one_address and "10.0.0.1" or
      string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256,
                    math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", "/api/users/signup",
                    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = address},
                    string.format('{"username":"%s","email":"%s@flood.local","password":"%s"}',
                                  name, name, "flood-password-1"))
end
