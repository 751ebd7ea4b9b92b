-- PUT or PATCH (env METHOD) /items/{id} on ids from 1..MAX_ID, a real change each time so the
-- version moves: PUT replaces every field (ITEM_BODY, from the test builders, with a fresh name),
-- PATCH merges a new name.
local method = os.getenv("METHOD") or "PUT"
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
local item_body = os.getenv("ITEM_BODY")
math.randomseed(os.time())
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"name":"changed ' .. n .. '"}'
  if method == "PUT" then
    body = (string.gsub(item_body, "{n}", tostring(n)))
  end
  return wrk.format(method, "/items/" .. math.random(1, max_id), nil, body)
end
