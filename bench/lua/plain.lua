-- GET of the URL's path as it is (/healthz, the hello-world server).
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local report = require("report")
done = report.done
