#pragma once

#include <nlohmann/json.hpp>

#include "frontdoor/visitors/types.hpp"

namespace frontdoor::http {
class JsonWriter;
}

namespace frontdoor::visitors {

// A visitor as the apps read it (CONTRACT.md, "Visitors and passes"). The list
// route writes it straight into the answer; the others take it as a JSON value.
void write_json(http::JsonWriter& out, const Visitor& visitor);
nlohmann::json to_json(const Visitor& visitor);

}  // namespace frontdoor::visitors
