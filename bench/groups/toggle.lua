-- wrk: PATCH one Group, alternately adding one member and removing it again (remove by value filter, RFC 7644
-- section 3.5.2.2). Env: SPEED_TOKEN (bearer), GROUP_ID, TOGGLE_IDS (file of user ids, one a line, none of them a
-- member of the group), TOGGLE_QUERY (optional query string, e.g. "?excludedAttributes=members"). Each connection walks its own slice of the ids, so no two connections touch one member.
local token = os.getenv("SPEED_TOKEN")
local group = os.getenv("GROUP_ID")
local ids = {}
for line in io.lines(os.getenv("TOGGLE_IDS")) do
  if #line > 0 then table.insert(ids, line) end
end
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
local n = 0
local path
function init(args)
  path = "/scim/v2/Groups/" .. group .. (os.getenv("TOGGLE_QUERY") or "")
end
function request()
  n = n + 1
  -- add on odd requests, remove the same member on the next one
  local k = (math.floor((n - 1) / 2) * #threads + tid) % #ids + 1
  local id = ids[k]
  local op
  if n % 2 == 1 then
    op = '{"op":"add","path":"members","value":[{"value":"' .. id .. '"}]}'
  else
    op = '{"op":"remove","path":"members[value eq \\"' .. id .. '\\"]"}'
  end
  return wrk.format("PATCH", path,
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/scim+json"},
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[' .. op .. ']}')
end
