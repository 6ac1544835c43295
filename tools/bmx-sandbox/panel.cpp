// A page that behaves like the ButterflyMX panel at the door, for people to
// click in the demo: it searches frontdoor's directory, calls, and shows the
// panel message as the call changes state. The browser talks only to the
// sandbox; the sandbox holds the panel key and forwards to frontdoor's panel API.
#include "frontdoor/http/client.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

constexpr const char* kPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Panel</title>
<style>
body{margin:0;font:18px/1.4 system-ui,sans-serif;background:#101418;color:#f2f4f6}
main{max-width:26rem;margin:0 auto;padding:1rem}
h1{font-size:1.2rem;color:#9fb3c8}
input{width:100%;box-sizing:border-box;font-size:1.2rem;padding:.6rem;border-radius:8px;border:0}
ul{list-style:none;padding:0}li{display:flex;justify-content:space-between;align-items:center;
padding:.6rem 0;border-bottom:1px solid #2a323a}button{font-size:1rem;padding:.5rem 1rem;
border-radius:8px;border:0;background:#2f80ed;color:#fff}
#message{font-size:1.4rem;margin:1rem 0;min-height:2rem}#cancel{background:#c0392b;display:none}
</style></head><body><main>
<h1>Welcome. Find who you are visiting.</h1>
<input id="q" placeholder="Name" autocomplete="off" aria-label="Search the directory">
<ul id="entries"></ul>
<div id="message" role="status"></div><button id="cancel">Cancel call</button>
<h1>Have a pass?</h1>
<input id="code" placeholder="PIN or QR code" autocomplete="off" aria-label="Pass code">
<div id="scan" role="status"></div>
</main><script>
const base = location.pathname.replace(/\/$/, "");
const device = base.split("/").pop();
let call = null, timer = null;
const say = (text) => document.getElementById("message").textContent = text;
async function api(method, path, body) {
  const response = await fetch(base + path, {method, headers: {"content-type": "application/json"},
    body: body ? JSON.stringify(body) : undefined});
  return {status: response.status, body: await response.json().catch(() => ({}))};
}
document.getElementById("q").addEventListener("input", async (event) => {
  const q = event.target.value.trim();
  const list = document.getElementById("entries");
  list.innerHTML = "";
  if (!q) return;
  const result = await api("GET", "/directory?q=" + encodeURIComponent(q));
  for (const entry of result.body.data || []) {
    const item = document.createElement("li");
    item.textContent = entry.display_name + " (" + entry.unit_label + ") ";
    const button = document.createElement("button");
    button.textContent = "Call";
    button.onclick = () => ring(entry.entry_id);
    item.appendChild(button);
    list.appendChild(item);
  }
});
async function ring(entry) {
  const result = await api("POST", "/calls", {entry_id: entry});
  if (result.status !== 201) return say(result.body.detail || "The call did not go through.");
  call = result.body.call_id;
  say(result.body.panel_message);
  document.getElementById("cancel").style.display = "inline-block";
  clearInterval(timer);
  timer = setInterval(watch, 1000);
}
async function watch() {
  const result = await api("GET", "/calls/" + call);
  say(result.body.panel_message || "");
  if (!["ringing", "accepted"].includes(result.body.state)) {
    clearInterval(timer);
    document.getElementById("cancel").style.display = "none";
  }
}
document.getElementById("cancel").onclick = async () => {
  if (call) await api("POST", "/calls/" + call + "/cancel");
  watch();
};
document.getElementById("code").addEventListener("change", async (event) => {
  const result = await fetch("/_sandbox/panels/" + device + "/scans", {method: "POST",
    headers: {"content-type": "application/json"}, body: JSON.stringify({code: event.target.value})});
  const body = await result.json();
  document.getElementById("scan").textContent = body.granted ? "Door opened" : "Not valid (" + body.reason + ")";
});
</script></body></html>)HTML";

}  // namespace

// Forwards one panel API call to frontdoor with the device's panel key.
Response Sandbox::forward_to_frontdoor(const Request& request, const std::string& method,
                                       const std::string& path) {
  std::string frontdoor_url, key;
  {
    std::lock_guard lock(mutex_);
    auto device = wire::id_param(request, "device_id");
    auto link = device ? panel_links_.find(*device) : panel_links_.end();
    if (link == panel_links_.end()) {
      return wire::error(404, "device_id", "not_linked",
                         "Link this panel first: PUT /_sandbox/panels/{device_id}/link");
    }
    frontdoor_url = link->second.frontdoor_url;
    key = link->second.panel_key;
  }
  frontdoor::http::OutboundRequest outbound;
  outbound.method = method;
  outbound.url = frontdoor_url + path;
  outbound.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  outbound.body = request.body;
  outbound.total_timeout = std::chrono::seconds(10);
  const auto answer = frontdoor::http::send(outbound);
  if (answer.failure != frontdoor::http::OutboundResponse::Failure::none) {
    return wire::error(502, "base", "frontdoor_unreachable", answer.error);
  }
  return Response::text(answer.status, answer.body, "application/json");
}

void Sandbox::add_panel_routes(frontdoor::http::Router& router) {
  // {frontdoor_url, panel_key}: which frontdoor this panel talks to, with which key.
  router.add("PUT", "/_sandbox/panels/{device_id}/link", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    frontdoor::http::JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
    auto url = fields.string("frontdoor_url", true, 1, 500);
    auto key = fields.string("panel_key", true, 4, 200);
    fields.finish();
    std::lock_guard lock(mutex_);
    auto device = wire::id_param(request, "device_id");
    if (!device || !devices_.count(*device)) return wire::not_found();
    panel_links_[*device] = {*url, *key};
    return Response::no_content();
  });
  router.add("GET", "/_sandbox/panel/{device_id}", [this](Request& request) {
    std::lock_guard lock(mutex_);
    auto device = wire::id_param(request, "device_id");
    if (!device || !devices_.count(*device)) return Response::text(404, "No such panel.\n");
    auto page = Response::text(200, kPage, "text/html; charset=utf-8");
    page.set_header("Cache-Control", "no-store");
    return page;
  });
  router.add("GET", "/_sandbox/panel/{device_id}/directory", [this](Request& request) {
    const auto query = request.target.find('?');
    return forward_to_frontdoor(
        request, "GET",
        "/v1/panel/directory" + (query == std::string::npos ? "" : request.target.substr(query)));
  });
  router.add("POST", "/_sandbox/panel/{device_id}/calls", [this](Request& request) {
    return forward_to_frontdoor(request, "POST", "/v1/panel/calls");
  });
  router.add("GET", "/_sandbox/panel/{device_id}/calls/{call_id}", [this](Request& request) {
    return forward_to_frontdoor(request, "GET",
                                "/v1/panel/calls/" + std::string(request.param("call_id")));
  });
  router.add("POST", "/_sandbox/panel/{device_id}/calls/{call_id}/cancel",
             [this](Request& request) {
               return forward_to_frontdoor(
                   request, "POST",
                   "/v1/panel/calls/" + std::string(request.param("call_id")) + "/cancel");
             });
}

}  // namespace bmx_sandbox
