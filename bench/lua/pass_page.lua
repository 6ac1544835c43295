-- GET /p/{token} for the issued passes in passes.txt.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local report = require("report")
local tokens = {}
for line in io.lines(os.getenv("BENCH_DATA") .. "/passes.txt") do tokens[#tokens + 1] = line end
request = function()
  return wrk.format("GET", "/p/" .. tokens[math.random(1, #tokens)])
end
done = report.done
