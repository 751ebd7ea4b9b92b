-- POST /items/ with a small JSON body, a fresh name each time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/items/", nil, '{"name":"bench item ' .. n .. '","description":"made by the load test"}')
end
