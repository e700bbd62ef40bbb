-- wrk: GET /Users?filter=userName eq "..." with names from SPEED_NAMES in upper case (userName is case-insensitive).
local token = os.getenv("SPEED_TOKEN")
local names = {}
for line in io.lines(os.getenv("SPEED_NAMES")) do table.insert(names, line) end
function request()
  local name = string.upper(names[math.random(#names)])
  return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22" .. name .. "%22",
      {["Authorization"] = "Bearer " .. token})
end
