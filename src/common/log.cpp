#include "frontdoor/common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace frontdoor::common::log {
namespace {

spdlog::logger& logger() {
  // stderr, unbuffered lines; the timestamp and level are part of the JSON object.
  static auto instance = [] {
    auto created = spdlog::stderr_logger_mt("frontdoor");
    created->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                         spdlog::pattern_time_type::utc);
    return created;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void init(std::string_view level_name) {
  logger().set_level(spdlog::level::from_str(std::string(level_name)));
}

bool enabled(Level level) { return logger().should_log(to_spdlog(level)); }

void write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
  line["msg"] = message;
  // Replace invalid UTF-8 rather than throw: log lines may carry client input.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Strip the braces; the pattern supplies them around ts and level.
  logger().log(to_spdlog(level), "{}", std::string_view(text).substr(1, text.size() - 2));
}

void info(std::string_view message) { write(Level::info, message, nlohmann::json::object()); }
void info(std::string_view message, const nlohmann::json& fields) {
  write(Level::info, message, fields);
}
void warn(std::string_view message, const nlohmann::json& fields) {
  write(Level::warn, message, fields);
}
void error(std::string_view message, const nlohmann::json& fields) {
  write(Level::error, message, fields);
}

}  // namespace frontdoor::common::log
