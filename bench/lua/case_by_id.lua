-- GET /api/v1/cases/{id} over ids 1..N (env CASES), with the bearer token
-- (env TOKEN): every request is authenticated and scope-checked.
local n = tonumber(os.getenv("CASES") or "1000")
local token = os.getenv("TOKEN")
local i = 0
request = function()
  i = i % n + 1
  return wrk.format("GET", "/api/v1/cases/" .. i, { ["Authorization"] = "Bearer " .. token })
end
