#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/expiring_cache.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::passes {

namespace store {
struct Page;
}

// What the pass page shows for a token, and why.
struct PassView {
  enum class State {
    unknown,       // no such pass (or not a token at all)
    rate_limited,  // this address guessed too many unknown tokens
    revoked,
    used_up,  // its entries reached the pass's cap (one for one_time and delivery)
    failed,
    expired,
    pending,
    not_yet,
    valid,
  };
  State state = State::unknown;
  std::string visitor_name;
  std::string property_name;
  std::string starts;  // in the property's time zone, as the page shows it
  std::string ends;
  std::string time_zone;
  visitors::Kind kind = visitors::Kind::window;
  std::string schedule;  // recurring passes: their weekly windows, in local time
  int uses = 0;
  // Valid passes only: the BMX PIN and its QR code (SVG).
  std::string pin;
  std::string qr_svg;
};

// The pass page a property-only visitor opens from the SMS, and its QR code:
// one statement each, read on the I/O thread. Encoding the QR code is most of
// the page's cost and a visitor reloads the page at the door, so the PIN and
// its QR code are kept by pass while the row's sealed PIN is byte for byte the
// same; status and window are read on every request.
class PassPages {
 public:
  PassPages(db::Pool& pool, db::AsyncDatabase& database, const bmx::TokenCipher& cipher,
            const common::Clock& clock);

  boost::asio::awaitable<PassView> view(const std::string& token,
                                        const std::string& remote_address);
  // The QR code of a valid pass, or nullopt (unknown, not yet, over, revoked).
  // Unknown tokens count as guesses from `remote_address` (429 past the limit).
  boost::asio::awaitable<std::optional<std::string>> qr(const std::string& token,
                                                        const std::string& remote_address);

 private:
  struct Shown {
    std::string sealed;  // key id and ciphertext the PIN was opened from
    std::string pin;
    std::string qr_svg;
  };
  // Shared, not copied: the QR code is a few kilobytes and every page view shows it.
  std::shared_ptr<const Shown> shown(const store::Page& page);

  db::AsyncDatabase& database_;
  const bmx::TokenCipher& cipher_;
  const common::Clock& clock_;

  common::ExpiringCache<std::shared_ptr<const Shown>> shown_{std::chrono::minutes(10), 2000};
};

}  // namespace frontdoor::passes
