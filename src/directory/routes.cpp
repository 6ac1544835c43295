#include "frontdoor/directory/routes.hpp"

#include "frontdoor/auth/async_guarded_routes.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/directory/service.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/json_writer.hpp"

namespace frontdoor::directory {

void add_routes(auth::Routes& routes, DirectoryService& directory) {
  auth::add_async(routes, "GET", "/v1/panel/directory", auth::Caller::panel,
                  [&](http::Request& request,
                      const auth::Principal& panel) -> boost::asio::awaitable<http::Response> {
                    const auto q = request.query_param("q");
                    if (!q || q->empty() || q->size() > 64 || !common::is_search_text(*q)) {
                      throw common::ApiError::validation(
                          {{"q", "length", "Give 1 to 64 characters of a resident's name."}});
                    }
                    const auto entries = co_await directory.search(panel, std::string(*q));
                    http::JsonWriter out(128 * entries.size() + 16);
                    out.begin_object().key("data").begin_array();
                    for (const auto& entry : entries) {
                      out.begin_object()
                          .field("display_name", entry.display_name)
                          .field("entry_id", entry.entry_id)
                          .field("unit_label", entry.unit_label)
                          .end_object();
                    }
                    co_return http::json_response(200, out.end_array().end_object().take());
                  });
}

}  // namespace frontdoor::directory
