-- GET /v1/panel/directory?q=<two letters> with one of the panel keys in panels.txt.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local report = require("report")
local keys = {}
for line in io.lines(os.getenv("BENCH_DATA") .. "/panels.txt") do keys[#keys + 1] = line end
local letters = "abcdefghijklmnopqrstuvwxyz0123456789"
request = function()
  local i, j = math.random(1, #letters), math.random(1, #letters)
  local q = letters:sub(i, i) .. letters:sub(j, j)
  return wrk.format("GET", "/v1/panel/directory?q=" .. q,
                    {["Authorization"] = "Bearer " .. keys[math.random(1, #keys)]})
end
done = report.done
