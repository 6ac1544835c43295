#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/error.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::http {
class JsonWriter;
}

namespace frontdoor::visitors {

// A visitor as the apps read it (docs/api.md, "Visitors and passes"). The list
// route writes it straight into the answer; the others take it as a JSON value.
void write_json(http::JsonWriter& out, const Visitor& visitor);
nlohmann::json to_json(const Visitor& visitor);

// A weekly schedule as the API and the visitors table hold it:
// {"days":["mon","thu"],"ends_on":"2027-06-01","from":"09:00","starts_on":"2027-03-01","to":"12:00"}.
std::string schedule_json(const Schedule& schedule);
// The schedule in that form; every problem is added to `problems` as a field
// error named "schedule.<field>", and nothing is returned when there was one.
std::optional<Schedule> schedule_from_json(const nlohmann::json& value,
                                           std::vector<common::FieldError>& problems);

}  // namespace frontdoor::visitors
