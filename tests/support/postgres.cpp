#include "postgres.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

#include "frontdoor/db/migrations.hpp"
#include "http_client.hpp"

namespace frontdoor::testing {
namespace {

constexpr const char* kTemplateDatabase = "frontdoor_template";

std::string command_output(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output;
}

// initdb and postgres live in a versioned directory on Debian, not on PATH.
std::string find_bin_dir() {
  namespace fs = std::filesystem;
  const std::string from_pg_config = command_output("pg_config --bindir 2>/dev/null");
  if (!from_pg_config.empty() && fs::exists(fs::path(from_pg_config) / "initdb")) {
    return from_pg_config;
  }
  std::vector<fs::path> candidates;
  if (fs::exists("/usr/lib/postgresql")) {
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql")) {
      if (fs::exists(entry.path() / "bin" / "initdb")) candidates.push_back(entry.path() / "bin");
    }
  }
  if (candidates.empty()) {
    throw std::runtime_error("no PostgreSQL server binaries found; run scripts/install-deps");
  }
  std::sort(candidates.begin(), candidates.end());
  return candidates.back().string();
}

// PostgreSQL refuses to run as root; sessions and CI are root.
std::string as_postgres_user() { return geteuid() == 0 ? "runuser -u postgres -- " : ""; }

void run_or_throw(const std::string& command, const std::string& log) {
  if (std::system((command + " >>" + log + " 2>&1").c_str()) != 0) {
    throw std::runtime_error("command failed: " + command + " (see " + log + ")");
  }
}

}  // namespace

bool install_hang_detector();  // hang_detector.cpp

PostgresCluster& PostgresCluster::shared() {
  install_hang_detector();
  static PostgresCluster cluster;
  return cluster;
}

PostgresCluster::PostgresCluster() {
  bin_dir_ = find_bin_dir();
  char pattern[] = "/tmp/frontdoor-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  if (geteuid() == 0) {
    run_or_throw("chown postgres: " + directory_, "/dev/null");
  }
  port_ = free_port();
  // Before anything starts: the watchdog waits for this process to go away (the pipe closes,
  // however it ends), then stops the server and removes the directory.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const std::string cleanup = as_postgres_user() + bin_dir_ + "/pg_ctl -D " + directory_ +
                              "/data -m immediate -w stop >/dev/null 2>&1; rm -rf " + directory_;
  // Forked twice and in a session of its own, so that a test runner that kills
  // the test's whole process tree on a timeout does not kill the watchdog too.
  const pid_t child = fork();
  if (child == 0) {
    if (fork() != 0) _exit(0);
    setsid();
    // `cat` returns when the last writer closes the pipe: when this process ends.
    dup2(fds[0], STDIN_FILENO);
    // Nor may it hold the test's output open: ctest waits for that to close.
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    const std::string script = "cat >/dev/null; " + cleanup;
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(1);
  }
  waitpid(child, nullptr, 0);
  close(fds[0]);
  watchdog_pipe_ = fds[1];
  const std::string log = directory_ + "/setup.log";
  run_or_throw(as_postgres_user() + bin_dir_ + "/initdb -D " + directory_ +
                   "/data -U postgres -A trust -E UTF8 --no-locale --no-sync",
               log);
  start();

  run_admin_sql(std::string("CREATE DATABASE ") + kTemplateDatabase);
  db::migrate(url(kTemplateDatabase), db::bundled_migrations(), [](std::string_view) {});
}

PostgresCluster::~PostgresCluster() {
  stop();
  // Closing the pipe lets the watchdog remove the directory.
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);
}

void PostgresCluster::start() {
  const std::string options = "-p " + std::to_string(port_) + " -k " + directory_ +
                              " -c listen_addresses=127.0.0.1 -c fsync=off"
                              " -c synchronous_commit=off -c full_page_writes=off"
                              " -c max_connections=300";
  run_or_throw(as_postgres_user() + bin_dir_ + "/pg_ctl -D " + directory_ + "/data -l " +
                   directory_ + "/postgres.log -w -t 60 -o '" + options + "' start",
               directory_ + "/setup.log");
}

void PostgresCluster::stop() {
  std::system((as_postgres_user() + bin_dir_ + "/pg_ctl -D " + directory_ +
               "/data -m fast -w stop >/dev/null 2>&1")
                  .c_str());
}

void PostgresCluster::make_commits_durable() {
  // A role setting outranks the server's command line, where the harness turned it off.
  run_admin_sql("ALTER ROLE postgres SET synchronous_commit = on");
}

void PostgresCluster::kill() {
  std::system((as_postgres_user() + bin_dir_ + "/pg_ctl -D " + directory_ +
               "/data -m immediate -w stop >/dev/null 2>&1")
                  .c_str());
}

std::string PostgresCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PostgresCluster::run_admin_sql(const std::string& sql) const {
  pqxx::connection connection(url("postgres"));
  pqxx::nontransaction tx(connection);
  tx.exec(sql);
}

std::string PostgresCluster::next_database_name() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  return "test_" + std::to_string(getpid()) + "_" + std::to_string(++database_counter_);
}

std::string PostgresCluster::create_migrated_database() {
  const std::string name = next_database_name();
  run_admin_sql("CREATE DATABASE " + name + " TEMPLATE " + kTemplateDatabase);
  return url(name);
}

std::string PostgresCluster::create_empty_database() {
  const std::string name = next_database_name();
  run_admin_sql("CREATE DATABASE " + name);
  return url(name);
}

}  // namespace frontdoor::testing
