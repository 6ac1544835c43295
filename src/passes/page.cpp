// The pass page a property-only visitor opens from the SMS, as HTML: mobile
// first, no external assets, the QR code inline, and a clear page (never a QR)
// for passes that are not valid right now. What it shows comes from PassPages.
#include "frontdoor/passes/page.hpp"

#include <string_view>

#include "frontdoor/common/html.hpp"

namespace frontdoor::passes {
namespace {

// Everything the page needs is in the document: no scripts, no fetched assets.
http::Response html_page(int status, const std::string& title, const std::string& body) {
  static constexpr std::string_view kHead =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\">"
      "<title>";
  static constexpr std::string_view kStyle =
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
      "</style></head><body><main><div class=\"card\">";
  static constexpr std::string_view kTail = "</div></main></body></html>";
  const auto escaped_title = common::html_escape(title);
  // One buffer, sized once: the page carries a QR code of a few kilobytes.
  std::string html;
  html.reserve(kHead.size() + escaped_title.size() + kStyle.size() + body.size() + kTail.size());
  html.append(kHead).append(escaped_title).append(kStyle).append(body).append(kTail);
  auto response = http::Response::text(status, std::move(html), "text/html; charset=utf-8");
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

// What kind of pass this is, as the page names it.
std::string kind_label(visitors::Kind kind) {
  switch (kind) {
    case visitors::Kind::one_time:
      return "One-time pass: it opens the door once";
    case visitors::Kind::recurring:
      return "Weekly pass";
    case visitors::Kind::delivery:
      return "Delivery pass: it opens the door once";
    case visitors::Kind::window:
      break;
  }
  return "Visitor pass";
}

}  // namespace

http::Response render_pass_page(const PassView& view) {
  const auto visitor = common::html_escape(view.visitor_name);
  const auto starts = common::html_escape(view.starts);
  const auto ends = common::html_escape(view.ends);
  const auto zone = common::html_escape(view.time_zone);
  const std::string heading = "<p class=\"muted\">" + common::html_escape(view.property_name) +
                              " &middot; " + common::html_escape(kind_label(view.kind)) + "</p>";
  // A weekly pass opens in its windows, not from its first to its last.
  const std::string window =
      view.schedule.empty()
          ? "<p>" + starts + " to " + ends + " <span class=\"muted\">(" + zone + ")</span></p>"
          : "<p>" + common::html_escape(view.schedule) + " <span class=\"muted\">(" + zone +
                ")</span></p>";
  switch (view.state) {
    case PassView::State::unknown:
      return unknown_page();
    case PassView::State::rate_limited: {
      auto limited = html_page(429, "Too many attempts",
                               "<h1>Too many attempts</h1><p>Please wait a few minutes and "
                               "open the link from your message again.</p>");
      limited.set_header("Retry-After", "600");
      return limited;
    }
    case PassView::State::revoked:
      return html_page(410, "Pass revoked",
                       heading + "<h1>This pass was revoked</h1><p>The pass for " + visitor +
                           " no longer opens the door. Ask the person you are visiting for a "
                           "new one.</p>");
    case PassView::State::used_up:
      return html_page(410, "Pass used",
                       heading + "<h1>This pass has been used</h1><p>The pass for " + visitor +
                           " was used " + std::to_string(view.uses) +
                           (view.uses == 1 ? " time" : " times") +
                           ", as many as it allows, and no longer opens the door. Ask the person "
                           "you are visiting for a new one.</p>");
    case PassView::State::failed:
      return html_page(200, "Pass unavailable",
                       heading +
                           "<h1>This pass could not be issued</h1><p>Please ask the "
                           "person you are visiting to add you again.</p>");
    case PassView::State::expired:
      return html_page(410, "Pass expired",
                       heading + "<h1>This pass has expired</h1><p>It was valid " + starts +
                           " to " + ends + " (" + zone + ").</p>");
    case PassView::State::pending:
      return html_page(200, "Pass on its way",
                       heading +
                           "<h1>Your pass is being prepared</h1><p>This usually takes a "
                           "moment. Reload this page shortly.</p>" +
                           window);
    case PassView::State::not_yet:
      return html_page(200, "Pass not valid yet",
                       heading + "<h1>Your pass is not valid yet</h1><p>Hello " + visitor +
                           ", your pass works from <strong>" + starts + "</strong> (" + zone +
                           ") until " + ends + ". Open this page again then.</p>" +
                           (view.schedule.empty() ? std::string() : window));
    case PassView::State::valid:
      break;
  }
  return html_page(200, "Your visitor pass",
                   heading + "<h1>Welcome, " + visitor + "</h1>" + window + "<div class=\"qr\">" +
                       view.qr_svg +
                       "</div>"
                       "<p>At the entrance panel, choose <strong>Scan QR code</strong> and hold "
                       "this screen up to the camera. Turn the brightness up if it does not "
                       "scan.</p><p class=\"muted\">Or enter the PIN <span class=\"pin\">" +
                       common::html_escape(view.pin) + "</span></p>");
}

}  // namespace frontdoor::passes
