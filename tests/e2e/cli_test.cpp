// The real frontdoor binary as an operator runs it: migrate, bad configuration,
// serve and stop on SIGTERM.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "../support/http_client.hpp"
#include "../support/postgres.hpp"

extern char** environ;

namespace frontdoor {
namespace {

using testing::free_port;
using testing::PostgresCluster;

constexpr const char* kSigningKey = "e2e-signing-key-0123456789abcdef0123456789";
constexpr const char* kTokenKey =
    "76a739f389c0a7896d8b64868d49b36256ca63a6d91f38cd69396d4d8e38e7ec";

struct Result {
  int exit_code = -1;
  std::string output;
};

// Runs the binary through the shell with extra environment, capturing stdout and stderr.
Result run_frontdoor(const std::string& environment, const std::string& arguments) {
  const std::string command = "env " + environment + " " FRONTDOOR_BINARY " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(Cli, MigrateAppliesOnceThenReportsNothingToDo) {
  const auto url = PostgresCluster::shared().create_empty_database();
  auto first = run_frontdoor("DATABASE_URL=" + url, "migrate");
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied 0001_platform.sql"), std::string::npos) << first.output;
  auto second = run_frontdoor("DATABASE_URL=" + url, "migrate");
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("done, 0 applied"), std::string::npos) << second.output;
}

TEST(Cli, BadConfigurationExitsNonZeroNamingTheKey) {
  auto result = run_frontdoor("FRONTDOOR_HTTP_IO_THREADS=0", "serve");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("http.io_threads"), std::string::npos) << result.output;
  result = run_frontdoor("", "serve --config /nonexistent.json");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("/nonexistent.json"), std::string::npos) << result.output;
  result = run_frontdoor("", "frobnicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("unknown command"), std::string::npos) << result.output;
}

TEST(Cli, ServingNeedsASigningKeyAndATokenKey) {
  auto result = run_frontdoor("FRONTDOOR_AUTH_SIGNING_KEY=short", "check-config");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("auth.signing_key"), std::string::npos) << result.output;
  result = run_frontdoor(
      std::string("FRONTDOOR_AUTH_SIGNING_KEY=") + kSigningKey + " FRONTDOOR_BMX_TOKEN_KEY=abc",
      "check-config");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("bmx.token_key"), std::string::npos) << result.output;
  result = run_frontdoor(std::string("FRONTDOOR_AUTH_SIGNING_KEY=") + kSigningKey +
                             " FRONTDOOR_BMX_TOKEN_KEY=" + kTokenKey,
                         "check-config");
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

// Issue 29: with only the token key set, the example file passed check-config
// and would have signed tokens with its published placeholder.
TEST(Cli, TheExampleConfigurationsPlaceholdersAreRefusedByName) {
  const auto result = run_frontdoor(std::string("FRONTDOOR_BMX_TOKEN_KEY=") + kTokenKey,
                                    std::string("check-config --config ") + FRONTDOOR_SOURCE_DIR +
                                        "/config/frontdoor.example.json");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("auth.signing_key"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("configuration ok"), std::string::npos) << result.output;
}

// Issue 29: FRONTDOOR_DATABSE_URL was ignored and the default database used.
TEST(Cli, AMisspeltEnvironmentVariableStopsEveryCommand) {
  for (const char* command : {"check-config", "migrate", "serve"}) {
    const auto result = run_frontdoor(std::string("FRONTDOOR_AUTH_SIGNING_KEY=") + kSigningKey +
                                          " FRONTDOOR_BMX_TOKEN_KEY=" + kTokenKey +
                                          " FRONTDOOR_DATABSE_URL=postgresql:///elsewhere",
                                      command);
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.output;
    EXPECT_NE(result.output.find("FRONTDOOR_DATABASE_URL"), std::string::npos) << result.output;
  }
}

