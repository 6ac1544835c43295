// The pass page a property-only visitor opens from the SMS: mobile-first HTML
// with no external assets, the QR code inline, and a clear page (never a QR)
// for passes that are not valid right now.
#include <pqxx/pqxx>

#include "frontdoor/common/html.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/passes/qr.hpp"
#include "frontdoor/passes/service.hpp"

namespace frontdoor::passes {
namespace {

constexpr int kUnknownTokensPerWindow = 20;
constexpr auto kGuessWindow = std::chrono::minutes(10);

bool is_token(const std::string& token) {
  return token.size() == 32 && token.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Everything the page needs is in the document: no scripts, no fetched assets.
http::Response html_page(int status, const std::string& title, const std::string& body) {
  const std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\">"
      "<title>" +
      common::html_escape(title) +
      "</title><style>"
      "body{margin:0;font:17px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
      "color:#1b1f24;background:#f4f5f7}"
      "main{max-width:28rem;margin:0 auto;padding:1.5rem 1.25rem}"
      "h1{font-size:1.4rem;margin:.2rem 0 1rem}"
      ".card{background:#fff;border-radius:14px;padding:1.25rem;"
      "box-shadow:0 1px 3px rgba(0,0,0,.12)}"
      ".qr{background:#fff;padding:.5rem;margin:1rem auto;max-width:20rem}"
      ".qr svg{display:block;width:100%;height:auto}"
      ".muted{color:#59636e;font-size:.95rem}.pin{font-size:1.3rem;letter-spacing:.2em}"
      "</style></head><body><main><div class=\"card\">" +
      body + "</div></main></body></html>";
  auto response = http::Response::text(status, html, "text/html; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("X-Content-Type-Options", "nosniff");
  return response;
}

http::Response unknown_page() {
  return html_page(404, "Pass not found",
                   "<h1>Pass not found</h1><p>This link does not lead to a visitor pass. "
                   "Check the link in your message, or ask the person you are visiting to "
                   "send a new one.</p>");
}

}  // namespace

PassesService::ShownCredential PassesService::shown_credential(const pqxx::row& row) {
  const auto pass_id = row[10].as<std::string>();
  const auto key_id = row[1].as<std::string>();
  const auto ciphertext = pqxx::binarystring(row[2]).str();
  std::string sealed = key_id + '\0' + ciphertext;
  if (auto known = shown_.get(pass_id); known && known->sealed == sealed) return *known;
  ShownCredential shown{
      std::move(sealed), cipher_.open({key_id, ciphertext}, "pass:" + pass_id), {}};
  shown.qr_svg = qr_svg(shown.pin);
  shown_.put(pass_id, shown);
  return shown;
}

bool PassesService::unknown_token_allowed(const std::string& remote_address) {
  std::lock_guard lock(guesses_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - guesses_window_ > kGuessWindow) {
    guesses_.clear();
    guesses_window_ = now;
  }
  return ++guesses_[remote_address] <= kUnknownTokensPerWindow;
}

http::Response PassesService::page(const std::string& token, const std::string& remote_address) {
  pqxx::result rows;
  if (is_token(token)) {
    rows = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared("passes_page", common::sha256_hex(token),
                              common::to_sql_timestamp(clock_.now()));
    });
  }
  if (rows.empty()) {
    if (!unknown_token_allowed(remote_address)) {
      auto limited = html_page(429, "Too many attempts",
                               "<h1>Too many attempts</h1><p>Please wait a few minutes and "
                               "open the link from your message again.</p>");
      limited.set_header("Retry-After", "600");
      return limited;
    }
    return unknown_page();
  }
  const auto& row = rows[0];
  const auto status = row[0].as<std::string>();
  const auto visitor = common::html_escape(row[3].as<std::string>());
  const auto property = common::html_escape(row[4].as<std::string>());
  const auto starts = common::html_escape(row[5].as<std::string>());
  const auto ends = common::html_escape(row[6].as<std::string>());
  const auto zone = common::html_escape(row[7].as<std::string>());
  const bool not_yet = row[8].as<bool>();
  const bool over = row[9].as<bool>();
  const std::string heading = "<p class=\"muted\">" + property + "</p>";
  const std::string window =
      "<p>" + starts + " to " + ends + " <span class=\"muted\">(" + zone + ")</span></p>";

  if (status == "revoked") {
    return html_page(410, "Pass revoked",
                     heading + "<h1>This pass was revoked</h1><p>The pass for " + visitor +
                         " no longer opens the door. Ask the person you are visiting for a "
                         "new one.</p>");
  }
  if (status == "failed") {
    return html_page(200, "Pass unavailable",
                     heading +
                         "<h1>This pass could not be issued</h1><p>Please ask the "
                         "person you are visiting to add you again.</p>");
  }
  if (over) {
    return html_page(410, "Pass expired",
                     heading + "<h1>This pass has expired</h1><p>It was valid " + starts + " to " +
                         ends + " (" + zone + ").</p>");
  }
  if (status == "pending") {
    return html_page(200, "Pass on its way",
                     heading +
                         "<h1>Your pass is being prepared</h1><p>This usually takes a "
                         "moment. Reload this page shortly.</p>" +
                         window);
  }
  if (not_yet) {
    return html_page(200, "Pass not valid yet",
                     heading + "<h1>Your pass is not valid yet</h1><p>Hello " + visitor +
                         ", your pass works from <strong>" + starts + "</strong> (" + zone +
                         ") until " + ends + ". Open this page again then.</p>");
  }
  const auto shown = shown_credential(row);
  return html_page(200, "Your visitor pass",
                   heading + "<h1>Welcome, " + visitor + "</h1>" + window + "<div class=\"qr\">" +
                       shown.qr_svg +
                       "</div>"
                       "<p>At the entrance panel, choose <strong>Scan QR code</strong> and hold "
                       "this screen up to the camera. Turn the brightness up if it does not "
                       "scan.</p><p class=\"muted\">Or enter the PIN <span class=\"pin\">" +
                       common::html_escape(shown.pin) + "</span></p>");
}

http::Response PassesService::qr(const std::string& token) {
  if (!is_token(token)) return http::Response::text(404, "not found\n");
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_page", common::sha256_hex(token),
                            common::to_sql_timestamp(clock_.now()));
  });
  if (rows.empty() || rows[0][0].as<std::string>() != "issued" || rows[0][8].as<bool>() ||
      rows[0][9].as<bool>()) {
    return http::Response::text(404, "not found\n");
  }
  auto response = http::Response::text(200, shown_credential(rows[0]).qr_svg, "image/svg+xml");
  response.set_header("Cache-Control", "no-store");
  return response;
}

}  // namespace frontdoor::passes
