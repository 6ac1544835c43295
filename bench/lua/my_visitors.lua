-- GET /v1/me/visitors as one of the residents in residents.txt (access tokens).
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local report = require("report")
local tokens = {}
for line in io.lines(os.getenv("BENCH_DATA") .. "/residents.txt") do tokens[#tokens + 1] = line end
request = function()
  return wrk.format("GET", "/v1/me/visitors?limit=20",
                    {["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)]})
end
done = report.done
