// Every table has one owning module (docs/tables.md): a module's SQL names only
// its own tables and what their owners publish for it. This reads the registry,
// the migrations and every module's sources, so a statement that reaches into
// another module's table fails here instead of in an API test after a rename.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Names = std::set<std::string>;

struct Registry {
  std::map<std::string, std::string> owner;  // table, view or function -> module
  std::map<std::string, Names> used_by;      // published name -> modules ("*": all)
  Names functions;                           // the names that are SQL functions
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream in(row);
  std::string cell;
  std::getline(in, cell, '|');  // before the first bar
  while (std::getline(in, cell, '|')) {
    const auto first = cell.find_first_not_of(" `");
    const auto last = cell.find_last_not_of(" `");
    out.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return out;
}

Names list_of(const std::string& cell) {
  Names names;
  std::stringstream in(cell);
  std::string name;
  while (std::getline(in, name, ',')) {
    const auto first = name.find_first_not_of(" `");
    const auto last = name.find_last_not_of(" `");
    if (first == std::string::npos) continue;
    if (auto one = name.substr(first, last - first + 1); one != "-") names.insert(one);
  }
  return names;
}

// The two tables of docs/tables.md, told apart by the section they are in.
Registry parse_registry(const std::string& text) {
  Registry registry;
  std::string section;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) section = line.substr(3);
    if (line.rfind("| ", 0) != 0 || line.rfind("|---", 0) == 0) continue;
    const auto row = cells(line);
    if (row.size() < 2 || row[0] == "table" || row[0] == "name" || row[0] == "module") continue;
    if (section == "Tables") {
      registry.owner[row[0]] = row[1];
    } else if (section == "Published views and functions" && row.size() >= 3) {
      registry.owner[row[0]] = row[1];
      registry.used_by[row[0]] = list_of(row[2]);
    }
  }
  return registry;
}

// The contents of the C++ string literals in a source file, raw ones included,
// joined by spaces: SQL is only ever written in literals.
std::string string_literals(const std::string& source) {
  std::string out;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '/' && i + 1 < source.size() && source[i + 1] == '/') {
      i = source.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '/' && i + 1 < source.size() && source[i + 1] == '*') {
      i = source.find("*/", i + 2);
      if (i == std::string::npos) break;
      ++i;
    } else if (c == '\'') {
      for (++i; i < source.size() && source[i] != '\''; ++i) {
        if (source[i] == '\\') ++i;
      }
    } else if (c == 'R' && i + 1 < source.size() && source[i + 1] == '"') {
      const auto open = source.find('(', i + 2);
      if (open == std::string::npos) break;
      const std::string close = ")" + source.substr(i + 2, open - i - 2) + "\"";
      const auto end = source.find(close, open + 1);
      if (end == std::string::npos) break;
      out += source.substr(open + 1, end - open - 1) + ' ';
      i = end + close.size() - 1;
    } else if (c == '"') {
      for (++i; i < source.size() && source[i] != '"'; ++i) {
        if (source[i] == '\\' && i + 1 < source.size()) {
          out += source[i + 1] == 'n' ? ' ' : source[i + 1];
          ++i;
        } else {
          out += source[i];
        }
      }
      out += ' ';
    }
  }
  return out;
}

// The registered tables, views and functions that some SQL names.
Names named_in_sql(const std::string& sql, const Registry& registry) {
  static const std::regex relation(
      R"(\b(?:FROM|JOIN|INTO|UPDATE|TABLE|USING)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*))");
  static const std::regex after_comma(
      R"(\b(?:FROM|JOIN)\s+[a-z_][a-z0-9_]*(?:\s+(?:AS\s+)?[a-z_][a-z0-9_]*)?\s*,\s*([a-z_][a-z0-9_]*))");
  static const std::regex call(R"(\b([a-z_][a-z0-9_]*)\s*\()");
  Names named;
  for (const auto* pattern : {&relation, &after_comma, &call}) {
    for (std::sregex_iterator it(sql.begin(), sql.end(), *pattern), end; it != end; ++it) {
      const std::string name = (*it)[1];
      if (registry.owner.count(name) == 0) continue;
      // "name (" is a call only for a function, not prose such as "visitors (for example".
      if (pattern == &call && registry.functions.count(name) == 0) continue;
      named.insert(name);
    }
  }
  return named;
}

