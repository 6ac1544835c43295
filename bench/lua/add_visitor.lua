-- POST /v1/me/visitors as one of the BMX-linked residents in linked.txt.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local report = require("report")
local tokens = {}
for line in io.lines(os.getenv("BENCH_DATA") .. "/linked.txt") do tokens[#tokens + 1] = line end
-- A window that starts now: a start more than 5 minutes in the past is refused
-- (422), and this run may come many minutes after the seeding.
local now = os.time()
local starts = os.date("!%Y-%m-%dT%H:%M:%SZ", now)
local ends = os.date("!%Y-%m-%dT%H:%M:%SZ", now + 4 * 3600)
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Guest %d","phone":"+1555077%04d","access":"property_only",' ..
    '"starts_at":"%s","ends_at":"%s"}', counter, counter % 10000, starts, ends)
  return wrk.format("POST", "/v1/me/visitors",
                    {["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)],
                     ["Content-Type"] = "application/json"}, body)
end
done = report.done
