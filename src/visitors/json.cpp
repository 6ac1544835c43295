#include "frontdoor/visitors/json.hpp"

#include "frontdoor/http/json_writer.hpp"

namespace frontdoor::visitors {

// Keys in ascending order (the writer's rule, so that this text is what
// nlohmann would have written for the same object).
void write_json(http::JsonWriter& out, const Visitor& visitor) {
  out.begin_object()
      .field("access", visitor.access)
      .field("arrived_at", visitor.arrived_at)
      .field("created_at", visitor.created_at)
      .field("email", visitor.email)
      .field("ends_at", visitor.ends_at)
      .field("id", visitor.id)
      .field("name", visitor.name)
      .key("pass")
      .begin_object();
  if (visitor.pass.failure_code) {
    out.field("failure_code", visitor.pass.failure_code)
        .field("failure_reason", visitor.pass.failure_reason);
  }
  out.field("status", visitor.pass.status);
  if (visitor.pass.url) out.field("url", visitor.pass.url);
  out.end_object()
      .field("phone", visitor.phone)
      .field("property_id", visitor.property_id)
      .field("starts_at", visitor.starts_at)
      .field("status", visitor.status)
      .end_object();
}

nlohmann::json to_json(const Visitor& visitor) {
  http::JsonWriter out;
  write_json(out, visitor);
  return nlohmann::json::parse(out.text());
}

}  // namespace frontdoor::visitors
