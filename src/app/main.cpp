// frontdoor: the building-access backend. See README.md.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "frontdoor/app/app.hpp"
#include "frontdoor/app/config.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/db/migrations.hpp"
#include "frontdoor/db/pool.hpp"

namespace {

using frontdoor::app::Config;

constexpr const char* kUsage = R"(usage: frontdoor [COMMAND] [--config FILE]

commands:
  serve          serve the API (default)
  migrate [--wait SECONDS]
                 apply pending database migrations, then exit; with --wait, keep
                 trying to reach the database for up to SECONDS first (containers
                 that start beside their database)
  check-config   validate the configuration, then exit
  config-doc     print every configuration key as a Markdown table
  create-admin --email E [--password-stdin]
                 create (or promote) an operator account with the admin role; the
                 password comes from FRONTDOOR_ADMIN_PASSWORD or, with
                 --password-stdin, from the first line of standard input
                 (--password P also works, but leaves it in the shell's history)
  print-sql NAME print the SQL of a prepared statement (bench/ runs it with pgbench)

Configuration comes from FILE (see config/frontdoor.example.json), then from
FRONTDOOR_* environment variables and DATABASE_URL.
)";

struct Arguments {
  std::string command = "serve";
  std::optional<std::string> config_path;
  std::optional<std::string> email;
  std::string statement;  // print-sql
  std::optional<std::string> password;
  bool password_from_stdin = false;
  int wait_seconds = 0;  // migrate
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments arguments;
  std::vector<std::string> words(argv + 1, argv + argc);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--config" && i + 1 < words.size()) {
      arguments.config_path = words[++i];
    } else if (words[i] == "--email" && i + 1 < words.size()) {
      arguments.email = words[++i];
    } else if (words[i] == "--password" && i + 1 < words.size()) {
      arguments.password = words[++i];
    } else if (words[i] == "--password-stdin") {
      arguments.password_from_stdin = true;
    } else if (words[i] == "--wait" && i + 1 < words.size()) {
      try {
        arguments.wait_seconds = std::stoi(words[++i]);
      } catch (const std::exception&) {
        arguments.wait_seconds = -1;
      }
      if (arguments.wait_seconds < 0 || arguments.wait_seconds > 3600) {
        std::cerr << "frontdoor: --wait takes 0 to 3600 seconds\n";
        return std::nullopt;
      }
    } else if (words[i] == "--help" || words[i] == "-h") {
      return std::nullopt;
    } else if (i == 0 && words[i].rfind("--", 0) != 0) {
      arguments.command = words[i];
    } else if (i == 1 && arguments.command == "print-sql") {
      arguments.statement = words[i];
    } else {
      std::cerr << "frontdoor: unexpected argument '" << words[i] << "'\n";
      return std::nullopt;
    }
  }
  if (!arguments.config_path) {
    if (const char* path = std::getenv("FRONTDOOR_CONFIG")) {  // NOLINT(concurrency-mt-unsafe)
      arguments.config_path = path;
    }
  }
  return arguments;
}

// Tries to reach the database until `wait` has passed: a container started beside
// its database must not depend on start-up order (not every compose honours
// depends_on conditions).
bool database_reachable(const Config& config, std::chrono::seconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    try {
      pqxx::connection connection(
          frontdoor::db::with_connect_timeout(config.database.url, std::chrono::seconds(3)));
      return true;
    } catch (const std::exception& failure) {
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << "frontdoor: the database did not answer within " << wait.count()
                  << " s: " << failure.what() << '\n';
        return false;
      }
      std::cout << "migrate: waiting for the database" << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

int run_migrate(const Config& config, const Arguments& arguments) {
  if (arguments.wait_seconds > 0 &&
      !database_reachable(config, std::chrono::seconds(arguments.wait_seconds))) {
    return 1;
  }
  auto report = frontdoor::db::migrate(
      config.database.url, frontdoor::db::bundled_migrations(),
      [](std::string_view step) { std::cout << "migrate: " << step << std::endl; });
  std::cout << "migrate: done, " << report.applied.size() << " applied, " << report.already_applied
            << " already current" << std::endl;
  return 0;
}

// The new admin's password: never required on the command line, where it would
// stay in the shell's history and be visible in the process list.
std::optional<std::string> admin_password(const Arguments& arguments) {
  if (arguments.password) return arguments.password;
  if (arguments.password_from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  // Read before any thread runs, like every environment variable here.
  if (const char* password =
          std::getenv("FRONTDOOR_ADMIN_PASSWORD")) {  // NOLINT(concurrency-mt-unsafe)
    return std::string(password);
  }
  return std::nullopt;
}

int run_create_admin(const Config& config, Arguments arguments) {
  arguments.password = admin_password(arguments);
  if (!arguments.email || !arguments.password) {
    std::cerr << "frontdoor: create-admin needs --email, and the password in "
                 "FRONTDOOR_ADMIN_PASSWORD or on standard input with --password-stdin\n";
    return 2;
  }
  frontdoor::app::App app(config, std::make_shared<frontdoor::common::SystemClock>());
  try {
    const auto id = app.accounts().create_admin(*arguments.email, *arguments.password);
    std::cout << "admin " << *arguments.email << " ready (user " << id << ")" << std::endl;
  } catch (const std::invalid_argument& error) {
    std::cerr << "frontdoor: create-admin refused: " << error.what() << '\n';
    return 2;
  }
  return 0;
}

int run_serve(const Config& config) {
  frontdoor::http::Server::hold_signals();
  frontdoor::app::App app(config, std::make_shared<frontdoor::common::SystemClock>());
  app.start();
  app.run_until_signalled();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto arguments = parse_arguments(argc, argv);
  if (!arguments) {
    std::cerr << kUsage;
    return 2;
  }
  if (arguments->command == "config-doc") {
    std::cout << frontdoor::app::config_reference_markdown();
    return 0;
  }
  Config config;
  try {
    frontdoor::app::reject_unknown_environment(frontdoor::app::process_environment_names());
    config =
        frontdoor::app::load_config(arguments->config_path, frontdoor::app::process_environment());
  } catch (const frontdoor::app::ConfigError& error) {
    std::cerr << "frontdoor: " << error.what() << '\n';
    return 2;
  }
  frontdoor::common::log::init(config.log.level);
  try {
    if (arguments->command == "check-config") {
      frontdoor::app::validate_for_serving(config);
      std::cout << "configuration ok\n";
      return 0;
    }
    if (arguments->command == "migrate") return run_migrate(config, *arguments);
    if (arguments->command == "create-admin") return run_create_admin(config, *arguments);
    if (arguments->command == "print-sql") {
      // The statements are registered by the services: build them, connect to nothing.
      frontdoor::app::App app(config, std::make_shared<frontdoor::common::SystemClock>());
      const auto sql = app.pool().statement_sql(arguments->statement);
      if (sql.empty()) {
        std::cerr << "frontdoor: no prepared statement named '" << arguments->statement << "'\n";
        return 2;
      }
      std::cout << sql << '\n';
      return 0;
    }
    if (arguments->command == "serve") return run_serve(config);
  } catch (const frontdoor::app::ConfigError& error) {
    std::cerr << "frontdoor: " << error.what() << '\n';
    return 2;
  } catch (const frontdoor::db::MigrationError& error) {
    std::cerr << "frontdoor: migrate refused: " << error.what() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "frontdoor: " << arguments->command << " failed: " << error.what() << '\n';
    return 1;
  }
  std::cerr << "frontdoor: unknown command '" << arguments->command << "'\n" << kUsage;
  return 2;
}
