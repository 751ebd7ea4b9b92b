-- GET /items/{id} with ids drawn uniformly from 1..MAX_ID (environment variable).
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/items/" .. math.random(1, max_id))
end
