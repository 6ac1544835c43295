// What other modules ask of BMX by intent: whose sign-in acts, doors, keychains
// and keys. No module outside bmx holds the client.
#include <pqxx/pqxx>

#include "frontdoor/bmx/service.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {

std::optional<BmxAccess> BmxService::resident_access(const std::string& user_id,
                                                     const std::string& property_id) {
  auto sign_in = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::resident_sign_in(tx, user_id, property_id);
  });
  return access_from(sign_in, property_id);
}

std::optional<BmxAccess> BmxService::access_from(const std::optional<store::SignIn>& sign_in,
                                                 const std::string& property_id) const {
  if (!sign_in) return std::nullopt;
  return BmxAccess{credentials_.source(sign_in->credential_id, property_id), sign_in->tenant_id,
                   sign_in->building_id};
}

std::optional<BmxAccess> BmxService::door_access(const std::string& user_id,
                                                 const std::string& property_id) {
  auto sign_in = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::door_sign_in(tx, user_id, property_id);
  });
  return access_from(sign_in, property_id);
}

std::optional<std::int64_t> BmxService::find_access_point(BmxAccess& access,
                                                          std::int64_t device_id) {
  // Doors are released by access point, not by device (a device may open several).
  for (const auto& point : client_.list_access_points(*access.token, access.building_id)) {
    for (auto id : point.device_ids) {
      if (id == device_id) return point.id;
    }
  }
  return std::nullopt;
}

std::int64_t BmxService::release_door(BmxAccess& access, std::int64_t access_point_id) {
  return client_.release_door(*access.token, access.tenant_id, access_point_id).id;
}

bool BmxService::door_released_since(const std::string& property_id, std::int64_t access_point_id,
                                     std::int64_t tenant_id, const std::string& since) {
  auto site = site_access(property_id);
  if (!site) return false;
  for (const auto& log : client_.list_access_logs_since(*site->token, site->building_id, since)) {
    if (log.access_point_id == access_point_id && log.tenant_id == tenant_id && log.unlocked()) {
      return true;
    }
  }
  return false;
}

std::optional<std::int64_t> BmxService::find_keychain(BmxAccess& access, const std::string& name) {
  auto found = client_.find_keychains(*access.token, name);
  if (found.empty()) return std::nullopt;
  return found.front().id;
}

std::int64_t BmxService::create_keychain(BmxAccess& access, KeychainRequest request) {
  request.tenant_id = access.tenant_id;
  return client_.create_keychain(*access.token, request).id;
}

VirtualKey BmxService::issue_key(BmxAccess& access, std::int64_t keychain_id,
                                 const std::string& name, const std::optional<std::string>& email) {
  // One key per keychain: a retry reuses the key an earlier attempt made.
  const auto keychain = client_.get_keychain(*access.token, keychain_id);
  if (!keychain.virtual_key_ids.empty()) {
    return client_.get_virtual_key(*access.token, keychain.virtual_key_ids.front());
  }
  try {
    return client_.create_virtual_key(*access.token, {keychain_id, name, email, std::nullopt});
  } catch (const BmxError& error) {
    if (!is_transient(error.kind())) delete_keychain(access, keychain_id);
    throw;
  }
}

void BmxService::delete_keychain(BmxAccess& access, std::int64_t keychain_id) {
  try {
    client_.delete_keychain(*access.token, keychain_id);
  } catch (const BmxError& error) {
    if (error.kind() != ErrorKind::not_found) throw;
  }
}

void BmxService::delete_keychains_named(BmxAccess& access, const std::string& name,
                                        std::optional<std::int64_t> keep) {
  for (const auto& found : client_.find_keychains(*access.token, name)) {
    if (!keep || found.id != *keep) delete_keychain(access, found.id);
  }
}

VirtualKey BmxService::key_usage(BmxAccess& access, std::int64_t key_id) {
  return client_.get_virtual_key(*access.token, key_id);
}

std::optional<BmxAccess> BmxService::site_access(const std::string& property_id) {
  auto sign_in = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::site_sign_in(tx, property_id);
  });
  return access_from(sign_in, property_id);
}

}  // namespace frontdoor::bmx
