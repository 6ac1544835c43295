// SQL of the passes module. A pass belongs to its visit, so these statements
// read the visit's name and window from the visitors module's visit_windows
// view (docs/tables.md); only this module writes passes.
#include "store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::passes::store {
namespace {

std::vector<Revoked> revoked_from(const pqxx::result& rows, const std::string& property_id) {
  std::vector<Revoked> revoked;
  for (const auto& row : rows) {
    revoked.push_back({row[0].as<std::string>(), property_id, !row[1].is_null()});
  }
  return revoked;
}

// A weekly schedule as the visitors module stores it, in BMX's terms.
bmx::WeeklyWindows weekly_windows(const std::string& schedule_text) {
  const auto schedule = nlohmann::json::parse(schedule_text);
  return {schedule.at("days").get<std::vector<std::string>>(), schedule.at("from"),
          schedule.at("to"), schedule.at("starts_on"), schedule.at("ends_on")};
}

}  // namespace

void prepare(db::Pool& pool) {
  pool.prepare("passes_insert",
               "INSERT INTO passes (visitor_id, property_id, holder_user_id, via, token_hash, "
               "max_uses) VALUES ($1, $2, $3, $4, $5, $6)");
  pool.prepare(
      "passes_load",
      "SELECT p.status, p.via, v.host_user_id, p.property_id, v.name, "
      "rfc3339(v.starts_at), rfc3339(v.ends_at), v.email, p.bmx_keychain_id, "
      "p.keychain_requested_at IS NOT NULL, v.kind, v.schedule::text, p.max_uses FROM passes p "
      "JOIN visit_windows v ON v.id = p.visitor_id WHERE p.visitor_id = $1");
  pool.prepare("passes_keychain_requested",
               "UPDATE passes SET keychain_requested_at = now(), bmx_tenant_id = $2 "
               "WHERE visitor_id = $1 AND status = 'pending' RETURNING 1");
  pool.prepare("passes_keychain_created",
               "UPDATE passes SET bmx_keychain_id = $2 WHERE visitor_id = $1 "
               "AND status = 'pending' RETURNING 1");
  pool.prepare("passes_issued",
               "UPDATE passes SET status = 'issued', bmx_virtual_key_id = $2, key_id = $3, "
               "credential = $4, issued_at = now() WHERE visitor_id = $1 AND status = 'pending' "
               "RETURNING property_id");
  pool.prepare("passes_failed",
               "UPDATE passes p SET status = 'failed', failure_code = $2, failure_reason = $3 "
               "FROM visit_windows v WHERE v.id = p.visitor_id AND p.visitor_id = $1 "
               "AND p.status = 'pending' RETURNING p.property_id, v.host_user_id, v.name");
  pool.prepare("passes_revoke",
               "UPDATE passes SET status = 'revoked', revoked_at = now() WHERE visitor_id = $1 "
               "AND status <> 'revoked' RETURNING property_id, bmx_keychain_id");
  pool.prepare("passes_revoke_hosted",
               "UPDATE passes p SET status = 'revoked', revoked_at = now() FROM visit_windows v "
               "WHERE v.id = p.visitor_id AND v.host_user_id = $1 AND p.property_id = $2 "
               "AND p.status IN ('pending', 'issued') RETURNING p.visitor_id, p.bmx_keychain_id");
  pool.prepare("passes_revoke_property",
               "UPDATE passes SET status = 'revoked', revoked_at = now() WHERE property_id = $1 "
               "AND status IN ('pending', 'issued') RETURNING visitor_id, bmx_keychain_id");
  // BMX may still be finishing a creation we gave up on until $2 ms have passed.
  pool.prepare("passes_reconcile_state",
               "SELECT bmx_keychain_id, status, property_id, "
               "now() - keychain_requested_at >= $2 * interval '1 millisecond' "
               "FROM passes WHERE visitor_id = $1");
  pool.prepare("passes_bmx_deleted",
               "UPDATE passes SET bmx_deleted_at = now() WHERE visitor_id = $1");
  // The page shows the window in the property's own time zone.
  pool.prepare("passes_credentials",
               "SELECT p.visitor_id, p.property_id, pr.name, rfc3339(v.starts_at), "
               "rfc3339(v.ends_at), p.key_id, p.credential, v.starts_at <= $2::timestamptz "
               "FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "JOIN property_rules pr ON pr.id = p.property_id "
               "WHERE p.holder_user_id = $1 AND p.status = 'issued' "
               "AND NOT coalesce(p.uses >= p.max_uses, false) "
               "AND v.ends_at > $2::timestamptz ORDER BY v.starts_at, p.visitor_id");
  // Passes at this tenant that could have been used around the event's time
  // (one_time and delivery keys work for a few minutes after their window).
  pool.prepare("passes_usage_candidates",
               "SELECT p.visitor_id, p.bmx_virtual_key_id, v.host_user_id, v.name, p.uses, "
               "v.kind FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "WHERE p.property_id = $1 AND p.bmx_tenant_id = $2 AND p.status = 'issued' "
               "AND NOT coalesce(p.uses >= p.max_uses, false) "
               "AND v.starts_at <= $3::timestamptz + interval '15 min' "
               "AND v.ends_at >= $3::timestamptz - interval '20 min'");
  // BMX's count only grows: an older read that comes late changes nothing. The
  // self-join gives the row as it was, to tell a first arrival and the use that
  // reached the cap.
  pool.prepare("passes_used",
               "UPDATE passes p SET uses = $2, "
               "first_used_at = coalesce(p.first_used_at, $3::timestamptz, now()), "
               "last_used_at = coalesce($4::timestamptz, now()), "
               "arrived_at = coalesce(p.arrived_at, $3::timestamptz, now()) "
               "FROM passes old WHERE old.visitor_id = p.visitor_id AND p.visitor_id = $1 "
               "AND p.uses < $2 "
               "RETURNING old.arrived_at IS NULL, "
               "p.max_uses IS NOT NULL AND $2 >= p.max_uses, p.max_uses");
}

