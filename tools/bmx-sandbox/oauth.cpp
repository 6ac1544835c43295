// OAuth 2.0 on the sandbox, as NOTES.md describes BMX's accounts host: the
// authorization-code flow with a small login page, and the token endpoint.
#include <boost/url/url.hpp>

#include "frontdoor/common/html.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

Response oauth_error(int status, const std::string& error, const std::string& description) {
  return json_response(status, {{"error", error}, {"error_description", description}});
}

Response login_page(const std::map<std::string, std::string>& query, const std::string& problem) {
  std::string hidden;
  for (const char* name : {"client_id", "redirect_uri", "response_type", "state"}) {
    auto found = query.find(name);
    const std::string value = found == query.end() ? "" : found->second;
    hidden += R"(<input type="hidden" name=")" + std::string(name) + R"(" value=")" +
              frontdoor::common::html_escape(value) + R"(">)";
  }
  std::string html = R"(<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ButterflyMX sign in (sandbox)</title></head><body>
<h1>Sign in to ButterflyMX</h1><p>bmx-sandbox: any password is accepted for a known user.</p>)";
  if (!problem.empty()) {
    html += R"(<p role="alert">)" + frontdoor::common::html_escape(problem) + "</p>";
  }
  html += R"(<form method="post" action="/oauth/authorize">)" + hidden;
  html += R"(<label>E-mail <input name="email" type="email" required></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>)";
  return Response::text(problem.empty() ? 200 : 422, html, "text/html; charset=utf-8");
}

}  // namespace

void Sandbox::add_oauth_routes(frontdoor::http::Router& router) {
  router.add("GET", "/oauth/authorize", bmx_route([this](Request& request) {
               std::map<std::string, std::string> query(request.query.begin(), request.query.end());
               if (query["client_id"] != options_.client_id || query["response_type"] != "code" ||
                   query["redirect_uri"].empty()) {
                 return oauth_error(400, "invalid_request",
                                    "client_id, response_type=code and redirect_uri are required.");
               }
               return login_page(query, "");
             }));

  router.add("POST", "/oauth/authorize", bmx_route([this](Request& request) {
               auto form = wire::form_of(request.body);
               if (form["client_id"] != options_.client_id || form["redirect_uri"].empty()) {
                 return oauth_error(400, "invalid_request", "Unknown client or no redirect_uri.");
               }
               const auto email = wire::lower(form["email"]);
               std::lock_guard lock(mutex_);
               bool known = false;
               for (const auto& [id, tenant] : tenants_) known = known || tenant.email == email;
               for (const auto& [id, building] : buildings_) {
                 known = known || building.admins.count(email) > 0;
               }
               if (!known) return login_page(form, "No ButterflyMX account has that e-mail.");
               const auto code = frontdoor::common::random_hex(16);
               codes_[code] = email;
               boost::urls::url target(form["redirect_uri"]);
               target.params().set("code", code);
               if (!form["state"].empty()) target.params().set("state", form["state"]);
               Response response = Response::text(302, "");
               response.set_header("Location", std::string(target.buffer()));
               return response;
             }));

  router.add("POST", "/oauth/token", bmx_route([this](Request& request) {
               auto form = wire::form_of(request.body);
               std::lock_guard lock(mutex_);
               if (form["client_id"] != options_.client_id ||
                   form["client_secret"] != options_.client_secret) {
                 return oauth_error(401, "invalid_client", "Client authentication failed.");
               }
               if (form["grant_type"] == "authorization_code") {
                 auto code = codes_.find(form["code"]);
                 if (code == codes_.end()) {
                   return oauth_error(400, "invalid_grant",
                                      "The authorization code is invalid or used.");
                 }
                 const auto email = code->second;
                 codes_.erase(code);  // single use
                 return json_response(200, issue_token(email));
               }
               if (form["grant_type"] == "refresh_token") {
                 auto refresh = refresh_tokens_.find(form["refresh_token"]);
                 // A 401 on refresh means the link is gone (NOTES.md).
                 if (refresh == refresh_tokens_.end()) {
                   return oauth_error(401, "invalid_grant", "The refresh token is invalid.");
                 }
                 const auto email = refresh->second;
                 refresh_tokens_.erase(refresh);  // every refresh rotates it
                 return json_response(200, issue_token(email));
               }
               return oauth_error(400, "unsupported_grant_type",
                                  "Use authorization_code or refresh_token.");
             }));
}

}  // namespace bmx_sandbox
