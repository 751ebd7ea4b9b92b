-- PATCH /items/{id} (a merge patch of the name) on ids from 1..MAX_ID.
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
math.randomseed(os.time() + 2)
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format("PATCH", "/items/" .. math.random(1, max_id), nil, '{"name":"patched ' .. n .. '"}')
end
