-- GET /api/v1/stats/cases?area=<county>&from=<date>: the case figures for
-- the whole county (env AREA) since FROM (env, YYYY-MM-DD; run.sh passes
-- the start of the demo's 90 days, so every loaded case counts), with a
-- bearer token (env TOKEN).
local token = os.getenv("TOKEN")
local path = "/api/v1/stats/cases?area=" .. (os.getenv("AREA") or "000000")
if os.getenv("FROM") then path = path .. "&from=" .. os.getenv("FROM") end
local headers = { ["Authorization"] = "Bearer " .. token }

request = function()
  return wrk.format("GET", path, headers)
end
