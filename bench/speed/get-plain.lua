-- wrk: a GET of wrk's URL with the bearer token from SPEED_TOKEN (no database behind it).
local token = os.getenv("SPEED_TOKEN")
function request()
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
