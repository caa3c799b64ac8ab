-- POST /api/v1/cases with a body that names no category: answered 422
-- after the bearer token is checked and the body parsed, before any write.
-- bench/quick.sh uses it as the ceiling of a POST with the store's write
-- taken out. Bearer token in env TOKEN.
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json" }
local body = '{"area_code":"000000","description":"bench: 楼下垃圾堆积，散发异味"}'

request = function()
  return wrk.format("POST", "/api/v1/cases", headers, body)
end
