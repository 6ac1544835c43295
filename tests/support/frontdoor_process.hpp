#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "http_client.hpp"

namespace frontdoor::testing {

// The real `frontdoor serve` binary as its own process, configured through the
// environment like a deployment, against a database of the binary's private
// Postgres and the binary's bmx-sandbox (as BMX and as every message provider).
// It dies with the test binary; the destructor stops it with SIGTERM.
class FrontdoorProcess {
 public:
  // A fresh migrated database unless `database_url` names one (two instances, one database).
  explicit FrontdoorProcess(const std::map<std::string, std::string>& extra_environment = {},
                            const std::string& database_url = "");
  // SIGTERM, then waits; returns the exit code.
  int terminate();
  // SIGTERM without waiting (a drain in progress), and the wait for its exit code.
  void send_terminate();
  int wait_for_exit();
  // SIGKILL: the machine died. Nothing it held is given back.
  void kill_now();
  ~FrontdoorProcess();
  FrontdoorProcess(const FrontdoorProcess&) = delete;
  FrontdoorProcess& operator=(const FrontdoorProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  HttpClient client() const { return HttpClient(port_); }
  const std::string& database_url() const { return database_url_; }
  // Runs `frontdoor <arguments>` with the same environment; returns its exit code.
  int run_command(const std::string& arguments) const;
  // The tail of the server's log, for failure messages.
  std::string log_tail() const;

 private:
  std::map<std::string, std::string> environment_;
  std::string database_url_;
  std::string directory_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace frontdoor::testing
