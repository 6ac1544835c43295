#include "frontdoor/passes/routes.hpp"

#include "frontdoor/auth/async_guarded_routes.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/passes/page.hpp"
#include "frontdoor/passes/service.hpp"

namespace frontdoor::passes {
namespace {

nlohmann::json to_json(const Credential& credential) {
  return {{"visitor_id", credential.visitor_id},
          {"property_id", credential.property_id},
          {"property_name", credential.property_name},
          {"starts_at", common::to_rfc3339(credential.starts_at)},
          {"ends_at", common::to_rfc3339(credential.ends_at)},
          {"valid_now", credential.valid_now},
          {"type", "bmx_virtual_key"},
          {"qr_payload", credential.qr_payload},
          {"pin_code", credential.qr_payload}};
}

}  // namespace

void add_routes(auth::Routes& routes, PassesService& passes, PassPages& pages) {
  routes.add("GET", "/v1/me/credentials", {.caller = auth::Caller::person_token},
             [&](http::Request&, const auth::Principal& actor) {
               nlohmann::json data = nlohmann::json::array();
               for (const auto& credential : passes.credentials(actor)) {
                 data.push_back(to_json(credential));
               }
               return http::json_response(200, {{"data", data}});
             });
  // The pass page: the token in the path is the only credential. One statement,
  // read on the I/O thread.
  auth::add_async(routes, "GET", "/p/{token}", auth::Caller::anonymous,
                  [&](http::Request& request,
                      const auth::Principal&) -> boost::asio::awaitable<http::Response> {
                    co_return render_pass_page(co_await pages.view(
                        std::string(request.param("token")), request.remote_address));
                  });
  auth::add_async(routes, "GET", "/p/{token}/qr.svg", auth::Caller::anonymous,
                  [&](http::Request& request,
                      const auth::Principal&) -> boost::asio::awaitable<http::Response> {
                    auto svg = co_await pages.qr(std::string(request.param("token")),
                                                 request.remote_address);
                    if (!svg) co_return http::Response::text(404, "not found\n");
                    co_return http::Response::text(200, std::move(*svg), "image/svg+xml");
                  });
}

}  // namespace frontdoor::passes
