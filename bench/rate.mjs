// Open-loop load at a fixed rate: requests are due at fixed times whether or not
// earlier ones finished, and latency counts from the due time (no coordinated
// omission). Prints {"rate","sent","p50_us","p99_us","errors"} as JSON.
// usage: node rate.mjs BASE_URL ENDPOINT RATE SECONDS   (ENDPOINT as in bench/run)
import http from "node:http";
import { readFileSync } from "node:fs";

const [base, endpoint, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText), seconds = Number(secondsText);
const data = process.env.BENCH_DATA;
const lines = (file) => readFileSync(`${data}/${file}`, "utf8").trim().split("\n");
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const letters = "abcdefghijklmnopqrstuvwxyz0123456789";

const requests = {
  healthz: () => ({ path: "/healthz", headers: {} }),
  directory: (() => {
    const keys = lines("panels.txt");
    return () => ({ path: `/v1/panel/directory?q=${pick(letters)}${pick(letters)}`,
                    headers: { authorization: `Bearer ${pick(keys)}` } });
  })(),
  pass_page: (() => {
    const tokens = lines("passes.txt");
    return () => ({ path: `/p/${pick(tokens)}`, headers: {} });
  })(),
  my_visitors: (() => {
    const tokens = lines("residents.txt");
    return () => ({ path: "/v1/me/visitors?limit=20",
                    headers: { authorization: `Bearer ${pick(tokens)}` } });
  })(),
};
const make = requests[endpoint];
if (!make) throw new Error(`unknown endpoint ${endpoint}`);

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const url = new URL(base);
const latencies = [];
let errors = 0, sent = 0, done = 0;
const total = Math.round(rate * seconds);
const start = process.hrtime.bigint();
const interval = 1e9 / rate;

function fire(dueNs) {
  const spec = make();
  const request = http.request({ host: url.hostname, port: url.port, path: spec.path,
                                 headers: spec.headers, agent }, (response) => {
    response.resume();
    response.on("end", () => {
      if (response.statusCode >= 400) errors++;
      latencies.push(Number(process.hrtime.bigint() - dueNs) / 1000);
      finish();
    });
  });
  request.on("error", () => { errors++; finish(); });
  request.end();
}

function finish() {
  if (++done < total) return;
  latencies.sort((a, b) => a - b);
  const at = (p) => Math.round(latencies[Math.min(latencies.length - 1,
                                                   Math.floor(latencies.length * p))] || 0);
  console.log(JSON.stringify({ rate, sent, p50_us: at(0.5), p99_us: at(0.99), errors }));
  agent.destroy();
}

function tick() {
  const now = process.hrtime.bigint();
  while (sent < total) {
    const due = start + BigInt(Math.round(sent * interval));
    if (due > now) break;
    sent++;
    fire(due);
  }
  if (sent < total) setImmediate(tick);
}
tick();