// What each module's SQL names: src/<module>/ and include/frontdoor/<module>/.
std::map<std::string, Names> named_by_module(const fs::path& root, const Registry& registry) {
  std::map<std::string, Names> named;
  for (const auto& base : {root / "src", root / "include" / "frontdoor"}) {
    for (const auto& module : fs::directory_iterator(base)) {
      if (!module.is_directory()) continue;
      for (const auto& file : fs::recursive_directory_iterator(module.path())) {
        const auto ext = file.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        const auto names = named_in_sql(string_literals(read(file.path())), registry);
        named[module.path().filename().string()].insert(names.begin(), names.end());
      }
    }
  }
  return named;
}

// Every rule of docs/tables.md that the sources break, one line each.
std::vector<std::string> ownership_problems(const Registry& registry,
                                            const std::map<std::string, Names>& named) {
  std::vector<std::string> problems;
  std::map<std::string, Names> published_use;
  for (const auto& [module, names] : named) {
    for (const auto& name : names) {
      const auto& owner = registry.owner.at(name);
      if (owner == module) continue;
      const auto users = registry.used_by.find(name);
      if (users != registry.used_by.end() &&
          (users->second.count(module) || users->second.count("*"))) {
        published_use[name].insert(module);
        continue;
      }
      problems.push_back(module + " names " + name + ", which belongs to " + owner +
                         (users == registry.used_by.end() ? " and is not published"
                                                          : " and is not published to " + module));
    }
  }
  for (const auto& [name, users] : registry.used_by) {
    for (const auto& module : users) {
      if (module != "*" && !published_use[name].count(module)) {
        problems.push_back(name + " is listed as used by " + module + ", which does not use it");
      }
    }
  }
  return problems;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += "  " + line + "\n";
  return out;
}

const fs::path kRoot = FRONTDOOR_SOURCE_DIR;

// Every migration, and the table the migrations runner makes for itself.
std::string schema_text() {
  std::string schema = read(kRoot / "src" / "db" / "migrations.cpp");
  // In the order they apply: a later one may drop what an earlier one made.
  std::vector<fs::path> files;
  for (const auto& file : fs::directory_iterator(kRoot / "migrations"))
    files.push_back(file.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) schema += read(file);
  return schema;
}

