#pragma once

#include <string>

namespace frontdoor::testing {

// A private PostgreSQL server for one test binary: initdb in a temporary
// directory, its own loopback port, started as the unprivileged `postgres` user
// when running as root. A watchdog process stops it and removes the directory
// even if the test binary crashes, so nothing is left running.
class PostgresCluster {
 public:
  // Started on first use; stopped when the process exits.
  static PostgresCluster& shared();

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // For outage tests: stop the server (fast shutdown) and start it again on the same port.
  void stop();
  void start();
  // Kills the server as a crash would (immediate shutdown: no checkpoint).
  void kill();
  // Commits wait for their WAL again, as in production (the harness turns that off
  // for speed): for tests that kill the server and count what survived.
  void make_commits_durable();

  std::string url(const std::string& database) const;
  // A new database copied from a template that holds every migration.
  std::string create_migrated_database();
  // A new empty database (no migrations applied).
  std::string create_empty_database();

 private:
  PostgresCluster();
  void run_admin_sql(const std::string& sql) const;
  std::string next_database_name();

  std::string bin_dir_;
  std::string directory_;
  int port_ = 0;
  int watchdog_pipe_ = -1;
  int database_counter_ = 0;
};

}  // namespace frontdoor::testing
