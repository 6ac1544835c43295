// SQL of the passes module. A pass belongs to its visit, so these statements
// read the visit's name and window from the visitors module's visit_windows
// view (docs/tables.md); only this module writes passes.
#include "store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::passes::store {
namespace {

constexpr db::Statement kInsert{"passes_insert", R"sql(
  INSERT INTO passes (visitor_id, property_id, holder_user_id, via, token_hash, max_uses)
  VALUES ($1, $2, $3, $4, $5, $6))sql",
                                6};
constexpr db::Statement kIssuance{"passes_issuance", R"sql(
  SELECT p.status, p.via = 'placeholder_tenant' AS on_placeholder, v.host_user_id, p.property_id,
         v.name AS visitor_name, v.starts_at, v.ends_at, v.email,
         p.bmx_keychain_id AS keychain_id, p.keychain_requested_at IS NOT NULL AS interrupted,
         v.kind, v.schedule::text AS schedule, p.max_uses
  FROM passes p JOIN visit_windows v ON v.id = p.visitor_id WHERE p.visitor_id = $1)sql",
                                  1};
constexpr db::Statement kKeychainRequested{"passes_keychain_requested", R"sql(
  UPDATE passes SET keychain_requested_at = now(), bmx_tenant_id = $2
  WHERE visitor_id = $1 AND status = 'pending')sql",
                                           2};
constexpr db::Statement kKeychainCreated{"passes_keychain_created", R"sql(
  UPDATE passes SET bmx_keychain_id = $2 WHERE visitor_id = $1 AND status = 'pending'
  RETURNING visitor_id)sql",
                                         2};
constexpr db::Statement kIssued{"passes_issued", R"sql(
  UPDATE passes SET status = 'issued', bmx_virtual_key_id = $2, key_id = $3, credential = $4,
                    issued_at = now()
  WHERE visitor_id = $1 AND status = 'pending' RETURNING visitor_id)sql",
                                4};
constexpr db::Statement kFailed{"passes_failed", R"sql(
  UPDATE passes p SET status = 'failed', failure_code = $2, failure_reason = $3
  FROM visit_windows v WHERE v.id = p.visitor_id AND p.visitor_id = $1 AND p.status = 'pending'
  RETURNING p.property_id, v.host_user_id, v.name AS visitor_name)sql",
                                3};
constexpr db::Statement kRevoke{"passes_revoke", R"sql(
  UPDATE passes SET status = 'revoked', revoked_at = now()
  WHERE visitor_id = $1 AND status <> 'revoked'
  RETURNING visitor_id, property_id, bmx_keychain_id IS NOT NULL AS has_keychain)sql",
                                1};
constexpr db::Statement kRevokeHosted{"passes_revoke_hosted", R"sql(
  UPDATE passes p SET status = 'revoked', revoked_at = now() FROM visit_windows v
  WHERE v.id = p.visitor_id AND v.host_user_id = $1 AND p.property_id = $2
    AND p.status IN ('pending', 'issued')
  RETURNING p.visitor_id, p.property_id, p.bmx_keychain_id IS NOT NULL AS has_keychain)sql",
                                      2};
constexpr db::Statement kRevokeProperty{"passes_revoke_property", R"sql(
  UPDATE passes SET status = 'revoked', revoked_at = now()
  WHERE property_id = $1 AND status IN ('pending', 'issued')
  RETURNING visitor_id, property_id, bmx_keychain_id IS NOT NULL AS has_keychain)sql",
                                        1};
// BMX may still be finishing a creation we gave up on until $2 ms have passed;
// a pass that never asked for a keychain has nothing on its way.
constexpr db::Statement kKeychain{"passes_keychain", R"sql(
  SELECT bmx_keychain_id AS id, property_id, status,
         coalesce(now() - keychain_requested_at >= $2 * interval '1 millisecond', true) AS settled
  FROM passes WHERE visitor_id = $1)sql",
                                  2};
constexpr db::Statement kDeletedAtBmx{
    "passes_bmx_deleted", "UPDATE passes SET bmx_deleted_at = now() WHERE visitor_id = $1", 1};
constexpr db::Statement kCredentials{"passes_credentials", R"sql(
  SELECT p.visitor_id, p.property_id, pr.name AS property_name, v.starts_at, v.ends_at,
         p.key_id AS sealing_key_id, p.credential AS sealed, v.starts_at <= $2::timestamptz AS valid_now
  FROM passes p JOIN visit_windows v ON v.id = p.visitor_id
  JOIN property_rules pr ON pr.id = p.property_id
  WHERE p.holder_user_id = $1 AND p.status = 'issued' AND NOT coalesce(p.uses >= p.max_uses, false)
    AND v.ends_at > $2::timestamptz
  ORDER BY v.starts_at, p.visitor_id)sql",
                                     2};
