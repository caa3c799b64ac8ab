-- POST /api/v1/cases (source api), durable: answered after the commit
-- (201). Bearer token in env TOKEN; the case's grid is drawn at random from
-- AREAS (env, comma-separated codes; default the root 000000), so routing
-- rules and figures see it as they would a real one.
local token = os.getenv("TOKEN")
local areas = {}
for code in string.gmatch(os.getenv("AREAS") or "000000", "[^,]+") do areas[#areas + 1] = code end
local categories = { "sanitation", "water", "power", "complaint", "inquiry" }
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(3000 + (seed or 0)) end

request = function()
  local body = '{"category":"' .. categories[math.random(#categories)] .. '","area_code":"' ..
    areas[math.random(#areas)] .. '","description":"bench: 楼下垃圾堆积，散发异味"}'
  return wrk.format("POST", "/api/v1/cases", headers, body)
end
