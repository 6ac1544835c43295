// The driver of scripts/ha-check: starts the two frontdoor instances, seeds the
// demo property through HAProxy, keeps steady reads and writes running, and
// performs the four checks, printing their figures. Exits 1 when one fails.
//
// usage: node ha-check.mjs FRONTDOOR_BINARY STATE_DIR LB_PORT A_PORT B_PORT
//                          PRIMARY_PORT STANDBY_PORT SANDBOX_PORT PG_BIN SEED_SCRIPT
import { execFileSync, spawn } from "node:child_process";
import { openSync, readFileSync, writeFileSync } from "node:fs";

const [binary, state, lbPort, aPort, bPort, primaryPort, standbyPort, sandboxPort, pgBin, seed] =
  process.argv.slice(2);
const lb = `http://127.0.0.1:${lbPort}`;
const sandbox = `http://127.0.0.1:${sandboxPort}`;
const primaryUrl = `postgresql://postgres@127.0.0.1:${primaryPort}/frontdoor`;
const standbyUrl = `postgresql://postgres@127.0.0.1:${standbyPort}/frontdoor`;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const now = () => performance.now();
const figures = [];
const failures = [];

function report(name, value, ok, target) {
  figures.push({ name, value, target, ok });
  if (!ok) failures.push(`${name}: ${value} (target ${target})`);
  console.log(`    ${ok ? "ok  " : "FAIL"} ${name}: ${value}${target ? `   (target ${target})` : ""}`);
}

async function call(method, url, body, token, headers = {}) {
  try {
    const response = await fetch(url, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await response.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { text };
    }
    return { status: response.status, json };
  } catch (error) {
    return { status: 0, json: { error: String(error) } };
  }
}

function asPostgres(command, args) {
  const root = process.getuid && process.getuid() === 0;
  return execFileSync(root ? "runuser" : command, root ? ["-u", "postgres", "--", command, ...args] : args, {
    stdio: "pipe",
  }).toString();
}

function sql(url, statement) {
  return execFileSync("psql", [url, "-qAtc", statement], { stdio: "pipe" }).toString().trim();
}

// --- The instances -----------------------------------------------------------

const instances = { a: { port: aPort }, b: { port: bPort } };

async function startInstance(name) {
  const instance = instances[name];
  const log = openSync(`${state}/instance-${name}.log`, "a");
  instance.process = spawn(binary, ["serve"], {
    env: { ...process.env, FRONTDOOR_PORT: instance.port },
    stdio: ["ignore", log, log],
  });
  writeFileSync(`${state}/instance-${name}.pid`, String(instance.process.pid));
  instance.exited = new Promise((done) => instance.process.on("exit", (code) => done(code)));
  for (let i = 0; i < 300; ++i) {
    if ((await call("GET", `http://127.0.0.1:${instance.port}/readyz`)).status === 200) {
      // HAProxy puts it back after two good checks, 500 ms apart.
      await sleep(1500);
      return;
    }
    await sleep(100);
  }
  throw new Error(`instance ${name} did not become ready`);
}

async function stopInstance(name, signal = "SIGTERM") {
  const instance = instances[name];
  instance.process.kill(signal);
  return instance.exited;
}

// --- Steady load through HAProxy ----------------------------------------------

const load = { running: false, log: [], acknowledged: new Set(), counter: 0 };

function startLoad(accounts) {
  load.running = true;
  const worker = async (id) => {
    while (load.running) {
      const kind = load.counter++ % 3;
      const at = now();
      let response;
      if (kind === 0) {
        // A read on a worker (the pool) ...
        response = await call("GET", `${lb}/v1/me`, undefined, accounts.resident);
      } else if (kind === 1) {
        // ... a read on an I/O thread (the asynchronous path) ...
        response = await call("GET", `${lb}/v1/me/visitors`, undefined, accounts.resident);
      } else {
        // ... and a write whose acknowledgement must survive anything.
        const label = `ha-${id}-${load.counter}`;
        response = await call("POST", `${lb}/v1/properties/${accounts.property}/units`,
          { label }, accounts.admin);
        if (response.status === 201) load.acknowledged.add(label);
      }
      load.log.push({ at, end: now(), kind: kind === 2 ? "write" : "read", status: response.status });
      await sleep(40);
    }
  };
  load.workers = [0, 1, 2, 3].map(worker);
}

