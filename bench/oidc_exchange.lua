-- wrk script for bench/oidc.sh: each request redeems the next code of BENCH_CODES_FILE
-- (grant_type=authorization_code, client_secret_basic with BENCH_BASIC, PKCE verifier below);
-- the thread stops when the codes run out.
local codes = {}
local next_code = 1
local verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
local basic = os.getenv("BENCH_BASIC")

function init(args)
  for line in io.lines(os.getenv("BENCH_CODES_FILE")) do codes[#codes + 1] = line end
end

function request()
  local code = codes[next_code]
  if code == nil then
    wrk.thread:stop()
    code = "exhausted"
  end
  next_code = next_code + 1
  local body = "grant_type=authorization_code&code=" .. code ..
               "&redirect_uri=http%3A%2F%2Fbench.test%2Fcallback&code_verifier=" .. verifier
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Authorization"] = "Basic " .. basic}, body)
end