void insert(pqxx::transaction_base& tx, const NewRow& row) {
  tx.exec_prepared("passes_insert", row.visitor_id, row.property_id, row.holder_user_id,
                   row.on_placeholder ? "placeholder_tenant" : "resident_tenant", row.token_hash,
                   row.max_uses);
}

std::optional<Issuance> issuance(pqxx::transaction_base& tx, const std::string& visitor_id) {
  const auto rows = tx.exec_prepared("passes_load", visitor_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  // The window's bounds come from rfc3339(): they always parse.
  return Issuance{
      row[0].as<std::string>(),
      row[1].as<std::string>() == "placeholder_tenant",
      db::optional_of<std::string>(row[2]),
      row[3].as<std::string>(),
      row[4].as<std::string>(),
      common::parse_rfc3339(row[5].as<std::string>()).value_or(common::TimePoint{}),
      common::parse_rfc3339(row[6].as<std::string>()).value_or(common::TimePoint{}),
      db::optional_of<std::string>(row[7]),
      db::optional_of<std::int64_t>(row[8]),
      row[9].as<bool>(),
      row[10].as<std::string>(),
      row[11].is_null() ? std::nullopt : std::optional(weekly_windows(row[11].as<std::string>())),
      db::optional_of<int>(row[12])};
}

void keychain_requested(pqxx::transaction_base& tx, const std::string& visitor_id,
                        std::int64_t tenant_id) {
  tx.exec_prepared("passes_keychain_requested", visitor_id, tenant_id);
}

bool keychain_created(pqxx::transaction_base& tx, const std::string& visitor_id,
                      std::int64_t keychain_id) {
  return !tx.exec_prepared("passes_keychain_created", visitor_id, keychain_id).empty();
}

bool issued(pqxx::transaction_base& tx, const std::string& visitor_id, std::int64_t key_id,
            const std::string& sealing_key_id, const std::string& sealed_credential) {
  const pqxx::binarystring credential(sealed_credential);
  return !tx.exec_prepared("passes_issued", visitor_id, key_id, sealing_key_id, credential).empty();
}

std::optional<Failed> failed(pqxx::transaction_base& tx, const std::string& visitor_id,
                             const std::string& code, const std::string& reason) {
  const auto rows = tx.exec_prepared("passes_failed", visitor_id, code, reason);
  if (rows.empty()) return std::nullopt;
  return Failed{rows[0][0].as<std::string>(), db::optional_of<std::string>(rows[0][1]),
                rows[0][2].as<std::string>()};
}

std::optional<Revoked> revoke(pqxx::transaction_base& tx, const std::string& visitor_id) {
  const auto rows = tx.exec_prepared("passes_revoke", visitor_id);
  if (rows.empty()) return std::nullopt;
  return Revoked{visitor_id, rows[0][0].as<std::string>(), !rows[0][1].is_null()};
}

std::vector<Revoked> revoke_hosted_by(pqxx::transaction_base& tx, const std::string& user_id,
                                      const std::string& property_id) {
  return revoked_from(tx.exec_prepared("passes_revoke_hosted", user_id, property_id), property_id);
}

std::vector<Revoked> revoke_all_at(pqxx::transaction_base& tx, const std::string& property_id) {
  return revoked_from(tx.exec_prepared("passes_revoke_property", property_id), property_id);
}

std::optional<Keychain> keychain_of(pqxx::transaction_base& tx, const std::string& visitor_id,
                                    std::chrono::milliseconds settle_time) {
  const auto rows = tx.exec_prepared("passes_reconcile_state", visitor_id,
                                     static_cast<long long>(settle_time.count()));
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  // Never asked for a keychain: nothing can be on its way.
  return Keychain{db::optional_of<std::int64_t>(row[0]), row[2].as<std::string>(),
                  row[1].as<std::string>(), row[3].is_null() || row[3].as<bool>()};
}

void deleted_at_bmx(pqxx::transaction_base& tx, const std::string& visitor_id) {
  tx.exec_prepared("passes_bmx_deleted", visitor_id);
}

std::vector<Credential> credentials_of(pqxx::transaction_base& tx, const std::string& user_id,
                                       common::TimePoint now) {
  std::vector<Credential> credentials;
  for (const auto& row :
       tx.exec_prepared("passes_credentials", user_id, common::to_sql_timestamp(now))) {
    credentials.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                           row[2].as<std::string>(), row[3].as<std::string>(),
                           row[4].as<std::string>(), row[5].as<std::string>(),
                           pqxx::binarystring(row[6]).str(), row[7].as<bool>()});
  }
  return credentials;
}

