#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace frontdoor::common::log {

enum class Level { debug, info, warn, error };

// One JSON object per line on stderr: {"ts","level","msg",...fields}.
void init(std::string_view level_name);
bool enabled(Level level);
void write(Level level, std::string_view message, const nlohmann::json& fields);

void info(std::string_view message);
void info(std::string_view message, const nlohmann::json& fields);
void warn(std::string_view message, const nlohmann::json& fields);
void error(std::string_view message, const nlohmann::json& fields);

}  // namespace frontdoor::common::log
