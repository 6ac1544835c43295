#include "frontdoor/app/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace frontdoor::app {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string write_file(const std::string& content) {
  std::string path = ::testing::TempDir() + "frontdoor-config-test.json";
  std::ofstream(path) << content;
  return path;
}

std::string error_of(const std::optional<std::string>& path,
                     std::map<std::string, std::string> env) {
  try {
    load_config(path, environment(std::move(env)));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(Config, DefaultsWithoutFileOrEnvironment) {
  auto config = load_config(std::nullopt, environment({}));
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_EQ(config.http.body_limit_bytes, 1 << 20);
  EXPECT_EQ(config.log.level, "info");
}

TEST(Config, EnvironmentOverridesTheFile) {
  auto path = write_file(R"({"listen": {"port": 9000}, "http": {"body_limit_bytes": 4096}})");
  auto config = load_config(
      path, environment({{"FRONTDOOR_PORT", "9100"}, {"DATABASE_URL", "postgresql://db/x"}}));
  EXPECT_EQ(config.listen.port, 9100);
  EXPECT_EQ(config.http.body_limit_bytes, 4096);
  EXPECT_EQ(config.database.url, "postgresql://db/x");
  // The specific name wins over the conventional alias.
  config = load_config(
      path, environment({{"FRONTDOOR_PORT", "9100"}, {"FRONTDOOR_LISTEN_PORT", "9200"}}));
  EXPECT_EQ(config.listen.port, 9200);
}

TEST(Config, ErrorsNameTheBadKey) {
  EXPECT_NE(error_of(write_file(R"({"http": {"body_limt_bytes": 5}})"), {})
                .find("unknown key 'http.body_limt_bytes'"),
            std::string::npos);
  EXPECT_NE(error_of(write_file(R"({"listen": {"port": "80"}})"), {}).find("'listen.port'"),
            std::string::npos);
  EXPECT_NE(error_of(write_file(R"({"listen": {"port": 70000}})"), {}).find("between 0 and 65535"),
            std::string::npos);
  EXPECT_NE(error_of(std::nullopt, {{"FRONTDOOR_HTTP_WORKER_THREADS", "4x"}})
                .find("FRONTDOOR_HTTP_WORKER_THREADS (http.worker_threads)"),
            std::string::npos);
  EXPECT_NE(error_of(std::nullopt, {{"FRONTDOOR_LOG_LEVEL", "loud"}}).find("log.level"),
            std::string::npos);
  EXPECT_NE(error_of(write_file("{not json"), {}).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(std::string("/nonexistent/frontdoor.json"), {}).find("cannot read"),
            std::string::npos);
}

TEST(Config, ReferenceDocumentsEveryKey) {
  const auto table = config_reference_markdown();
  for (const char* key : {"listen.port", "database.url", "http.body_limit_bytes",
                          "http.drain_timeout_ms", "log.level", "public_base_url"}) {
    EXPECT_NE(table.find(std::string("`") + key + "`"), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace frontdoor::app

namespace frontdoor::app {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream file(std::string(FRONTDOOR_SOURCE_DIR) + "/" + relative);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(ConfigDocs, ReadmeTableMatchesTheSchema) {
  const auto readme = read_source_file("README.md");
  const std::string begin = "<!-- config-table:begin -->\n";
  const auto start = readme.find(begin);
  const auto end = readme.find("<!-- config-table:end -->");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(readme.substr(start + begin.size(), end - start - begin.size()),
            config_reference_markdown())
      << "regenerate the README table with `frontdoor config-doc`";
}

TEST(ConfigDocs, ExampleFileIsValidAndSetsEveryKey) {
  const std::string path = std::string(FRONTDOOR_SOURCE_DIR) + "/config/frontdoor.example.json";
  EXPECT_NO_THROW(load_config(path, environment({})));
  const auto example = read_source_file("config/frontdoor.example.json");
  const auto table = config_reference_markdown();
  // Every key's last path element appears in the example.
  std::size_t position = 0;
  while ((position = table.find("| `", position)) != std::string::npos) {
    const auto close = table.find('`', position + 3);
    auto key = table.substr(position + 3, close - position - 3);
    key = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
    EXPECT_NE(example.find("\"" + key + "\""), std::string::npos) << key;
    position = table.find('\n', position);
  }
}

}  // namespace
}  // namespace frontdoor::app
