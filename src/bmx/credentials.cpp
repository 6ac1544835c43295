#include "frontdoor/bmx/credentials.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::bmx {
namespace {

// Refresh a little before BMX would refuse the token.
constexpr std::chrono::seconds kRefreshAhead{120};

std::string random_uuid() {
  auto hex = common::random_hex(16);
  hex[12] = '4';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string context(const std::string& credential_id, const char* which) {
  return credential_id + ":" + which;
}

BmxError link_gone(const std::string& detail) {
  return BmxError(ErrorKind::unauthorized, "refresh_token", 401, detail);
}

}  // namespace

class StoredToken final : public TokenSource {
 public:
  StoredToken(const Credentials& credentials, std::string id, std::string property_id)
      : credentials_(credentials), id_(std::move(id)), property_id_(std::move(property_id)) {}

  std::string access_token() override {
    auto row = credentials_.pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared1("bmx_credential_get", id_);
    });
    if (!row[3].is_null()) throw link_gone("The BMX sign-in has expired; sign in again.");
    auto token = credentials_.cipher_.open(
        {row[0].as<std::string>(), pqxx::binarystring(row[1]).str()}, context(id_, "access"));
    const auto expires = common::parse_rfc3339(row[2].as<std::string>());
    if (expires && *expires - kRefreshAhead <= credentials_.clock_.now()) return refreshed(token);
    return token;
  }

  std::string refreshed(const std::string& rejected) override {
    return credentials_.pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      auto row = tx.exec_prepared1("bmx_credential_lock", id_);
      if (!row[4].is_null()) throw link_gone("The BMX sign-in has expired; sign in again.");
      const std::string key_id = row[0].as<std::string>();
      auto current = credentials_.cipher_.open({key_id, pqxx::binarystring(row[1]).str()},
                                               context(id_, "access"));
      // Someone else rotated the pair while we waited for the lock.
      if (current != rejected) return current;
      auto refresh_token = credentials_.cipher_.open({key_id, pqxx::binarystring(row[2]).str()},
                                                     context(id_, "refresh"));
      TokenGrant grant;
      try {
        grant = credentials_.client_.refresh(refresh_token);
      } catch (const BmxError& error) {
        if (error.kind() != ErrorKind::unauthorized) throw;
        tx.exec_prepared("bmx_credential_revoke", id_);
        tx.commit();
        throw link_gone("BMX no longer accepts this sign-in; sign in to BMX again.");
      }
      credentials_.write(tx, id_, grant, "bmx_credential_rotate");
      tx.commit();
      return grant.access_token;
    });
  }

  std::string property_id() const override { return property_id_; }

 private:
  const Credentials& credentials_;
  std::string id_;
  std::string property_id_;
};

Credentials::Credentials(db::Pool& pool, const TokenCipher& cipher, BmxClient& client,
                         const common::Clock& clock)
    : pool_(pool), cipher_(cipher), client_(client), clock_(clock) {
  pool_.prepare("bmx_credential_insert",
                "INSERT INTO bmx_credentials (id, key_id, access_token, refresh_token, "
                "access_expires_at) VALUES ($1, $2, $3, $4, $5)");
  pool_.prepare("bmx_credential_rotate",
                "UPDATE bmx_credentials SET key_id = $2, access_token = $3, refresh_token = $4, "
                "access_expires_at = $5, rotated_at = now() WHERE id = $1");
  pool_.prepare("bmx_credential_get",
                "SELECT key_id, access_token, rfc3339(access_expires_at), revoked_at "
                "FROM bmx_credentials WHERE id = $1");
  pool_.prepare("bmx_credential_lock",
                "SELECT key_id, access_token, refresh_token, access_expires_at, revoked_at "
                "FROM bmx_credentials WHERE id = $1 FOR UPDATE");
  pool_.prepare(
      "bmx_credential_revoke",
      "UPDATE bmx_credentials SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1");
}

void Credentials::write(pqxx::work& tx, const std::string& id, const TokenGrant& grant,
                        const char* statement) const {
  const auto access = cipher_.seal(grant.access_token, context(id, "access"));
  const auto refresh = cipher_.seal(grant.refresh_token, context(id, "refresh"));
  const pqxx::binarystring access_bytes(access.bytes.data(), access.bytes.size());
  const pqxx::binarystring refresh_bytes(refresh.bytes.data(), refresh.bytes.size());
  tx.exec_prepared(statement, id, access.key_id, access_bytes, refresh_bytes,
                   common::to_sql_timestamp(clock_.now() + grant.expires_in));
}

std::string Credentials::store(pqxx::work& tx, const TokenGrant& grant) const {
  const auto id = random_uuid();
  write(tx, id, grant, "bmx_credential_insert");
  return id;
}

void Credentials::revoke(pqxx::work& tx, const std::string& credential_id) const {
  tx.exec_prepared("bmx_credential_revoke", credential_id);
}

std::unique_ptr<TokenSource> Credentials::source(const std::string& credential_id,
                                                 const std::string& property_id) const {
  return std::make_unique<StoredToken>(*this, credential_id, property_id);
}

std::string GrantToken::refreshed(const std::string&) {
  throw link_gone("BMX refused a token it has just issued.");
}

}  // namespace frontdoor::bmx
