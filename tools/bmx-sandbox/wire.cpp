#include "wire.hpp"

#include <algorithm>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>

#include "frontdoor/common/time.hpp"
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

nlohmann::json field_error(const std::string& field, const std::string& code,
                           const std::string& message) {
  return {{"field", field}, {"code", code}, {"message", message}};
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

namespace {

// "name_start" -> {"name", "start"}; "release_status" -> {"release_status", "eq"}.
std::pair<std::string, std::string> split_predicate(const std::string& condition) {
  for (const std::string predicate : {"_start", "_gteq", "_lteq", "_eq", "_in"}) {
    if (condition.size() > predicate.size() &&
        condition.compare(condition.size() - predicate.size(), predicate.size(), predicate) == 0) {
      return {condition.substr(0, condition.size() - predicate.size()), predicate.substr(1)};
    }
  }
  return {condition, "eq"};
}

std::vector<std::string> alternatives(const std::string& attribute) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    const auto at = attribute.find("_or_", start);
    names.push_back(
        attribute.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 4;
  }
  return names;
}

// Times compare as times, numbers as numbers, anything else as text.
int compare_values(const std::string& a, const std::string& b) {
  const auto ta = frontdoor::common::parse_rfc3339(a);
  const auto tb = frontdoor::common::parse_rfc3339(b);
  if (ta && tb) return *ta < *tb ? -1 : (*tb < *ta ? 1 : 0);
  try {
    std::size_t used_a = 0, used_b = 0;
    const auto na = std::stod(a, &used_a);
    const auto nb = std::stod(b, &used_b);
    if (used_a == a.size() && used_b == b.size()) return na < nb ? -1 : (nb < na ? 1 : 0);
  } catch (const std::exception&) {
  }
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

bool value_passes(const std::string& value, const std::string& predicate,
                  const std::vector<std::string>& wanted) {
  for (const auto& want : wanted) {
    if (predicate == "eq" || predicate == "in") {
      if (equals_ci(value, want)) return true;
    } else if (predicate == "start") {
      if (starts_with_ci(value, want)) return true;
    } else if (predicate == "gteq") {
      if (compare_values(value, want) >= 0) return true;
    } else if (predicate == "lteq") {
      if (compare_values(value, want) <= 0) return true;
    }
  }
  return false;
}

}  // namespace

bool passes_filters(const Request& request, const FilterValues& values) {
  // Every value given for each condition: q[x_in][] comes once per value.
  std::map<std::string, std::vector<std::string>> conditions;
  for (const auto& [key, value] : request.query) {
    if (key.rfind("q[", 0) != 0) continue;
    auto inside = key.substr(2);
    if (inside.size() >= 3 && inside.compare(inside.size() - 3, 3, "][]") == 0) {
      inside.resize(inside.size() - 3);
    } else if (!inside.empty() && inside.back() == ']') {
      inside.pop_back();
    } else {
      continue;
    }
    conditions[inside].push_back(value);
  }
  for (const auto& [condition, wanted] : conditions) {
    const auto [attribute, predicate] = split_predicate(condition);
    bool published = false, passes = false;
    for (const auto& name : alternatives(attribute)) {
      const auto found = values.find(name);
      if (found == values.end()) continue;
      published = true;
      for (const auto& value : found->second)
        passes = passes || value_passes(value, predicate, wanted);
    }
    if (published && !passes) return false;
  }
  return true;
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
