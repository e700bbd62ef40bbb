-- wrk: PATCH /Users/{id} (replace displayName and title, the shape Entra and Okta send for an attribute change)
-- over ids read from SPEED_IDS, picked at random. Token from env SPEED_TOKEN.
local token = os.getenv("SPEED_TOKEN")
local ids = {}
for line in io.lines(os.getenv("SPEED_IDS")) do table.insert(ids, line) end
local n = 0
function request()
  n = n + 1
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[' ..
      '{"op":"replace","path":"displayName","value":"Ada ' .. n .. '"},' ..
      '{"op":"replace","path":"title","value":"Engineer ' .. n .. '"}]}'
  return wrk.format("PATCH", "/scim/v2/Users/" .. ids[math.random(#ids)],
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/scim+json"}, body)
end
