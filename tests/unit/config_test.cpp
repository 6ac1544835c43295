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

std::string serving_error(const Config& config) {
  try {
    validate_for_serving(config);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

Config with_keys(const std::string& signing_key, const std::string& token_key) {
  Config config;
  config.auth.signing_key = signing_key;
  config.bmx.token_key = token_key;
  return config;
}

constexpr const char* kRandomSigningKey = "9f2c4e71b08d5a36e1c7f0942b6d8a5e3c1f7b90d24e6a8c";
constexpr const char* kRandomTokenKey =
    "3b9e2f71c64d08a5e1f7c2b96d4a0e83f5c1b7d92e6a4f08c3d5b1e7a9f2c604";

// Issue 29: the example file's signing key passed the length check, so an
// operator who shipped it signed tokens with a string anyone can read.
TEST(ConfigSecrets, ThePublishedExampleKeysAreRefusedByName) {
  const std::string path = std::string(FRONTDOOR_SOURCE_DIR) + "/config/frontdoor.example.json";
  auto example = load_config(path, environment({}));
  example.bmx.token_key = kRandomTokenKey;
  EXPECT_NE(serving_error(example).find("auth.signing_key"), std::string::npos)
      << serving_error(example);
  EXPECT_NE(serving_error(example).find("placeholder"), std::string::npos);

  EXPECT_EQ(serving_error(with_keys(kRandomSigningKey, kRandomTokenKey)), "no error");
  for (const std::string& weak :
       {std::string(40, 'a'), std::string("abcdabcdabcdabcdabcdabcdabcdabcdabcd"),
        std::string("0123456789012345678901234567890123456789")}) {
    EXPECT_NE(serving_error(with_keys(weak, kRandomTokenKey)).find("auth.signing_key"),
              std::string::npos)
        << weak;
  }
  EXPECT_NE(serving_error(with_keys(kRandomSigningKey, std::string(64, '0'))).find("bmx.token_key"),
            std::string::npos);
  auto rotating = with_keys(kRandomSigningKey, kRandomTokenKey);
  rotating.auth.previous_signing_key_id = "k0";
  rotating.auth.previous_signing_key = "replace-with-the-output-of-openssl-rand-hex-32";
  EXPECT_NE(serving_error(rotating).find("auth.previous_signing_key"), std::string::npos);
  auto shipped = with_keys(kRandomSigningKey, kRandomTokenKey);
  shipped.bmx.client_secret = "replace-with-the-client-secret-from-butterflymx";
  EXPECT_NE(serving_error(shipped).find("bmx.client_secret"), std::string::npos);
}

// Every secret written in the repository's documents and examples is refused.
TEST(ConfigSecrets, NoSecretPublishedInTheRepositoryIsAccepted) {
  for (const char* file : {"config/frontdoor.example.json", "docker/.env.example", "README.md",
                           "docs/operations.md"}) {
    std::ifstream in(std::string(FRONTDOOR_SOURCE_DIR) + "/" + file);
    if (!in) continue;  // not every document exists in every checkout
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* name :
         {"SIGNING_KEY=", "TOKEN_KEY=", "\"signing_key\": \"", "\"token_key\": \""}) {
      for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
        const auto start = at + std::string(name).size();
        const auto end = text.find_first_of("\"\n $`)", start);
        const auto value = text.substr(start, end - start);
        if (value.empty()) continue;
        EXPECT_TRUE(weak_secret_reason(value).has_value()) << file << ": " << value;
      }
    }
  }
}

// Issue 29: FRONTDOOR_DATABSE_URL was ignored, and the default database used.
TEST(ConfigEnvironment, AMisspeltVariableStopsStartUpNamingTheClosest) {
  try {
    reject_unknown_environment({"FRONTDOOR_LOG_LEVEL", "FRONTDOOR_DATABSE_URL"});
    FAIL() << "accepted a misspelt variable";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("FRONTDOOR_DATABSE_URL"), std::string::npos) << message;
    EXPECT_NE(message.find("did you mean FRONTDOOR_DATABASE_URL"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(reject_unknown_environment({"FRONTDOOR_DATABASE_URL", "FRONTDOOR_PORT",
                                              "FRONTDOOR_CONFIG", "FRONTDOOR_HTTP_IO_THREADS"}));
  EXPECT_THROW(reject_unknown_environment({"FRONTDOOR_HTTP_IO_THREAD"}), ConfigError);
}

}  // namespace
}  // namespace frontdoor::app
