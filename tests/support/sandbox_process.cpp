#include "sandbox_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace frontdoor::testing {
namespace {

std::string encode_query(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

nlohmann::json expect(const HttpResponse& response, int status, const std::string& what) {
  if (response.status != status) {
    throw std::runtime_error("bmx-sandbox " + what + ": " + std::to_string(response.status) + " " +
                             response.body);
  }
  return response.body.empty() ? nlohmann::json() : response.json();
}

}  // namespace

SandboxProcess& SandboxProcess::shared() {
  static SandboxProcess process;
  return process;
}

SandboxProcess::SandboxProcess() {
  char pattern[] = "/tmp/frontdoor-sandbox-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  const auto port_file = directory_ + "/port";
  const auto log_file = directory_ + "/sandbox.log";
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The sandbox must not outlive the test binary, however that ends.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    execl(BMX_SANDBOX_BINARY, "bmx-sandbox", "--port", "0", "--smtp-port", "0", "--port-file",
          port_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream file(port_file);
    int port = 0, smtp_port = 0;
    if (file >> port >> smtp_port && port > 0 && smtp_port > 0) {
      port_ = static_cast<std::uint16_t>(port);
      smtp_port_ = static_cast<std::uint16_t>(smtp_port);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("bmx-sandbox did not start; see " + log_file);
}

SandboxProcess::~SandboxProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void SandboxProcess::reset() const { expect(client().post("/_sandbox/reset", ""), 204, "reset"); }

nlohmann::json SandboxProcess::seed_building(const nlohmann::json& spec) const {
  return expect(client().post("/_sandbox/buildings", spec.dump()), 201, "seed");
}

std::string SandboxProcess::code_for(const std::string& email) const {
  return expect(client().post("/_sandbox/oauth/codes", nlohmann::json{{"email", email}}.dump()),
                201, "code")["code"];
}

void SandboxProcess::fault(const nlohmann::json& spec) const {
  expect(client().post("/_sandbox/faults", spec.dump()), 201, "fault");
}

nlohmann::json SandboxProcess::requests(const std::string& prefix) const {
  return expect(client().get("/_sandbox/requests?path_prefix=" + encode_query(prefix)), 200,
                "requests")["data"];
}

nlohmann::json SandboxProcess::messages(const std::string& channel, const std::string& to) const {
  std::string target = "/_sandbox/messages?channel=" + encode_query(channel);
  if (!to.empty()) target += "&to=" + encode_query(to);
  return expect(client().get(target), 200, "messages")["data"];
}

}  // namespace frontdoor::testing
