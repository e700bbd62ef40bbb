-- wrk: POST /Users with a unique userName per request (run id + thread + counter). Token from env SPEED_TOKEN.
-- Used by bench/speed.sh, bench/relay.sh and bench/groups.sh.
-- POST_DELAY_MS (optional, default 0) makes every connection wait that long before each request: wrk (not wrk2)
-- has no fixed-rate mode, so bench/relay.sh paces the rate down to its target with this when the service is faster.
local token = os.getenv("SPEED_TOKEN")
-- The start second keeps the names of the warm-up run and the measured run apart.
local run = (os.getenv("SPEED_RUN") or "r") .. "-" .. os.time()
local pause = tonumber(os.getenv("POST_DELAY_MS") or "0")
local threads = {}
local n = 0
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
if pause > 0 then -- only then: a delay() of 0 would still cost wrk a timer per request
  function delay()
    return pause
  end
end
function request()
  n = n + 1
  local name = string.format("wrk-%s-%d-%d", run, tid, n)
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name ..
      '","name":{"givenName":"Ada","familyName":"Lovelace"},"displayName":"Ada Lovelace",' ..
      '"emails":[{"value":"' .. name .. '@example.com","type":"work","primary":true}],"active":true}'
  return wrk.format("POST", "/scim/v2/Users",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/scim+json"}, body)
end