// Passes at this tenant that could have been used around the event's time
// (one_time and delivery keys work for a few minutes after their window).
constexpr db::Statement kUsageCandidates{"passes_usage_candidates", R"sql(
  SELECT p.visitor_id, p.bmx_virtual_key_id AS key_id, v.host_user_id, v.name AS visitor_name,
         p.uses, v.kind
  FROM passes p JOIN visit_windows v ON v.id = p.visitor_id
  WHERE p.property_id = $1 AND p.bmx_tenant_id = $2 AND p.status = 'issued'
    AND NOT coalesce(p.uses >= p.max_uses, false)
    AND v.starts_at <= $3::timestamptz + interval '15 min'
    AND v.ends_at >= $3::timestamptz - interval '20 min')sql",
                                         3};
// BMX's count only grows: an older read that comes late changes nothing. The
// self-join gives the row as it was, to tell a first arrival and the use that
// reached the cap.
constexpr db::Statement kUsed{"passes_used", R"sql(
  UPDATE passes p SET uses = $2,
    first_used_at = coalesce(p.first_used_at, $3::timestamptz, now()),
    last_used_at = coalesce($4::timestamptz, now()),
    arrived_at = coalesce(p.arrived_at, $3::timestamptz, now())
  FROM passes old WHERE old.visitor_id = p.visitor_id AND p.visitor_id = $1 AND p.uses < $2
  RETURNING old.arrived_at IS NULL AS first_arrival,
            p.max_uses IS NOT NULL AND $2 >= p.max_uses AS cap_reached, p.max_uses)sql",
                              4};
// The page shows the window in the property's own time zone, and a weekly
// pass's schedule as the apps word it (rules::schedule_text): "Mon, Thu
// 09:00–12:00, until 1 Mar 2027"; its days are stored Monday first. A pass
// still pending has no key or credential yet.
constexpr db::Statement kPage{"passes_page", R"sql(
  SELECT p.visitor_id AS pass_id, p.status, coalesce(p.key_id, '') AS sealing_key_id,
         coalesce(p.credential, ''::bytea) AS sealed, v.name AS visitor_name,
         pr.name AS property_name,
         to_char(v.starts_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI') AS starts,
         to_char(v.ends_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI') AS ends,
         pr.time_zone, v.starts_at > $2::timestamptz AS not_yet,
         v.ends_at <= $2::timestamptz AS over, v.kind,
         coalesce(p.uses >= p.max_uses, false) AS used_up, p.uses,
         coalesce((SELECT string_agg(initcap(d), ', ' ORDER BY n)
                   FROM jsonb_array_elements_text(v.schedule->'days') WITH ORDINALITY AS x(d, n))
                  || ' ' || (v.schedule->>'from') || '–' || (v.schedule->>'to') || ', until '
                  || to_char((v.schedule->>'ends_on')::date, 'FMDD Mon YYYY'), '') AS schedule
  FROM passes p JOIN visit_windows v ON v.id = p.visitor_id
  JOIN property_rules pr ON pr.id = p.property_id WHERE p.token_hash = $1)sql",
                              2};
// Unknown pass tokens are guesses, counted per client address on every
// instance together (http's rate_limit_take: 20 per 10 minutes).
constexpr db::Statement kTakeGuess{
    "passes_take_guess", "SELECT rate_limit_take('pass-guess:' || $1, 20, 600) AS wait", 1};

struct IssuanceRow : Issuance {
  std::optional<std::string> schedule;  // the visit's weekly schedule, as JSON
};
struct PresentRow {
  std::string visitor_id;
};
struct CredentialRow : Credential {
  db::Bytes sealed;
};
struct PageRow : Page {
  db::Bytes sealed;
};
struct GuessRow {
  std::int64_t wait = 0;
};

}  // namespace
}  // namespace frontdoor::passes::store

