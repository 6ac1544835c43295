// Seeds the demo property through frontdoor's real API, as the apps would:
// the admin creates a property, units, a manager, residents and a panel; each
// invitation is activated with the token from its queued e-mail (delivery of
// e-mail comes with the notifications module, so the script reads the outbox).
//
// The same building, its units and tenants (with their contact preferences), a
// building admin and the site's placeholder tenant are seeded into bmx-sandbox,
// as they would exist at ButterflyMX. Then the operator sets the site up and
// every resident links their BMX account, through the same OAuth pages a person
// would use.
//
// usage: node seed-demo.mjs BASE_URL DATABASE_URL ADMIN_EMAIL ADMIN_PASSWORD OUT_FILE SANDBOX_URL
//                           PLACEHOLDER_DOMAIN
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const [baseUrl, databaseUrl, adminEmail, adminPassword, outFile, sandboxUrl, placeholderDomain] =
  process.argv.slice(2);
const password = "demo-passphrase-2026";
// What a person opens: in containers the services know each other by name, but
// people reach them on the host's ports.
const publicBaseUrl = process.env.DEMO_PUBLIC_BASE_URL || baseUrl;
const publicSandboxUrl = process.env.DEMO_PUBLIC_SANDBOX_URL || sandboxUrl;

async function call(method, path, body, token, base = baseUrl) {
  const response = await fetch(base + path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

function inviteToken(email) {
  const text = execFileSync("psql", [databaseUrl, "-Atc",
    "SELECT payload->>'text' FROM outbox WHERE payload->>'to' = $$" + email +
    "$$ ORDER BY created_at DESC LIMIT 1"]).toString();
  const match = text.match(/token=([0-9a-f]{64})/);
  if (!match) throw new Error(`no invitation e-mail for ${email}`);
  return match[1];
}

async function activate(email) {
  await call("POST", "/v1/auth/activate", { token: inviteToken(email), password });
  return { email, password };
}

const admin = await call("POST", "/v1/auth/login", { email: adminEmail, password: adminPassword });
const token = admin.access_token;
const siteName = "maple-court";
const property = await call("POST", "/v1/properties",
  { name: "Maple Court", site_name: siteName, time_zone: "America/New_York" }, token);
const p = `/v1/properties/${property.id}`;
console.log(`    property  Maple Court (${property.id})`);

await call("POST", `${p}/staff`,
  { email: "manager@demo.frontdoor.test", display_name: "Morgan Manager", role: "manager" }, token);
const manager = await activate("manager@demo.frontdoor.test");
console.log(`    manager   ${manager.email}`);

const people = [
  { first_name: "Ana", last_name: "García", unit: "101", contact_preference: "mobile_app" },
  { first_name: "Ben", last_name: "Okafor", unit: "102", contact_preference: "mobile_app" },
  { first_name: "Chloé", last_name: "Martin", unit: "201", contact_preference: "phone_call" },
];
const residents = [];
for (const [index, person] of people.entries()) {
  const unit = await call("POST", `${p}/units`, { label: person.unit }, token);
  const email = `${person.first_name.toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}@demo.frontdoor.test`;
  await call("POST", `${p}/residents`, {
    unit_id: unit.id, first_name: person.first_name, last_name: person.last_name, email,
    phone: `+1555010000${index}`,
  }, token);
  const account = await activate(email);
  residents.push({ ...account, unit_label: person.unit, bmx_email: email,
                   contact_preference: person.contact_preference });
  console.log(`    resident  ${email} (unit ${person.unit})`);
}

const bmxAdmin = "bmx-admin@demo.frontdoor.test";
const building = await call("POST", "/_sandbox/buildings", {
  name: "Maple Court",
  time_zone: "America/New_York",
  admins: [bmxAdmin],
  units: [
    ...residents.map((resident, index) => ({
      label: resident.unit_label,
      tenants: [{ first_name: people[index].first_name, last_name: people[index].last_name,
                  email: resident.bmx_email, contact_preference: resident.contact_preference }],
    })),
    // The placeholder every site needs for staff-issued visitor passes.
    { label: "frontdoor", tenants: [{ first_name: "Visitors", last_name: "Maple Court",
                                     email: `butterflymx+${siteName}@${placeholderDomain}` }] },
  ],
}, undefined, sandboxUrl);
console.log(`    BMX       building ${building.id} in bmx-sandbox with ${residents.length} tenants`);

// The operator signs in to BMX as the building admin and sets the site up.
const { code: adminCode } = await call("POST", "/_sandbox/oauth/codes", { email: bmxAdmin },
  undefined, sandboxUrl);
const integration = await call("PUT", `${p}/integrations/bmx`,
  { building_id: building.id, authorization_code: adminCode }, token);
console.log(`    BMX       site set up (placeholder tenant ${integration.placeholder_tenant_id})`);

// Each resident opens the authorize URL frontdoor gives them and signs in at BMX.
for (const resident of residents) {
  const login = await call("POST", "/v1/auth/login",
    { email: resident.email, password: resident.password });
  const status = await call("GET", "/v1/me/bmx", undefined, login.access_token);
  const form = new URL(status.authorize_url).searchParams;
  form.set("email", resident.bmx_email);
  const redirect = await fetch(`${sandboxUrl}/oauth/authorize`, {
    method: "POST", body: form, redirect: "manual",
  });
  const back = new URL(redirect.headers.get("location"));
  const link = await call("POST", "/v1/me/bmx",
    { code: back.searchParams.get("code"), state: back.searchParams.get("state") },
    login.access_token);
  console.log(`    linked    ${resident.email} → BMX tenant ${link.tenant_id}` +
              ` (${link.contact_preference}${link.video_calls_ready ? "" : ", no video"})`);
}

// An integrator's webhook to the sandbox's sink, which checks each signature:
// every event from here on (Ana's guest first) is listed at webhookSink.
const webhookSink = `${sandboxUrl}/_sandbox/webhook-sink/demo`;
const webhook = await call("POST", `${p}/webhooks`,
  { url: webhookSink, events: ["*"], description: "Demo receiver in bmx-sandbox" }, token);
await call("PUT", "/_sandbox/webhook-sink/demo", { secrets: [webhook.secret] }, undefined,
  sandboxUrl);
console.log(`    webhook   all events → ${webhookSink}`);

// Ana invites a guest for the next four hours: the pass page is in demo.json and
// the SMS that carries it is in the sandbox's inbox.
const ana = await call("POST", "/v1/auth/login",
  { email: residents[0].email, password: residents[0].password });
const in4h = new Date(Date.now() + 4 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const guest = await call("POST", "/v1/me/visitors", {
  name: "Grace Guest", phone: "+15550109999", access: "property_only", starts_at: now, ends_at: in4h,
}, ana.access_token);
console.log(`    visitor   Grace Guest (pass ${guest.pass.url})`);

const device = building.devices[0];
const panel = await call("POST", `${p}/panels`,
  { name: "Front entrance", bmx_device_id: String(device.id) }, token);
// The sandbox's panel page calls frontdoor's panel API with this key.
await call("PUT", `/_sandbox/panels/${device.id}/link`,
  { frontdoor_url: baseUrl, panel_key: panel.api_key }, undefined, sandboxUrl);
const panelPage = `${publicSandboxUrl}/_sandbox/panel/${device.id}`;
console.log(`    panel     ${panel.name} (${panel.id}), page ${panelPage}`);

writeFileSync(outFile, JSON.stringify({
  base_url: publicBaseUrl,
  sandbox_url: publicSandboxUrl,
  bmx_building_id: building.id,
  bmx_admin: { email: bmxAdmin },
  admin: { email: adminEmail, password: adminPassword },
  manager,
  property_id: property.id,
  site_name: siteName,
  panel: { id: panel.id, key: panel.api_key, bmx_device_id: panel.bmx_device_id },
  residents,
  visitor_pass_url: guest.pass.url,
  panel_page_url: panelPage,
  webhook: { id: webhook.id, secret: webhook.secret, sink_url: webhookSink },
}, null, 2) + "\n");
