-- GET /api/v1/cases?area=<grid>&state=<open state>: the first page (50) of
-- a grid's open cases, as a grid worker's inbox shows them, with a bearer
-- token (env TOKEN) whose scope holds every grid. The grid is drawn at
-- random from GRIDS (env, comma-separated codes), the state in turn from
-- the open ones.
local token = os.getenv("TOKEN")
local grids = {}
for code in string.gmatch(os.getenv("GRIDS") or "", "[^,]+") do grids[#grids + 1] = code end
local states = { "submitted", "dispatched", "signed", "returned" }
local headers = { ["Authorization"] = "Bearer " .. token }

local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(2000 + (seed or 0)) end

local n = 0
request = function()
  n = n + 1
  local path = "/api/v1/cases?area=" .. grids[math.random(#grids)] .. "&state=" .. states[n % #states + 1]
  return wrk.format("GET", path, headers)
end