namespace frontdoor::db {

using namespace passes::store;

template <>
struct Shape<IssuanceRow> {
  using R = IssuanceRow;
  static constexpr auto columns = std::make_tuple(
      column_of<R>("status", &Issuance::status),
      column_of<R>("on_placeholder", &Issuance::on_placeholder),
      column_of<R>("host_user_id", &Issuance::host_user_id),
      column_of<R>("property_id", &Issuance::property_id),
      column_of<R>("visitor_name", &Issuance::visitor_name),
      column_of<R>("starts_at", &Issuance::starts_at), column_of<R>("ends_at", &Issuance::ends_at),
      column_of<R>("email", &Issuance::email), column_of<R>("keychain_id", &Issuance::keychain_id),
      column_of<R>("interrupted", &Issuance::interrupted), column_of<R>("kind", &Issuance::kind),
      column_of<R>("max_uses", &Issuance::max_uses), column("schedule", &R::schedule));
};
template <>
struct Shape<PresentRow> {
  static constexpr auto columns = std::make_tuple(column("visitor_id", &PresentRow::visitor_id));
};
template <>
struct Shape<Failed> {
  static constexpr auto columns = std::make_tuple(column("property_id", &Failed::property_id),
                                                  column("host_user_id", &Failed::host_user_id),
                                                  column("visitor_name", &Failed::visitor_name));
};
template <>
struct Shape<Revoked> {
  static constexpr auto columns = std::make_tuple(column("visitor_id", &Revoked::visitor_id),
                                                  column("property_id", &Revoked::property_id),
                                                  column("has_keychain", &Revoked::has_keychain));
};
template <>
struct Shape<Keychain> {
  static constexpr auto columns =
      std::make_tuple(column("id", &Keychain::id), column("property_id", &Keychain::property_id),
                      column("status", &Keychain::status), column("settled", &Keychain::settled));
};
template <>
struct Shape<CredentialRow> {
  using R = CredentialRow;
  static constexpr auto columns = std::make_tuple(
      column_of<R>("visitor_id", &Credential::visitor_id),
      column_of<R>("property_id", &Credential::property_id),
      column_of<R>("property_name", &Credential::property_name),
      column_of<R>("starts_at", &Credential::starts_at),
      column_of<R>("ends_at", &Credential::ends_at),
      column_of<R>("sealing_key_id", &Credential::sealing_key_id),
      column_of<R>("valid_now", &Credential::valid_now), column("sealed", &R::sealed));
};
template <>
struct Shape<UsageCandidate> {
  using R = UsageCandidate;
  static constexpr auto columns = std::make_tuple(
      column("visitor_id", &R::visitor_id), column("key_id", &R::key_id),
      column("host_user_id", &R::host_user_id), column("visitor_name", &R::visitor_name),
      column("uses", &R::uses), column("kind", &R::kind));
};
template <>
struct Shape<Used> {
  static constexpr auto columns = std::make_tuple(column("first_arrival", &Used::first_arrival),
                                                  column("cap_reached", &Used::cap_reached),
                                                  column("max_uses", &Used::max_uses));
};
template <>
struct Shape<PageRow> {
  using R = PageRow;
  static constexpr auto columns = std::make_tuple(
      column_of<R>("pass_id", &Page::pass_id), column_of<R>("status", &Page::status),
      column_of<R>("sealing_key_id", &Page::sealing_key_id),
      column_of<R>("visitor_name", &Page::visitor_name),
      column_of<R>("property_name", &Page::property_name), column_of<R>("starts", &Page::starts),
      column_of<R>("ends", &Page::ends), column_of<R>("time_zone", &Page::time_zone),
      column_of<R>("not_yet", &Page::not_yet), column_of<R>("over", &Page::over),
      column_of<R>("kind", &Page::kind), column_of<R>("used_up", &Page::used_up),
      column_of<R>("uses", &Page::uses), column_of<R>("schedule", &Page::schedule),
      column("sealed", &R::sealed));
};
template <>
struct Shape<GuessRow> {
  static constexpr auto columns = std::make_tuple(column("wait", &GuessRow::wait));
};

}  // namespace frontdoor::db

namespace frontdoor::passes::store {
namespace {

// A weekly schedule as the visitors module stores it, in BMX's terms.
bmx::WeeklyWindows weekly_windows(const std::string& schedule_text) {
  const auto schedule = nlohmann::json::parse(schedule_text);
  return {schedule.at("days").get<std::vector<std::string>>(), schedule.at("from"),
          schedule.at("to"), schedule.at("starts_on"), schedule.at("ends_on")};
}

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement :
       {&kInsert, &kIssuance, &kKeychainRequested, &kKeychainCreated, &kIssued, &kFailed, &kRevoke,
        &kRevokeHosted, &kRevokeProperty, &kKeychain, &kDeletedAtBmx, &kCredentials,
        &kUsageCandidates, &kUsed}) {
    pool.prepare(*statement);
  }
}

void insert(pqxx::transaction_base& tx, const NewRow& row) {
  db::exec(tx, kInsert, row.visitor_id, row.property_id, row.holder_user_id,
           row.on_placeholder ? "placeholder_tenant" : "resident_tenant", row.token_hash,
           row.max_uses);
}

