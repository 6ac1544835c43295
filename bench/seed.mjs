// The API-made part of the benchmark's data: panels on twenty properties, fifty
// residents logged in, a property set up with bmx-sandbox whose ten residents
// link BMX and invite visitors, so that real issued passes exist.
// usage: node seed.mjs BASE_URL SANDBOX_URL ADMIN_EMAIL ADMIN_PASSWORD RESIDENT_PASSWORD OUT_DIR
import { writeFileSync } from "node:fs";

const [base, sandbox, adminEmail, adminPassword, residentPassword, out] = process.argv.slice(2);
const property = (p) => `00000000-0000-4000-8000-${String(p).padStart(12, "0")}`;

async function call(method, path, body, token, at = base) {
  const response = await fetch(at + path, {
    method, redirect: "manual",
    headers: { "content-type": "application/json",
               ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}
const login = async (email, password) =>
  (await call("POST", "/v1/auth/login", { email, password })).access_token;

const admin = await login(adminEmail, adminPassword);
const keys = [];
for (let p = 1; p <= 20; p++) {
  keys.push((await call("POST", `/v1/properties/${property(p)}/panels`, { name: "Bench door" }, admin)).api_key);
}
writeFileSync(`${out}/panels.txt`, keys.join("\n") + "\n");

const residents = [];
for (let u = 1; u <= 50; u++) residents.push(await login(`resident${u}@bench.test`, residentPassword));
writeFileSync(`${out}/residents.txt`, residents.join("\n") + "\n");

// Property 1 at BMX: residents 1..10 are its tenants; a placeholder for staff passes.
const tenants = Array.from({ length: 10 }, (_, i) => ({
  first_name: "Resident", last_name: String(i + 1), email: `resident${i + 1}@bench.test` }));
const building = await call("POST", "/_sandbox/buildings", {
  name: "Bench Court 1", admins: ["boss@bench.test"],
  units: [{ label: "1", tenants },
          { label: "frontdoor", tenants: [{ first_name: "Visitors", last_name: "Bench",
                                            email: "butterflymx+bench-1@frontdoor.example" }] }],
}, undefined, sandbox);
const { code } = await call("POST", "/_sandbox/oauth/codes", { email: "boss@bench.test" }, undefined, sandbox);
await call("PUT", `/v1/properties/${property(1)}/integrations/bmx`,
           { building_id: building.id, authorization_code: code }, admin);
const linked = [];
const now = new Date(Date.now() - 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const later = new Date(Date.now() + 8 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const pages = [];
for (let u = 1; u <= 10; u++) {
  const token = residents[u - 1];
  const status = await call("GET", "/v1/me/bmx", undefined, token);
  const form = new URL(status.authorize_url).searchParams;
  form.set("email", `resident${u}@bench.test`);
  const redirect = await fetch(`${sandbox}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
  const back = new URL(redirect.headers.get("location"));
  await call("POST", "/v1/me/bmx", { code: back.searchParams.get("code"), state: back.searchParams.get("state") }, token);
  linked.push(token);
  for (let i = 0; i < 5; i++) {
    const visitor = await call("POST", "/v1/me/visitors", {
      name: `Page Guest ${u}-${i}`, phone: `+155508${String(u * 10 + i).padStart(5, "0")}`,
      access: "property_only", starts_at: now, ends_at: later }, token);
    pages.push(visitor.pass.url.split("/p/")[1]);
  }
}
writeFileSync(`${out}/linked.txt`, linked.join("\n") + "\n");
writeFileSync(`${out}/passes.txt`, pages.join("\n") + "\n");
console.log(`    seeded through the API: ${keys.length} panels, ${residents.length} logins, ` +
            `${linked.length} BMX links, ${pages.length} passes`);
