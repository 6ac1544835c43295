#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/error.hpp"

namespace frontdoor::bmx {

// What went wrong talking to BMX, in the few kinds a service can act on.
enum class ErrorKind {
  unauthorized,  // the token was refused even after a refresh: the user must log in again
  not_found,     // BMX has no such thing, or the token may not see it
  rejected,      // BMX refused the request (400/422) and said why
  rate_limited,  // 429 after our retries
  unavailable,   // 5xx, connection failures, or the circuit is open
  timeout,       // no answer in time; for a write, it may or may not have happened
};

const char* to_string(ErrorKind kind);
// Whether trying again later may succeed (BMX busy, down or slow).
bool is_transient(ErrorKind kind);

// A BMX failure. It is an ApiError so that one that escapes a service still
// becomes a sensible problem response (502 refusal, 503 unavailable, 504 timeout).
class BmxError : public common::ApiError {
 public:
  BmxError(ErrorKind kind, std::string operation, int bmx_status, std::string detail,
           std::vector<common::FieldError> bmx_errors = {}, std::string request_id = {});
  ErrorKind kind() const { return kind_; }
  const std::string& operation() const { return operation_; }
  int bmx_status() const { return bmx_status_; }
  // BMX's own {field, code, message} list, for example start_time_must_be_before_the_end_time.
  const std::vector<common::FieldError>& bmx_errors() const { return bmx_errors_; }
  const std::string& request_id() const { return request_id_; }

 private:
  ErrorKind kind_;
  std::string operation_;
  int bmx_status_;
  std::vector<common::FieldError> bmx_errors_;
  std::string request_id_;
};

struct TokenGrant {
  std::string access_token;
  std::string refresh_token;
  std::chrono::seconds expires_in{0};
};

// Where a call's access token comes from. refreshed() is asked after a 401: it
// returns a newer token (rotating the pair once, however many callers ask at the
// same time) or throws BmxError(unauthorized) when the refresh token is dead.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual std::string access_token() = 0;
  virtual std::string refreshed(const std::string& rejected_token) = 0;
  // The property whose BMX account this is, for support's error history; may be empty.
  virtual std::string property_id() const { return {}; }
};

struct Building {
  std::int64_t id = 0;
  std::string name;
  std::string time_zone;
};

struct Tenant {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::int64_t unit_id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string contact_preference;  // mobile_app, phone_call
};

struct TenantQuery {
  std::optional<std::string> email;
  std::optional<std::int64_t> building_id;
  std::optional<std::int64_t> unit_id;
};

// A recurring keychain's weekly windows, in the building's time zone, as BMX
// takes them: weekdays "mon".."sun", times "HH:MM", dates "YYYY-MM-DD".
struct WeeklyWindows {
  std::vector<std::string> weekdays;
  std::string time_from;
  std::string time_to;
  std::string start_date;
  std::string end_date;
};

struct KeychainRequest {
  // "custom", "one_time" (both for starts_at..ends_at), "recurring" (weekly)
  // or "delivery_pass" (BMX sets its window; one key, which BMX creates).
  std::string kind = "custom";
  std::string name;
  std::int64_t tenant_id = 0;
  std::chrono::system_clock::time_point starts_at;
  std::chrono::system_clock::time_point ends_at;
  std::vector<std::int64_t> access_point_ids;  // empty: every access point
  std::optional<WeeklyWindows> weekly;         // recurring only
};

struct Keychain {
  std::int64_t id = 0;
  std::vector<std::int64_t> virtual_key_ids;
};

struct VirtualKeyRequest {
  std::int64_t keychain_id = 0;
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> sms_number;
};

struct VirtualKey {
  std::int64_t id = 0;
  std::int64_t keychain_id = 0;
  std::string qr_code_url;
  std::string pin_code;
  std::string instructions_url;
  int usage_count = 0;
  std::optional<std::string> first_used_at;
  std::optional<std::string> last_used_at;
};

struct DoorRelease {
  std::int64_t id = 0;
};

struct Call {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t device_id = 0;
  std::string status;
};

struct AccessLog {
  std::int64_t id = 0;
  std::optional<std::int64_t> tenant_id;
  std::optional<std::int64_t> access_point_id;
  std::string release_status;  // BMX's words: "Unlocked", "Denied"
  std::string entry_method;
  // The door opened for this entry.
  bool unlocked() const { return release_status == "Unlocked"; }
};

struct AccessPoint {
  std::int64_t id = 0;
  std::vector<std::int64_t> device_ids;
};

struct Integration {
  std::string id;
  std::string url;
};

// The BMX v4 operations frontdoor uses (third_party/butterflymx/). Every API call is made
// with the token of `as`; OAuth calls use the client credentials.
class BmxClient {
 public:
  virtual ~BmxClient() = default;

  virtual TokenGrant exchange_code(const std::string& code) = 0;
  virtual TokenGrant refresh(const std::string& refresh_token) = 0;

  virtual Building get_building(TokenSource& as, std::int64_t building_id) = 0;
  virtual std::vector<Tenant> find_tenants(TokenSource& as, const TenantQuery& query) = 0;
  virtual Tenant get_tenant(TokenSource& as, std::int64_t tenant_id) = 0;
  virtual Keychain create_keychain(TokenSource& as, const KeychainRequest& request) = 0;
  virtual Keychain get_keychain(TokenSource& as, std::int64_t keychain_id) = 0;
  // The caller's keychains with exactly this name (to find one whose creation
  // was interrupted before its id was known).
  virtual std::vector<Keychain> find_keychains(TokenSource& as, const std::string& name) = 0;
  virtual void delete_keychain(TokenSource& as, std::int64_t keychain_id) = 0;
  virtual VirtualKey create_virtual_key(TokenSource& as, const VirtualKeyRequest& request) = 0;
  virtual VirtualKey get_virtual_key(TokenSource& as, std::int64_t key_id) = 0;
  virtual void delete_virtual_key(TokenSource& as, std::int64_t key_id) = 0;
  // Never retried: a door release either happens once or is reported as failed.
  virtual DoorRelease release_door(TokenSource& as, std::int64_t tenant_id,
                                   std::int64_t access_point_id) = 0;
  virtual Call get_call(TokenSource& as, std::int64_t building_id, std::int64_t call_id) = 0;
  virtual AccessLog get_access_log(TokenSource& as, std::int64_t building_id,
                                   std::int64_t log_id) = 0;
  // The building's access logs at or after `since` (RFC 3339), newest first, one page.
  virtual std::vector<AccessLog> list_access_logs_since(TokenSource& as, std::int64_t building_id,
                                                        const std::string& since) = 0;
  virtual std::vector<AccessPoint> list_access_points(TokenSource& as,
                                                      std::int64_t building_id) = 0;
  virtual std::vector<Integration> list_building_integrations(TokenSource& as,
                                                              std::int64_t building_id) = 0;
  // A webhook integration on the building for call.create and access events.
  virtual Integration create_building_webhook(TokenSource& as, std::int64_t building_id,
                                              const std::string& url) = 0;
  virtual void delete_building_integration(TokenSource& as, std::int64_t building_id,
                                           const std::string& integration_id) = 0;

  // "closed", "open" or "half_open": the circuit breaker towards the BMX API.
  virtual std::string circuit_state() const = 0;
};

}  // namespace frontdoor::bmx
