// Ring latency while the outbox is busy: a panel calls a resident every
// INTERVAL ms, and each ring is timed from the call's answer (its commit) to the
// moment the sandbox, as push provider, holds the push. Prints one JSON line.
// usage: node rings.mjs BASE_URL SANDBOX_URL PANEL_KEY ENTRY_ID PUSH_TOKEN COUNT INTERVAL_MS
const [base, sandbox, key, entry, token, count, interval] = process.argv.slice(2);
const panel = { "content-type": "application/json", authorization: `Bearer ${key}` };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pushes() {
  const response = await fetch(`${sandbox}/_sandbox/messages?channel=push&to=${token}`);
  return (await response.json()).data.length;
}

const latencies = [];
let lost = 0;
for (let i = 0; i < Number(count); i++) {
  const before = await pushes();
  const started = performance.now();
  const call = await fetch(`${base}/v1/panel/calls`, {
    method: "POST", headers: panel, body: JSON.stringify({ entry_id: entry }) });
  if (call.status !== 201) throw new Error(`panel call: ${call.status} ${await call.text()}`);
  const { call_id } = await call.json();
  let arrived = false;
  while (performance.now() - started < 10000) {
    if ((await pushes()) > before) { arrived = true; break; }
    await sleep(2);
  }
  if (arrived) latencies.push(performance.now() - started); else lost++;
  await fetch(`${base}/v1/panel/calls/${call_id}/cancel`, { method: "POST", headers: panel });
  await sleep(Number(interval));
}
latencies.sort((a, b) => a - b);
const at = (q) => latencies.length ? latencies[Math.min(latencies.length - 1,
                                                         Math.floor(q * latencies.length))] : NaN;
console.log(JSON.stringify({ rings: latencies.length, lost, p50_ms: at(0.5).toFixed(1),
                             p99_ms: at(0.99).toFixed(1), max_ms: at(1).toFixed(1) }));
