-- POST /items/ with a small JSON body (ITEM_BODY, from the test builders), a fresh name each time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local body = os.getenv("ITEM_BODY")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/items/", nil, (string.gsub(body, "{n}", tostring(n))))
end