std::vector<UsageCandidate> usage_candidates(pqxx::transaction_base& tx,
                                             const std::string& property_id, std::int64_t tenant_id,
                                             common::TimePoint at) {
  std::vector<UsageCandidate> candidates;
  for (const auto& row : tx.exec_prepared("passes_usage_candidates", property_id, tenant_id,
                                          common::to_sql_timestamp(at))) {
    candidates.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(),
                          db::optional_of<std::string>(row[2]), row[3].as<std::string>(),
                          row[4].as<int>(), row[5].as<std::string>()});
  }
  return candidates;
}

std::optional<Used> used(pqxx::transaction_base& tx, const std::string& visitor_id, int uses,
                         const std::optional<std::string>& first_used_at,
                         const std::optional<std::string>& last_used_at) {
  const auto rows = tx.exec_prepared("passes_used", visitor_id, uses, first_used_at, last_used_at);
  if (rows.empty()) return std::nullopt;
  return Used{rows[0][0].as<bool>(), rows[0][1].as<bool>(), db::optional_of<int>(rows[0][2])};
}

void prepare_page(db::Pool& pool, db::AsyncDatabase& database) {
  pool.prepare("passes_page",
               "SELECT p.visitor_id, p.status, p.key_id, p.credential, v.name, pr.name, "
               "to_char(v.starts_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI'), "
               "to_char(v.ends_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI'), "
               "pr.time_zone, v.starts_at > $2::timestamptz, v.ends_at <= $2::timestamptz, "
               "v.kind, coalesce(p.uses >= p.max_uses, false), p.uses, "
               // A weekly pass's schedule as the apps word it (rules::schedule_text):
               // "Mon, Thu 09:00–12:00, until 1 Mar 2027"; its days are stored Monday first.
               "CASE WHEN v.schedule IS NOT NULL THEN "
               "(SELECT string_agg(initcap(d), ', ' ORDER BY n) "
               "FROM jsonb_array_elements_text(v.schedule->'days') WITH ORDINALITY AS x(d, n)) "
               "|| ' ' || (v.schedule->>'from') || '–' || (v.schedule->>'to') || ', until ' "
               "|| to_char((v.schedule->>'ends_on')::date, 'FMDD Mon YYYY') END "
               "FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "JOIN property_rules pr ON pr.id = p.property_id WHERE p.token_hash = $1");
  database.use("passes_page");
  // Unknown pass tokens are guesses, counted per client address on every
  // instance together (http's rate_limit_take: 20 per 10 minutes).
  pool.prepare("passes_take_guess", "SELECT rate_limit_take('pass-guess:' || $1, 20, 600)");
  database.use("passes_take_guess");
}

boost::asio::awaitable<bool> guess_allowed(db::AsyncDatabase& database,
                                           const std::string& remote_address) {
  const auto rows = co_await database.run("passes_take_guess", remote_address);
  co_return rows[0][0].as<long long>() == 0;
}

boost::asio::awaitable<std::optional<Page>> page(db::AsyncDatabase& database,
                                                 const std::string& token_hash,
                                                 common::TimePoint now) {
  const auto rows = co_await database.run("passes_page", token_hash, common::to_sql_timestamp(now));
  if (rows.empty()) co_return std::nullopt;
  const auto row = rows[0];
  // A pass still pending has no key or credential yet.
  co_return Page{row[0].as<std::string>(),
                 row[1].as<std::string>(),
                 row[2].is_null() ? std::string() : row[2].as<std::string>(),
                 row[3].is_null() ? std::string() : row[3].bytes(),
                 row[4].as<std::string>(),
                 row[5].as<std::string>(),
                 row[6].as<std::string>(),
                 row[7].as<std::string>(),
                 row[8].as<std::string>(),
                 row[9].as<bool>(),
                 row[10].as<bool>(),
                 row[11].as<std::string>(),
                 row[12].as<bool>(),
                 row[13].as<int>(),
                 row[14].is_null() ? std::string() : row[14].as<std::string>()};
}

}  // namespace frontdoor::passes::store
