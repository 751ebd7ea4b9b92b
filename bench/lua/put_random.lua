-- PUT /items/{id} (a real change each time, so the version moves) on ids from 1..MAX_ID.
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
math.randomseed(os.time() + 1)
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"name":"replaced ' .. n .. '","description":"put by the load test"}'
  return wrk.format("PUT", "/items/" .. math.random(1, max_id), nil, body)
end