TEST(Cli, CreateAdminMakesAnAccountThatCanLogIn) {
  const auto url = PostgresCluster::shared().create_migrated_database();
  const std::string env = "DATABASE_URL=" + url + " FRONTDOOR_AUTH_SIGNING_KEY=" + kSigningKey +
                          " FRONTDOOR_BMX_TOKEN_KEY=" + kTokenKey;
  auto weak = run_frontdoor(env, "create-admin --email ops@example.com --password 1234567890");
  EXPECT_EQ(weak.exit_code, 2) << weak.output;
  EXPECT_NE(weak.output.find("common"), std::string::npos) << weak.output;
  auto created =
      run_frontdoor(env, "create-admin --email Ops@Example.com --password 'correct horse battery'");
  EXPECT_EQ(created.exit_code, 0) << created.output;
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  auto row = tx.exec1(
      "SELECT u.email, u.password_hash IS NOT NULL, r.role FROM users u "
      "JOIN role_assignments r ON r.user_id = u.id");
  EXPECT_EQ(row[0].as<std::string>(), "ops@example.com");
  EXPECT_TRUE(row[1].as<bool>());
  EXPECT_EQ(row[2].as<std::string>(), "admin");
}

// Starts `frontdoor serve` on `port` over `url`, quiet, with its two keys and
// `settings` on top of this process's environment; -1 when it cannot.
pid_t spawn_serve(const std::string& url, int port, std::vector<std::string> settings) {
  settings.push_back("DATABASE_URL=" + url);
  settings.push_back("FRONTDOOR_PORT=" + std::to_string(port));
  settings.emplace_back("FRONTDOOR_LOG_LEVEL=warn");
  settings.push_back(std::string("FRONTDOOR_AUTH_SIGNING_KEY=") + kSigningKey);
  settings.push_back(std::string("FRONTDOOR_BMX_TOKEN_KEY=") + kTokenKey);
  for (char** item = environ; *item != nullptr; ++item) settings.emplace_back(*item);
  std::vector<char*> env;
  for (auto& item : settings) env.push_back(item.data());
  env.push_back(nullptr);
  char binary[] = FRONTDOOR_BINARY;
  char serve[] = "serve";
  char* argv[] = {binary, serve, nullptr};
  pid_t pid = 0;
  return posix_spawn(&pid, binary, nullptr, nullptr, argv, env.data()) == 0 ? pid : -1;
}

TEST(Cli, ServesUntilSigtermThenExitsZero) {
  const auto url = PostgresCluster::shared().create_migrated_database();
  const int port = free_port();
  const pid_t pid = spawn_serve(url, port, {});
  ASSERT_GT(pid, 0);

  testing::HttpClient client(static_cast<std::uint16_t>(port));
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    try {
      status = client.get("/readyz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(status, 200);
  kill(pid, SIGTERM);
  int wait_status = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (waitpid(pid, &wait_status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!WIFEXITED(wait_status)) {
    kill(pid, SIGKILL);
    waitpid(pid, &wait_status, 0);
    FAIL() << "frontdoor did not stop within 5 s of SIGTERM";
  }
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
}

// How many threads the process runs now (0 once it is gone).
int threads_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return 0;
}

// A SIGTERM that arrives while the instance is still starting (its threads
// exist, its signal handler does not yet) is held and then drained: the
// process exits 0 instead of dying of the signal.
TEST(Cli, ASigtermDuringStartUpIsDrainedNotFatal) {
  const auto url = PostgresCluster::shared().create_migrated_database();
  const pid_t pid = spawn_serve(url, free_port(), {"FRONTDOOR_HTTP_DRAIN_NOTICE_MS=0"});
  ASSERT_GT(pid, 0);
  // The first thread beyond main starts while the instance is being built.
  for (int attempt = 0; attempt < 2000 && threads_of(pid) < 2; ++attempt) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ASSERT_GE(threads_of(pid), 2) << "the instance never started a thread";
  kill(pid, SIGTERM);
  int wait_status = 0;
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (waitpid(pid, &wait_status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!WIFEXITED(wait_status) && !WIFSIGNALED(wait_status)) {
    kill(pid, SIGKILL);
    waitpid(pid, &wait_status, 0);
    FAIL() << "frontdoor did not stop within 10 s of SIGTERM";
  }
  ASSERT_FALSE(WIFSIGNALED(wait_status))
      << "killed by signal " << WTERMSIG(wait_status) << " before it could drain";
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
}

}  // namespace
}  // namespace frontdoor