async function stopLoad() {
  load.running = false;
  await Promise.all(load.workers);
}

function failedBetween(from, to) {
  return load.log.filter((entry) => entry.at >= from && entry.at <= to && (entry.status === 0 || entry.status >= 500));
}

function countBetween(from, to) {
  return load.log.filter((entry) => entry.at >= from && entry.at <= to).length;
}

// When the first request of a kind sent at or after `from` succeeded, in seconds
// after `from` (its answer, not its start: a request may wait for the database).
function backAfter(kind, from) {
  const first = load.log.find((entry) => entry.at >= from && entry.kind === kind &&
    entry.status < 400 && entry.status > 0);
  return first ? (first.end - from) / 1000 : Infinity;
}

// --- The checks ---------------------------------------------------------------

async function rollingRestart() {
  console.log("\n==> 1. Rolling restart: each instance in turn gets SIGTERM and comes back");
  const started = now();
  for (const name of ["a", "b"]) {
    const code = await stopInstance(name);
    if (code !== 0) failures.push(`instance ${name} exited ${code} on SIGTERM`);
    await startInstance(name);
  }
  const ended = now();
  const failed = failedBetween(started, ended);
  report("requests during the roll", countBetween(started, ended), true);
  report("failed requests during the roll", failed.length, failed.length === 0, "0");
  if (failed.length) console.log("      statuses:", failed.map((entry) => entry.status).join(" "));
}

async function ringTakeover(accounts) {
  console.log("\n==> 2. kill -9 of the instance that is sending a ring");
  await stopInstance("b");
  await sleep(1500);  // HAProxy notices; every call goes to a
  const token = "fcm-ha-check-" + Date.now();
  const device = await call("POST", `${lb}/v1/me/devices`, { platform: "android", push_token: token },
    accounts.resident);
  if (device.status !== 201) throw new Error(`device: ${device.status} ${JSON.stringify(device.json)}`);
  // The push provider holds the first ring for 20 s: a is mid-send when it dies.
  await call("POST", `${sandbox}/_sandbox/faults`,
    { method: "POST", path_prefix: "/v1/projects", delay_ms: 20000, times: 1 });
  const entries = await call("GET", `${lb}/v1/panel/directory?q=${encodeURIComponent(accounts.residentName)}`,
    undefined, accounts.panel);
  const entry = entries.json.data?.[0]?.entry_id;
  const ring = await call("POST", `${lb}/v1/panel/calls`, { entry_id: entry }, accounts.panel);
  if (ring.status !== 201) throw new Error(`call: ${ring.status} ${JSON.stringify(ring.json)}`);
  const callId = ring.json.call_id;
  for (let i = 0; i < 100; ++i) {
    const held = sql(primaryUrl, "SELECT count(*) FROM outbox WHERE urgent AND status = 'pending' " +
      `AND lease_until > now() AND payload->'data'->>'call_id' = '${callId}'`);
    if (held !== "0") break;
    await sleep(50);
  }
  await startInstance("b");
  const killed = now();
  await stopInstance("a", "SIGKILL");
  let delivered = Infinity;
  for (let i = 0; i < 200; ++i) {
    const pushes = await call("GET", `${sandbox}/_sandbox/messages?channel=push&to=${token}`);
    if ((pushes.json.data ?? []).some((push) => JSON.stringify(push).includes(callId))) {
      delivered = (now() - killed) / 1000;
      break;
    }
    await sleep(50);
  }
  report("ring delivered by the other instance after the kill (s)", delivered.toFixed(2),
    delivered <= 5, "<= 5");
  await call("DELETE", `${sandbox}/_sandbox/faults`);
  await startInstance("a");
}

