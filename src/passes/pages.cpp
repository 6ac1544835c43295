#include "frontdoor/passes/pages.hpp"

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/passes/qr.hpp"
#include "store.hpp"

namespace frontdoor::passes {

using visitors::PassStatus;
namespace {

bool is_token(const std::string& token) {
  return token.size() == 32 && token.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

PassPages::PassPages(db::Pool& pool, db::AsyncDatabase& database, const bmx::TokenCipher& cipher,
                     const common::Clock& clock)
    : database_(database), cipher_(cipher), clock_(clock) {
  store::prepare_page(pool, database_);
}

std::shared_ptr<const PassPages::Shown> PassPages::shown(const store::Page& page) {
  std::string sealed = page.sealing_key_id + '\0' + page.sealed_credential;
  if (auto known = shown_.get(page.pass_id); known && (*known)->sealed == sealed) return *known;
  auto fresh = std::make_shared<Shown>();
  fresh->pin = cipher_.open({page.sealing_key_id, page.sealed_credential}, "pass:" + page.pass_id);
  fresh->qr_svg = qr_svg(fresh->pin);
  fresh->sealed = std::move(sealed);
  shown_.put(page.pass_id, fresh);
  return fresh;
}

boost::asio::awaitable<PassView> PassPages::view(const std::string& token,
                                                 const std::string& remote_address) {
  std::optional<store::Page> page;
  if (is_token(token))
    page = co_await store::page(database_, common::sha256_hex(token), clock_.now());
  PassView view;
  if (!page) {
    view.state = co_await store::guess_allowed(database_, remote_address)
                     ? PassView::State::unknown
                     : PassView::State::rate_limited;
    co_return view;
  }
  view.visitor_name = page->visitor_name;
  view.property_name = page->property_name;
  view.starts = page->starts;
  view.ends = page->ends;
  view.time_zone = page->time_zone;
  view.kind = page->kind;
  view.schedule = page->schedule;
  view.uses = page->uses;
  if (page->used_up) {
    view.state = PassView::State::used_up;
  } else if (page->status == PassStatus::revoked) {
    view.state = PassView::State::revoked;
  } else if (page->status == PassStatus::failed) {
    view.state = PassView::State::failed;
  } else if (page->over) {
    view.state = PassView::State::expired;
  } else if (page->status == PassStatus::pending) {
    view.state = PassView::State::pending;
  } else if (page->not_yet) {
    view.state = PassView::State::not_yet;
  } else {
    view.state = PassView::State::valid;
    auto credential = shown(*page);
    view.pin = credential->pin;
    view.qr_svg = credential->qr_svg;
  }
  co_return view;
}

boost::asio::awaitable<std::optional<std::string>> PassPages::qr(
    const std::string& token, const std::string& remote_address) {
  std::optional<store::Page> page;
  if (is_token(token)) {
    page = co_await store::page(database_, common::sha256_hex(token), clock_.now());
  }
  // An unknown token is a guess here as on the page itself.
  if (!page && !co_await store::guess_allowed(database_, remote_address)) {
    throw common::ApiError::rate_limited(60);
  }
  if (!page || page->status != PassStatus::issued || page->not_yet || page->over || page->used_up) {
    co_return std::nullopt;
  }
  co_return shown(*page)->qr_svg;
}

}  // namespace frontdoor::passes
