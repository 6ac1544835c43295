#pragma once

#include <memory>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/bmx/client.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/clock.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::bmx {

// BMX users' tokens in bmx_credentials, sealed by the TokenCipher. A source made
// here refreshes an expiring or refused access token and stores the rotated pair
// atomically: the row is locked for the refresh, so concurrent callers rotate it
// once and the others pick up the new pair.
class Credentials {
 public:
  Credentials(db::Pool& pool, const TokenCipher& cipher, BmxClient& client,
              const common::Clock& clock);

  // Stores a new grant; returns the credential id.
  std::string store(pqxx::work& tx, const TokenGrant& grant) const;
  void revoke(pqxx::work& tx, const std::string& credential_id) const;
  std::unique_ptr<TokenSource> source(const std::string& credential_id,
                                      const std::string& property_id) const;

 private:
  friend class StoredToken;
  db::Pool& pool_;
  const TokenCipher& cipher_;
  BmxClient& client_;
  const common::Clock& clock_;
};

// A grant that is not stored yet (during site set-up and linking). It cannot refresh.
class GrantToken final : public TokenSource {
 public:
  explicit GrantToken(TokenGrant grant) : grant_(std::move(grant)) {}
  std::string access_token() override { return grant_.access_token; }
  std::string refreshed(const std::string& rejected) override;

 private:
  TokenGrant grant_;
};

}  // namespace frontdoor::bmx