async function failover() {
  console.log("\n==> 3. The primary dies; the synchronous standby is promoted (what Patroni does)");
  const acknowledgedBefore = load.acknowledged.size;
  asPostgres(`${pgBin}/pg_ctl`, ["-D", `${state}/primary/data`, "stop", "-m", "immediate"]);
  const killed = now();
  asPostgres(`${pgBin}/pg_ctl`, ["-D", `${state}/standby/data`, "promote", "-w"]);
  const promoted = now();
  for (let i = 0; i < 300; ++i) {
    if (backAfter("read", promoted) !== Infinity && backAfter("write", promoted) !== Infinity) break;
    await sleep(100);
  }
  await sleep(2000);
  const reads = backAfter("read", promoted), writes = backAfter("write", promoted);
  report("promotion took (s)", ((promoted - killed) / 1000).toFixed(2), true);
  report("reads answered again after the promotion (s)", reads.toFixed(2), reads <= 5, "<= 5");
  report("writes acknowledged again after the promotion (s)", writes.toFixed(2), writes <= 5, "<= 5");
  report("requests that failed during the failover", failedBetween(killed, promoted + writes * 1000).length, true);
  // Every write acknowledged before and after is in the promoted database.
  const labels = [...load.acknowledged];
  const found = Number(sql(standbyUrl, "SELECT count(*) FROM units WHERE label = ANY(ARRAY[" +
    labels.map((label) => `'${label}'`).join(",") + "]::text[])"));
  report("acknowledged writes (before the failover)", acknowledgedBefore, true);
  report("acknowledged writes lost", labels.length - found, labels.length === found, "0");
}

async function sharedLimits(accounts) {
  console.log("\n==> 4. Limits across both instances");
  const panel = await call("POST", `${lb}/v1/properties/${accounts.property}/panels`, { name: "HA check" },
    accounts.admin);
  const searches = await Promise.all(Array.from({ length: 200 }, () =>
    call("GET", `${lb}/v1/panel/directory?q=a`, undefined, panel.json.api_key)));
  const allowed = searches.filter((response) => response.status === 200).length;
  report("directory searches allowed of 200 (limit 120 a minute per panel)", allowed, allowed === 120, "120");
  const guesses = await Promise.all(Array.from({ length: 16 }, () =>
    call("POST", `${lb}/v1/auth/login`, { email: accounts.managerEmail, password: "not-it" })));
  const evaluated = guesses.filter((response) => response.status === 401).length;
  report("of 16 simultaneous wrong passwords, evaluated", evaluated, evaluated === 5, "5");
}

async function main() {
  await startInstance("a");
  await startInstance("b");
  console.log("==> Seeding the demo property through HAProxy");
  execFileSync(binary, ["create-admin", "--email", "admin@ha.test", "--password", "ha-check-operator"],
    { env: process.env, stdio: "pipe" });
  execFileSync("node", [seed, lb, primaryUrl, "admin@ha.test", "ha-check-operator", `${state}/demo.json`,
    sandbox, process.env.FRONTDOOR_BMX_PLACEHOLDER_EMAIL_DOMAIN], { stdio: "pipe" });
  const demo = JSON.parse(readFileSync(`${state}/demo.json`, "utf8"));
  const login = async (who) => (await call("POST", `${lb}/v1/auth/login`, who)).json.access_token;
  const resident = demo.residents[0];
  const accounts = {
    admin: await login(demo.admin),
    resident: await login({ email: resident.email, password: resident.password }),
    residentName: resident.email.split("@")[0],
    managerEmail: demo.manager.email,
    panel: demo.panel.key,
    property: demo.property_id,
  };
  startLoad(accounts);
  await sleep(2000);
  try {
    await rollingRestart();
    await ringTakeover(accounts);
    await failover();
  } finally {
    await stopLoad();
  }
  await sharedLimits(accounts);
  console.log(`\n    steady load: ${load.log.length} requests, ${load.acknowledged.size} writes acknowledged`);
  for (const name of ["a", "b"]) await stopInstance(name);
  if (failures.length) {
    console.log("\nFailed:\n  " + failures.join("\n  "));
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  for (const instance of Object.values(instances)) instance.process?.kill("SIGKILL");
  process.exit(1);
});
