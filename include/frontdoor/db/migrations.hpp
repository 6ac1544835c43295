#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace frontdoor::db {

struct Migration {
  int version = 0;
  std::string name;  // "0001_platform.sql"
  std::string sql;
  std::string checksum;  // sha256 of sql
};

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses files named NNNN_description.sql into ordered migrations. Throws
// MigrationError on a bad name, a duplicate version or a gap.
std::vector<Migration> load_migrations(
    const std::vector<std::pair<std::string_view, std::string_view>>& files);

// The migrations compiled into this binary from migrations/.
const std::vector<Migration>& bundled_migrations();

struct MigrationReport {
  std::vector<std::string> applied;
  std::size_t already_applied = 0;
};

// Applies what is missing, each migration in its own transaction, under a
// session advisory lock so two instances never migrate at once. Refuses to run
// when a migration that already landed was edited (checksum mismatch) or when
// the database holds migrations this binary does not know.
MigrationReport migrate(const std::string& database_url, const std::vector<Migration>& migrations,
                        const std::function<void(std::string_view)>& progress);

// nullopt when the database is current; otherwise what is missing or wrong.
std::optional<std::string> schema_status(pqxx::connection_base& connection,
                                         const std::vector<Migration>& migrations);

}  // namespace frontdoor::db
