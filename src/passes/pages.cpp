#include "frontdoor/passes/pages.hpp"

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/passes/qr.hpp"

namespace frontdoor::passes {
namespace {

constexpr int kUnknownTokensPerWindow = 20;
constexpr auto kGuessWindow = std::chrono::minutes(10);

bool is_token(const std::string& token) {
  return token.size() == 32 && token.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// passes_page's columns.
enum Column {
  kStatus,
  kKeyId,
  kCredential,
  kVisitorName,
  kPropertyName,
  kStarts,
  kEnds,
  kTimeZone,
  kNotYet,
  kOver,
  kPassId
};

}  // namespace

PassPages::PassPages(db::Pool& pool, db::AsyncDatabase& database, const bmx::TokenCipher& cipher,
                     const common::Clock& clock)
    : database_(database), cipher_(cipher), clock_(clock) {
  pool.prepare("passes_page",
               "SELECT p.status, p.key_id, p.credential, v.name, pr.name, "
               "to_char(v.starts_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI'), "
               "to_char(v.ends_at AT TIME ZONE pr.time_zone, 'Dy DD Mon YYYY, HH24:MI'), "
               "pr.time_zone, v.starts_at > $2::timestamptz, v.ends_at <= $2::timestamptz, "
               "p.visitor_id "
               "FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "JOIN property_rules pr ON pr.id = p.property_id WHERE p.token_hash = $1");
  database_.use("passes_page");
}

std::shared_ptr<const PassPages::Shown> PassPages::shown(const std::string& pass_id,
                                                         const std::string& key_id,
                                                         const std::string& ciphertext) {
  std::string sealed = key_id + '\0' + ciphertext;
  if (auto known = shown_.get(pass_id); known && (*known)->sealed == sealed) return *known;
  auto fresh = std::make_shared<Shown>();
  fresh->pin = cipher_.open({key_id, ciphertext}, "pass:" + pass_id);
  fresh->qr_svg = qr_svg(fresh->pin);
  fresh->sealed = std::move(sealed);
  shown_.put(pass_id, fresh);
  return fresh;
}

bool PassPages::unknown_token_allowed(const std::string& remote_address) {
  std::lock_guard lock(guesses_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - guesses_window_ > kGuessWindow) {
    guesses_.clear();
    guesses_window_ = now;
  }
  return ++guesses_[remote_address] <= kUnknownTokensPerWindow;
}

boost::asio::awaitable<PassView> PassPages::view(const std::string& token,
                                                 const std::string& remote_address) {
  db::Rows rows;
  if (is_token(token)) {
    rows = co_await database_.run("passes_page", common::sha256_hex(token),
                                  common::to_sql_timestamp(clock_.now()));
  }
  PassView view;
  if (rows.empty()) {
    view.state = unknown_token_allowed(remote_address) ? PassView::State::unknown
                                                       : PassView::State::rate_limited;
    co_return view;
  }
  const auto row = rows[0];
  const auto status = row[kStatus].as<std::string>();
  view.visitor_name = row[kVisitorName].as<std::string>();
  view.property_name = row[kPropertyName].as<std::string>();
  view.starts = row[kStarts].as<std::string>();
  view.ends = row[kEnds].as<std::string>();
  view.time_zone = row[kTimeZone].as<std::string>();
  if (status == "revoked") {
    view.state = PassView::State::revoked;
  } else if (status == "failed") {
    view.state = PassView::State::failed;
  } else if (row[kOver].as<bool>()) {
    view.state = PassView::State::expired;
  } else if (status == "pending") {
    view.state = PassView::State::pending;
  } else if (row[kNotYet].as<bool>()) {
    view.state = PassView::State::not_yet;
  } else {
    view.state = PassView::State::valid;
    auto credential = shown(row[kPassId].as<std::string>(), row[kKeyId].as<std::string>(),
                            row[kCredential].bytes());
    view.pin = credential->pin;
    view.qr_svg = credential->qr_svg;
  }
  co_return view;
}

boost::asio::awaitable<std::optional<std::string>> PassPages::qr(const std::string& token) {
  if (!is_token(token)) co_return std::nullopt;
  const auto rows = co_await database_.run("passes_page", common::sha256_hex(token),
                                           common::to_sql_timestamp(clock_.now()));
  if (rows.empty()) co_return std::nullopt;
  const auto row = rows[0];
  if (row[kStatus].as<std::string>() != "issued" || row[kNotYet].as<bool>() ||
      row[kOver].as<bool>()) {
    co_return std::nullopt;
  }
  co_return shown(row[kPassId].as<std::string>(), row[kKeyId].as<std::string>(),
                  row[kCredential].bytes())
      ->qr_svg;
}

}  // namespace frontdoor::passes
