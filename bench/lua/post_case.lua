-- POST /api/v1/cases (source api), durable: answered after the commit.
local token = os.getenv("TOKEN")
local area = os.getenv("AREA") or "000000"
local body = '{"category":"sanitation","area_code":"' .. area .. '","description":"bench: 楼下垃圾堆积，散发异味"}'
request = function()
  return wrk.format("POST", "/api/v1/cases", { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