std::optional<Issuance> issuance(pqxx::transaction_base& tx, const std::string& visitor_id) {
  auto row = db::read_first<IssuanceRow>(db::exec(tx, kIssuance, visitor_id));
  if (!row) return std::nullopt;
  if (row->schedule) row->weekly = weekly_windows(*row->schedule);
  return Issuance(std::move(*row));
}

void keychain_requested(pqxx::transaction_base& tx, const std::string& visitor_id,
                        std::int64_t tenant_id) {
  db::exec(tx, kKeychainRequested, visitor_id, tenant_id);
}

bool keychain_created(pqxx::transaction_base& tx, const std::string& visitor_id,
                      std::int64_t keychain_id) {
  return db::read_first<PresentRow>(db::exec(tx, kKeychainCreated, visitor_id, keychain_id))
      .has_value();
}

bool issued(pqxx::transaction_base& tx, const std::string& visitor_id, std::int64_t key_id,
            const std::string& sealing_key_id, const std::string& sealed_credential) {
  const pqxx::binarystring credential(sealed_credential);
  return db::read_first<PresentRow>(
             db::exec(tx, kIssued, visitor_id, key_id, sealing_key_id, credential))
      .has_value();
}

std::optional<Failed> failed(pqxx::transaction_base& tx, const std::string& visitor_id,
                             const std::string& code, const std::string& reason) {
  return db::read_first<Failed>(db::exec(tx, kFailed, visitor_id, code, reason));
}

std::optional<Revoked> revoke(pqxx::transaction_base& tx, const std::string& visitor_id) {
  return db::read_first<Revoked>(db::exec(tx, kRevoke, visitor_id));
}

std::vector<Revoked> revoke_hosted_by(pqxx::transaction_base& tx, const std::string& user_id,
                                      const std::string& property_id) {
  return db::read_all<Revoked>(db::exec(tx, kRevokeHosted, user_id, property_id));
}

std::vector<Revoked> revoke_all_at(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_all<Revoked>(db::exec(tx, kRevokeProperty, property_id));
}

std::optional<Keychain> keychain_of(pqxx::transaction_base& tx, const std::string& visitor_id,
                                    std::chrono::milliseconds settle_time) {
  return db::read_first<Keychain>(
      db::exec(tx, kKeychain, visitor_id, static_cast<long long>(settle_time.count())));
}

void deleted_at_bmx(pqxx::transaction_base& tx, const std::string& visitor_id) {
  db::exec(tx, kDeletedAtBmx, visitor_id);
}

std::vector<Credential> credentials_of(pqxx::transaction_base& tx, const std::string& user_id,
                                       common::TimePoint now) {
  std::vector<Credential> credentials;
  for (auto& row : db::read_all<CredentialRow>(
           db::exec(tx, kCredentials, user_id, common::to_sql_timestamp(now)))) {
    row.sealed_credential = std::move(row.sealed.bytes);
    credentials.push_back(std::move(row));
  }
  return credentials;
}

std::vector<UsageCandidate> usage_candidates(pqxx::transaction_base& tx,
                                             const std::string& property_id, std::int64_t tenant_id,
                                             common::TimePoint at) {
  return db::read_all<UsageCandidate>(
      db::exec(tx, kUsageCandidates, property_id, tenant_id, common::to_sql_timestamp(at)));
}

std::optional<Used> used(pqxx::transaction_base& tx, const std::string& visitor_id, int uses,
                         const std::optional<std::string>& first_used_at,
                         const std::optional<std::string>& last_used_at) {
  return db::read_first<Used>(db::exec(tx, kUsed, visitor_id, uses, first_used_at, last_used_at));
}

void prepare_page(db::Pool& pool, db::AsyncDatabase& database) {
  for (const auto* statement : {&kPage, &kTakeGuess}) {
    pool.prepare(*statement);
    database.use(*statement);
  }
}

boost::asio::awaitable<bool> guess_allowed(db::AsyncDatabase& database,
                                           const std::string& remote_address) {
  const auto rows = co_await database.run(kTakeGuess, remote_address);
  co_return db::read_one<GuessRow>(rows).wait == 0;
}

boost::asio::awaitable<std::optional<Page>> page(db::AsyncDatabase& database,
                                                 const std::string& token_hash,
                                                 common::TimePoint now) {
  auto row = db::read_first<PageRow>(
      co_await database.run(kPage, token_hash, common::to_sql_timestamp(now)));
  if (!row) co_return std::nullopt;
  row->sealed_credential = std::move(row->sealed.bytes);
  co_return std::optional<Page>(std::move(*row));
}

}  // namespace frontdoor::passes::store
