-- Shared by the wrk scripts: one line of JSON with the figures bench/run needs.
local report = {}
-- bench/run's paced runs: each connection waits BENCH_DELAY_MS between requests.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  function delay() return pause end
end
function report.done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"non_2xx":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
return report
