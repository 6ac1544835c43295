#include "frontdoor/ops/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontdoor/http/metrics.hpp"
#include "frontdoor/ops/build_info.hpp"

namespace frontdoor::ops {
namespace {

// /proc/self/stat's fields after the command name (which may hold spaces).
std::vector<std::string> stat_fields() {
  std::ifstream file("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  std::istringstream rest(close == std::string::npos ? std::string() : text.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

double boot_time_seconds() {
  std::ifstream file("/proc/stat");
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

}  // namespace

void publish_process_metrics(http::Metrics& metrics) {
  metrics.set_gauge(
      "frontdoor_build_info", "Always 1: the version and commit of this binary.",
      {{"version", std::string(build_version())}, {"commit", std::string(build_commit())}}, 1);
  const auto fields = stat_fields();
  // After the name: state is [0], utime [11], stime [12], starttime [19], vsize [20], rss [21].
  if (fields.size() < 22) return;
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  metrics.set_counter("process_cpu_seconds_total",
                      "Total user and system CPU time spent in seconds.", {},
                      (std::stod(fields[11]) + std::stod(fields[12])) / ticks);
  metrics.set_gauge("process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.", {},
                    boot_time_seconds() + std::stod(fields[19]) / ticks);
  metrics.set_gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
                    std::stod(fields[20]));
  metrics.set_gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                    std::stod(fields[21]) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  std::error_code ignored;
  double open = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ignored);
       it != std::filesystem::directory_iterator(); it.increment(ignored)) {
    ++open;
  }
  metrics.set_gauge("process_open_fds", "Number of open file descriptors.", {}, open);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    metrics.set_gauge("process_max_fds", "Maximum number of open file descriptors.", {},
                      static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace frontdoor::ops
