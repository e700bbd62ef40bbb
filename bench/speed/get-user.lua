-- wrk: GET /Users/{id} over ids read from SPEED_IDS (one per line), picked at random. Token from env SPEED_TOKEN.
local token = os.getenv("SPEED_TOKEN")
local ids = {}
for line in io.lines(os.getenv("SPEED_IDS")) do table.insert(ids, line) end
function request()
  return wrk.format("GET", "/scim/v2/Users/" .. ids[math.random(#ids)], {["Authorization"] = "Bearer " .. token})
end
