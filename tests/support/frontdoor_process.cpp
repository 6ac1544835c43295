#include "frontdoor_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "postgres.hpp"
#include "sandbox_process.hpp"

namespace frontdoor::testing {
namespace {

// Forks and execs the frontdoor binary with exactly this environment; its output
// goes to `log`. The child dies with the test binary.
int spawn(const std::vector<std::string>& arguments,
          const std::map<std::string, std::string>& environment, const std::string& log) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid > 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> env;
  for (auto& item : env_strings) env.push_back(item.data());
  env.push_back(nullptr);
  std::vector<std::string> argv_strings{FRONTDOOR_BINARY};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& item : argv_strings) argv.push_back(item.data());
  argv.push_back(nullptr);
  execve(FRONTDOOR_BINARY, argv.data(), env.data());
  _exit(127);
}

std::vector<std::string> split_arguments(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> parts;
  for (std::string part; stream >> part;) parts.push_back(part);
  return parts;
}

}  // namespace

FrontdoorProcess::FrontdoorProcess(const std::map<std::string, std::string>& extra_environment,
                                   const std::string& database_url) {
  char pattern[] = "/tmp/frontdoor-process-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  database_url_ =
      database_url.empty() ? PostgresCluster::shared().create_migrated_database() : database_url;
  const auto& sandbox = SandboxProcess::shared();
  port_ = static_cast<std::uint16_t>(free_port());
  environment_ = {
      {"PATH", "/usr/bin:/bin"},
      {"DATABASE_URL", database_url_},
      {"FRONTDOOR_PORT", std::to_string(port_)},
      {"FRONTDOOR_PUBLIC_BASE_URL", base_url()},
      {"FRONTDOOR_LOG_LEVEL", "warn"},
      {"FRONTDOOR_AUTH_SIGNING_KEY", "process-signing-key-0123456789abcdef0123"},
      {"FRONTDOOR_BMX_TOKEN_KEY",
       "3f9e62dc307c96062a203379c4d5e67b068059f7e6f61a6d57ab9b1991c3002f"},
      {"FRONTDOOR_BMX_API_URL", sandbox.url()},
      {"FRONTDOOR_BMX_ACCOUNTS_URL", sandbox.url()},
      {"FRONTDOOR_BMX_CLIENT_SECRET", "sandbox-secret"},
      {"FRONTDOOR_NOTIFY_SMS_URL", sandbox.url()},
      {"FRONTDOOR_NOTIFY_FCM_URL", sandbox.url()},
      {"FRONTDOOR_NOTIFY_FCM_ACCESS_TOKEN", "sandbox-fcm-token"},
      {"FRONTDOOR_NOTIFY_APNS_URL", sandbox.url()},
      {"FRONTDOOR_NOTIFY_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(sandbox.smtp_port())},
      {"FRONTDOOR_OUTBOX_POLL_INTERVAL_MS", "50"},
      // Tests that stop an instance do not wait for a load balancer to notice.
      {"FRONTDOOR_HTTP_DRAIN_NOTICE_MS", "0"},
  };
  for (const auto& [name, value] : extra_environment) environment_[name] = value;
  pid_ = spawn({"serve"}, environment_, directory_ + "/frontdoor.log");
  HttpClient probe(port_, "127.0.0.1", std::chrono::seconds(2));
  for (int attempt = 0; attempt < 200; ++attempt) {
    try {
      if (probe.get("/readyz").status == 200) return;
    } catch (const std::exception&) {
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("frontdoor did not become ready:\n" + log_tail());
}

int FrontdoorProcess::terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void FrontdoorProcess::send_terminate() {
  if (pid_ > 0) kill(pid_, SIGTERM);
}

int FrontdoorProcess::wait_for_exit() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void FrontdoorProcess::kill_now() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

FrontdoorProcess::~FrontdoorProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

int FrontdoorProcess::run_command(const std::string& arguments) const {
  const int pid = spawn(split_arguments(arguments), environment_, directory_ + "/commands.log");
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string FrontdoorProcess::log_tail() const {
  std::ifstream file(directory_ + "/frontdoor.log");
  std::stringstream text;
  text << file.rdbuf();
  const auto all = text.str();
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

}  // namespace frontdoor::testing
