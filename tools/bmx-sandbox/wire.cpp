#include "wire.hpp"

#include <algorithm>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>

#include "frontdoor/http/json.hpp"

namespace bmx_sandbox::wire {
namespace {

constexpr std::int64_t kDefaultPageSize = 50;
constexpr std::int64_t kMaxPageSize = 100;

}  // namespace

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool starts_with_ci(const std::string& text, const std::string& prefix) {
  return lower(text).rfind(lower(prefix), 0) == 0;
}

bool equals_ci(const std::string& text, const std::string& other) {
  return lower(text) == lower(other);
}

Response error(int status, const std::string& field, const std::string& code,
               const std::string& message) {
  return errors(status, {{{"field", field}, {"code", code}, {"message", message}}});
}

Response errors(int status, const nlohmann::json& list) {
  return json_response(status, {{"errors", list}});
}

Response unauthorized() {
  return json_response(
      401,
      {{"errors", {{{"field", "base"}, {"code", "unauthorized"}, {"messages", "Unauthorized"}}}}});
}

Response not_found() { return error(404, "base", "not_found", "Resource not found"); }

Response created(const nlohmann::json& data) { return json_response(201, {{"data", data}}); }

Response ok(const nlohmann::json& data) { return json_response(200, {{"data", data}}); }

std::optional<std::string> text_param(const Request& request, std::string_view name) {
  auto value = request.query_param(name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::optional<std::int64_t> integer_param(const Request& request, std::string_view name) {
  auto text = request.query_param(name);
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  if (!std::all_of(text->begin(), text->end(),
                   [](unsigned char c) { return std::isdigit(c) || c == '-'; })) {
    return std::nullopt;
  }
  try {
    return std::stoll(std::string(*text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::int64_t> id_param(const Request& request, std::string_view name) {
  const auto text = request.param(name);
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

nlohmann::json page_of(const std::vector<nlohmann::json>& items, const Request& request) {
  const auto page = std::max<std::int64_t>(1, integer_param(request, "page").value_or(1));
  const auto per = std::clamp<std::int64_t>(
      integer_param(request, "per").value_or(kDefaultPageSize), 1, kMaxPageSize);
  const auto total = static_cast<std::int64_t>(items.size());
  const auto total_pages = std::max<std::int64_t>(1, (total + per - 1) / per);
  nlohmann::json data = nlohmann::json::array();
  for (auto i = (page - 1) * per; i < std::min(total, page * per); ++i) {
    data.push_back(items[static_cast<std::size_t>(i)]);
  }
  const auto count = static_cast<std::int64_t>(data.size());
  return {{"data", data},
          {"page_info",
           {{"current_page", page},
            {"total_pages", total_pages},
            {"total_item_count", total},
            {"page_item_count", count},
            {"page_size", per},
            {"next_page", page < total_pages ? nlohmann::json(page + 1) : nullptr},
            {"prev_page", page > 1 ? nlohmann::json(page - 1) : nullptr},
            {"first_page", page == 1},
            {"last_page", page >= total_pages}}}};
}

std::map<std::string, std::string> form_of(std::string_view body) {
  std::map<std::string, std::string> form;
  auto parsed = boost::urls::parse_query(body);
  if (!parsed) return form;
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  for (auto param : *parsed) {
    form[param.key.decode(options)] = param.has_value ? param.value.decode(options) : "";
  }
  return form;
}

std::optional<nlohmann::json> json_body(const Request& request) {
  if (request.body.empty()) return std::nullopt;
  try {
    auto body = frontdoor::http::parse_json_body(request);
    if (!body.is_object() || body.empty()) return std::nullopt;
    return body;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace bmx_sandbox::wire
