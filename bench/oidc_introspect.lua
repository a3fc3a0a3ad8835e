-- wrk script for bench/oidc.sh: POST /oidc/introspect of the token in the X-Bench-Token header.
function init(args) end

local body = nil
function request()
  if body == nil then body = "token=" .. wrk.headers["X-Bench-Token"] end
  return wrk.format("POST", nil, nil, body)
end