// What the schema creates, by kind ("TABLE", "VIEW", "FUNCTION"), less what a
// later migration drops (in order: a function may be dropped and made again).
std::map<std::string, Names> created_in(const std::string& schema) {
  static const std::regex statement(
      R"((CREATE\s+(?:OR\s+REPLACE\s+|UNLOGGED\s+)?|DROP\s+)(TABLE|VIEW|FUNCTION)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([a-z_][a-z0-9_]*))",
      std::regex::icase);
  std::map<std::string, Names> by_kind;
  for (std::sregex_iterator it(schema.begin(), schema.end(), statement), end; it != end; ++it) {
    std::string verb = (*it)[1], kind = (*it)[2];
    for (auto& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool drop = std::toupper(static_cast<unsigned char>(verb[0])) == 'D';
    if (drop) {
      by_kind[kind].erase((*it)[3]);
    } else {
      by_kind[kind].insert((*it)[3]);
    }
  }
  return by_kind;
}

Registry project_registry() {
  auto registry = parse_registry(read(kRoot / "docs" / "tables.md"));
  registry.functions = created_in(schema_text())["FUNCTION"];
  return registry;
}

TEST(TableOwnership, EveryModuleNamesOnlyWhatItOwnsOrIsPublishedToIt) {
  const auto registry = project_registry();
  ASSERT_GE(registry.owner.size(), 25u) << "docs/tables.md could not be read";
  const auto named = named_by_module(kRoot, registry);
  ASSERT_TRUE(named.count("visitors") && named.at("visitors").count("visitors"))
      << "the scan found no SQL in src/visitors";
  const auto problems = ownership_problems(registry, named);
  EXPECT_TRUE(problems.empty()) << "docs/tables.md and the sources disagree:\n" << joined(problems);
}

TEST(TableOwnership, EveryTableAViewOrAFunctionOfTheMigrationsHasAnOwner) {
  const auto registry = project_registry();
  Names defined;
  for (const auto& [kind, names] : created_in(schema_text()))
    defined.insert(names.begin(), names.end());
  ASSERT_TRUE(defined.count("visitors") && defined.count("outbox_enqueue"));
  for (const auto& name : defined) {
    EXPECT_TRUE(registry.owner.count(name)) << name << " has no owner in docs/tables.md";
  }
  for (const auto& [name, owner] : registry.owner) {
    EXPECT_TRUE(defined.count(name)) << name << " (" << owner << ") is never created";
  }
}

// The checker itself, on sources made up for the purpose.
Registry small_registry() {
  auto registry = parse_registry(
      "## Tables\n| table | owner | what |\n|---|---|---|\n"
      "| `residencies` | people | x |\n| `visitors` | visitors | x |\n"
      "## Published views and functions\n| name | owner | used by | what |\n|---|---|---|---|\n"
      "| `current_residents` | people | visitors | x |\n"
      "| `outbox_enqueue` | notify | bmx, visitors | x |\n");
  registry.functions = {"outbox_enqueue"};
  return registry;
}

TEST(TableOwnershipRules, AModuleNamingAnotherModulesTableFails) {
  const auto registry = small_registry();
  const auto named =
      named_in_sql(string_literals("db.prepare(\"x\", \"SELECT r.id FROM residencies r \"\n"
                                   "  \"JOIN visitors v ON v.host = r.user_id\");"),
                   registry);
  EXPECT_EQ(named, (Names{"residencies", "visitors"}));
  const auto problems =
      ownership_problems(registry, {{"visitors", named}, {"bmx", {"outbox_enqueue"}}});
  ASSERT_EQ(problems.size(), 3u) << joined(problems);
  EXPECT_EQ(problems[0],
            "visitors names residencies, which belongs to people and is not published");
  // The published names visitors is listed for but does not use are reported too.
  EXPECT_EQ(problems[1], "current_residents is listed as used by visitors, which does not use it");
  EXPECT_EQ(problems[2], "outbox_enqueue is listed as used by visitors, which does not use it");
}

TEST(TableOwnershipRules, PublishedViewsAndFunctionsPassOnlyForTheirListedUsers) {
  const auto registry = small_registry();
  const auto sql = string_literals(
      "\"SELECT outbox_enqueue('bmx', k, p, false) FROM current_residents, visitors\"");
  EXPECT_EQ(named_in_sql(sql, registry),
            (Names{"current_residents", "outbox_enqueue", "visitors"}));
  const auto problems = ownership_problems(
      registry, {{"visitors", {"visitors", "current_residents", "outbox_enqueue"}},
                 {"calls", {"current_residents"}}});
  ASSERT_EQ(problems.size(), 2u) << joined(problems);
  EXPECT_EQ(problems[0],
            "calls names current_residents, which belongs to people and is not published to calls");
  EXPECT_EQ(problems[1], "outbox_enqueue is listed as used by bmx, which does not use it");
}

TEST(TableOwnershipRules, CommentsPlainCodeAndProseAreNotSql) {
  const auto registry = small_registry();
  EXPECT_TRUE(named_in_sql(string_literals("// SELECT * FROM residencies\n"
                                           "/* UPDATE visitors */ int visitors = 0; char q = '\"';"
                                           "f(\"add a unit for visitors (for example)\");"),
                           registry)
                  .empty());
}

// --- The typed data layer (docs/architecture.md, "Stores") --------------------
//
// SQL runs only in a module's store.cpp, by a db::Statement object (db::exec,
// AsyncDatabase::run), and rows are read into structs by column name (db::read_*):
// nothing outside src/db/ prepares or runs a statement by its name or indexes a
// row by position.

// The source with comments removed and string literals emptied ("" stays), so
// that prose and SQL text cannot look like code.
std::string code_only(const std::string& source) {
  std::string out;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '/' && i + 1 < source.size() && source[i + 1] == '/') {
      i = source.find('\n', i);
      if (i == std::string::npos) break;
      out += '\n';
    } else if (c == '/' && i + 1 < source.size() && source[i + 1] == '*') {
      i = source.find("*/", i + 2);
      if (i == std::string::npos) break;
      ++i;
    } else if (c == 'R' && i + 1 < source.size() && source[i + 1] == '"') {
      const auto open = source.find('(', i + 2);
      if (open == std::string::npos) break;
      const std::string close = ")" + source.substr(i + 2, open - i - 2) + "\"";
      const auto end = source.find(close, open + 1);
      if (end == std::string::npos) break;
      out += "\"\"";
      i = end + close.size() - 1;
    } else if (c == '"' || c == '\'') {
      for (++i; i < source.size() && source[i] != c; ++i) {
        if (source[i] == '\\') ++i;
      }
      out += c;
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// What a file breaks of the rules above, one line each; `file` is its path
// from the repository's root.
std::vector<std::string> data_layer_problems(const std::string& file, const std::string& source) {
  static const std::vector<std::pair<std::regex, std::string>> anywhere = {
      {std::regex(R"(\bexec_(prepared1?|params1?)\b)"), "runs SQL with libpqxx directly"},
      {std::regex(R"(\.(prepare|use|run)\(\s*"|\bsweep\([^,()]*,\s*")"),
       "names a statement by a string"},
      {std::regex(R"(\b[a-z_]*rows?\s*\[|\]\s*\[\s*[0-9])"), "reads a row by position"},
  };
  // In a store, text joined to a k-constant is SQL glued together at run time.
  static const std::regex glued(R"(""\s*\+\s*k[A-Z]|\bk[A-Z]\w*\s*\+\s*"")");
  static const std::regex runs_statement(R"(\bdb::exec\s*\(|\.run\(\s*k[A-Z])");
  std::vector<std::string> problems;
  if (file.rfind("src/db/", 0) == 0 || file.rfind("include/frontdoor/db/", 0) == 0) {
    return problems;
  }
  const auto code = code_only(source);
  for (const auto& [pattern, what] : anywhere) {
    if (std::regex_search(code, pattern)) problems.push_back(file + " " + what);
  }
  const bool store = fs::path(file).filename() == "store.cpp";
  if (store && std::regex_search(code, glued)) {
    problems.push_back(file + " glues SQL text together at run time");
  }
  if (!store && std::regex_search(code, runs_statement)) {
    problems.push_back(file + " runs a statement outside its module's store.cpp");
  }
  return problems;
}

TEST(TypedDataLayer, SqlRunsOnlyInStoresByStatementObjectsAndRowsAreReadByName) {
  std::vector<std::string> problems;
  int scanned = 0;
  for (const auto& base : {kRoot / "src", kRoot / "include" / "frontdoor"}) {
    for (const auto& entry : fs::recursive_directory_iterator(base)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const auto file = fs::relative(entry.path(), kRoot).generic_string();
      ++scanned;
      const auto found = data_layer_problems(file, read(entry.path()));
      problems.insert(problems.end(), found.begin(), found.end());
    }
  }
  ASSERT_GT(scanned, 100) << "the scan found too few sources";
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

// The checker itself: one planted violation of each kind fails it, and the
// typed forms pass.
TEST(TypedDataLayerRules, EachKindOfViolationIsFound) {
  using Lines = std::vector<std::string>;
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "tx.exec_prepared(\"x_get\", id);"),
            (Lines{"src/x/store.cpp runs SQL with libpqxx directly"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "tx.exec_params(\"SELECT 1\");"),
            (Lines{"src/x/store.cpp runs SQL with libpqxx directly"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "pool.prepare(\"x_get\", \"SELECT 1\");"),
            (Lines{"src/x/store.cpp names a statement by a string"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "co_await database.run(\"x_get\", id);"),
            (Lines{"src/x/store.cpp names a statement by a string"}));
  EXPECT_EQ(data_layer_problems("src/x/service.cpp", "db::sweep(pool_, \"x_sweep\", 60);"),
            (Lines{"src/x/service.cpp names a statement by a string"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "auto id = row[0].as<std::string>();"),
            (Lines{"src/x/store.cpp reads a row by position"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp", "auto id = result[0][2].c_str();"),
            (Lines{"src/x/store.cpp reads a row by position"}));
  EXPECT_EQ(data_layer_problems("src/x/store.cpp",
                                "pool.prepare(\"x_end\", \"UPDATE x SET \" + kEndState);"),
            (Lines{"src/x/store.cpp names a statement by a string",
                   "src/x/store.cpp glues SQL text together at run time"}));
  EXPECT_EQ(
      data_layer_problems("src/x/store.cpp", "const std::string kAll = kColumns + \" FROM x\";"),
      (Lines{"src/x/store.cpp glues SQL text together at run time"}));
  EXPECT_EQ(data_layer_problems("src/x/service.cpp", "db::exec(tx, kGet, id);"),
            (Lines{"src/x/service.cpp runs a statement outside its module's store.cpp"}));
  // The typed forms, comments and SQL text are not violations.
  EXPECT_TRUE(data_layer_problems("src/x/store.cpp",
                                  "// row[0] and exec_prepared are gone\n"
                                  "constexpr db::Statement kGet{\"x_get\", \"SELECT row[1]\", 1};\n"
                                  "pool.prepare(kGet); co_await database.run(kGet, id);\n"
                                  "return db::read_first<Row>(db::exec(tx, kGet, id));")
                  .empty());
  EXPECT_TRUE(data_layer_problems("src/db/rows.cpp", "return row[0];").empty());
  EXPECT_TRUE(
      data_layer_problems("src/http/server.cpp", "stream.async_read_some(buffer_.prepare(4096));")
          .empty());
}

}  // namespace
