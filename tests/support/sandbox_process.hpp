#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "http_client.hpp"

namespace frontdoor::testing {

// The real bmx-sandbox executable, one per test binary, on a free port. It dies
// with the test binary (PR_SET_PDEATHSIG), so a crash leaves nothing running.
// Tests call reset() first: the sandbox's state is shared by the binary's tests.
class SandboxProcess {
 public:
  static SandboxProcess& shared();
  ~SandboxProcess();
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t smtp_port() const { return smtp_port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  HttpClient client() const { return HttpClient(port_); }

  void reset() const;
  // POST /_sandbox/buildings; returns the created ids.
  nlohmann::json seed_building(const nlohmann::json& spec) const;
  // An authorization code for this BMX user, as if they had signed in.
  std::string code_for(const std::string& email) const;
  // POST /_sandbox/faults.
  void fault(const nlohmann::json& spec) const;
  // The recorded /v4 and /oauth requests whose path starts with `prefix`.
  nlohmann::json requests(const std::string& prefix = "") const;
  nlohmann::json messages(const std::string& channel, const std::string& to = "") const;

 private:
  SandboxProcess();
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t smtp_port_ = 0;
  std::string directory_;
};

}  // namespace frontdoor::testing
