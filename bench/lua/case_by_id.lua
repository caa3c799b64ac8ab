-- GET /api/v1/cases/{id} with a bearer token (env TOKEN): every request is
-- authenticated and scope-checked. Ids are drawn at random from FIRST_ID..
-- LAST_ID (env; the loaded cases), so the reads spread over the whole table
-- instead of walking it in order.
local token = os.getenv("TOKEN")
local first = tonumber(os.getenv("FIRST_ID") or "1")
local last = tonumber(os.getenv("LAST_ID") or "1000")
local headers = { ["Authorization"] = "Bearer " .. token }

-- A fixed seed per wrk thread: runs are repeatable, threads differ.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(1000 + (seed or 0)) end

request = function()
  return wrk.format("GET", "/api/v1/cases/" .. math.random(first, last), headers)
end
