#pragma once

// BMX's wire conventions, shared by the sandbox's route files: the error
// envelope, page_info, Ransack-style filters and ids.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/http/message.hpp"

namespace bmx_sandbox::wire {

std::string lower(std::string text);
bool starts_with_ci(const std::string& text, const std::string& prefix);
bool equals_ci(const std::string& text, const std::string& other);

// One of BMX's field errors: {field, code, message}.
nlohmann::json field_error(const std::string& field, const std::string& code,
                           const std::string& message);
// {"errors": [{field, code, message}]}
frontdoor::http::Response error(int status, const std::string& field, const std::string& code,
                                const std::string& message);
frontdoor::http::Response errors(int status, const nlohmann::json& list);
// Exactly the documented 401 example, which says "messages".
frontdoor::http::Response unauthorized();
frontdoor::http::Response not_found();
frontdoor::http::Response created(const nlohmann::json& data);
frontdoor::http::Response ok(const nlohmann::json& data);

std::optional<std::int64_t> integer_param(const frontdoor::http::Request& request,
                                          std::string_view name);
std::optional<std::string> text_param(const frontdoor::http::Request& request,
                                      std::string_view name);
// A numeric path parameter; nullopt (so: 404) when it is not a number.
std::optional<std::int64_t> id_param(const frontdoor::http::Request& request,
                                     std::string_view name);
// What a list item offers BMX's published q[...] filters: its values by attribute
// ("name", "tenant_id", "starts_at"); a list attribute may hold several.
using FilterValues = std::map<std::string, std::vector<std::string>>;
// Whether the item passes every q[...] filter of the request, as Ransack reads
// them: q[attr_eq] and a bare q[attr] (case-insensitive), q[attr_start] (a
// case-insensitive prefix), q[attr_in][] (one of several values), q[attr_gteq] and
// q[attr_lteq] (times or numbers), and "a_or_b" matching either attribute.
// Attributes the list does not publish are ignored, as Ransack ignores them.
bool passes_filters(const frontdoor::http::Request& request, const FilterValues& values);

// One page of `items` with BMX's page_info, from ?page= and ?per= (max 100).
nlohmann::json page_of(const std::vector<nlohmann::json>& items,
                       const frontdoor::http::Request& request);
// An application/x-www-form-urlencoded body, decoded ('+' is a space).
std::map<std::string, std::string> form_of(std::string_view body);
// The body as JSON, or nullopt when it is empty or not JSON (BMX rejects empty bodies).
std::optional<nlohmann::json> json_body(const frontdoor::http::Request& request);

}  // namespace bmx_sandbox::wire
