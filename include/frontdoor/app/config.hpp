#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace frontdoor::app {

struct Config {
  struct Listen {
    std::string address = "127.0.0.1";
    std::int64_t port = 8080;
  } listen;
  struct Database {
    std::string url = "postgresql:///frontdoor";
    std::int64_t pool_size = 8;
    std::int64_t acquire_timeout_ms = 2000;
    std::int64_t async_connections_per_thread = 1;
    std::int64_t statement_timeout_ms = 5000;
  } database;
  struct Http {
    std::int64_t body_limit_bytes = 1 << 20;
    std::int64_t header_limit_bytes = 16 << 10;
    std::int64_t read_timeout_ms = 10000;
    std::int64_t idle_timeout_ms = 60000;
    std::int64_t drain_timeout_ms = 10000;
    std::int64_t drain_notice_ms = 5000;
    std::string trusted_proxies;
    std::int64_t request_deadline_ms = 30000;
    std::int64_t io_threads = 1;
    std::int64_t worker_threads = 8;
  } http;
  struct Auth {
    std::string signing_key_id = "k1";
    std::string signing_key;  // required to serve: at least 32 characters
    std::string previous_signing_key_id;
    std::string previous_signing_key;
  } auth;
  struct Bmx {
    std::string api_url = "http://127.0.0.1:8090";
    std::string accounts_url = "http://127.0.0.1:8090";
    std::string client_id = "frontdoor";
    std::string client_secret;
    std::string redirect_uri = "frontdoor://bmx/linked";
    std::string placeholder_email_domain = "frontdoor.example";
    std::string webhook_base_url;  // empty: public_base_url
    std::string token_key_id = "t1";
    std::string token_key;  // required to serve: 64 hex characters
    std::string previous_token_key_id;
    std::string previous_token_key;
    std::int64_t connect_timeout_ms = 2000;
    std::int64_t timeout_ms = 8000;
    std::int64_t max_attempts = 3;
    std::int64_t breaker_failures = 5;
    std::int64_t breaker_open_ms = 30000;
  } bmx;
  struct Directory {
    std::int64_t searches_per_minute = 120;
  } directory;
  struct Webhooks {
    // Development only ("true"): plain http targets, and targets on loopback,
    // private or link-local addresses (scripts/run and the tests turn both on).
    std::string allow_http = "false";
    std::string allow_internal_addresses = "false";
    std::int64_t timeout_ms = 10000;
  } webhooks;
  struct Calls {
    std::int64_t max_accepted_seconds = 300;
  } calls;
  struct Notify {
    std::string sms_url = "http://127.0.0.1:8090";
    std::string sms_account_sid = "ACsandbox";
    std::string sms_auth_token;
    std::string sms_from = "+15550000000";
    std::string smtp_url = "smtp://127.0.0.1:2525";
    std::string smtp_from = "frontdoor@frontdoor.example";
    std::string smtp_username;
    std::string smtp_password;
    std::string fcm_url = "http://127.0.0.1:8090";
    std::string fcm_project = "frontdoor";
    std::string fcm_access_token;
    std::string apns_url = "http://127.0.0.1:8090";
    std::string apns_topic = "com.frontdoor.resident";
    std::string apns_auth_token;
    std::int64_t timeout_ms = 10000;
  } notify;
  struct Outbox {
    std::int64_t poll_interval_ms = 500;
    std::int64_t max_attempts = 20;  // with backoff capped at 5 min: about an hour
    // Workers per lane: a slow channel holds only its own.
    std::int64_t bmx_concurrency = 8;
    std::int64_t bmx_urgent_concurrency = 4;
    std::int64_t lease_ms = 30000;
    std::int64_t urgent_lease_ms = 3000;
    std::int64_t sms_concurrency = 4;
    std::int64_t email_concurrency = 4;
    std::int64_t push_concurrency = 4;
    std::int64_t webhook_concurrency = 4;
    std::int64_t urgent_concurrency = 4;
    std::int64_t backoff_cap_ms = 300000;
    std::int64_t breaker_failures = 5;
    std::int64_t breaker_open_ms = 5000;
  } outbox;
  // How long finished rows are kept before the sweep deletes them.
  struct Retention {
    std::int64_t outbox_days = 7;         // delivered and expired messages
    std::int64_t dead_letter_days = 30;   // dead letters, for support
    std::int64_t idempotency_hours = 48;  // keys answer replays for 24 h
    std::int64_t login_failure_hours = 24;
    std::int64_t refresh_token_days = 7;     // after expiry; used ones are kept until then
    std::int64_t invitation_days = 7;        // after expiry or use
    std::int64_t bmx_link_state_hours = 24;  // after expiry
    std::int64_t sweep_interval_ms = 60000;
  } retention;
  struct Log {
    std::string level = "info";
  } log;
  std::string public_base_url = "http://127.0.0.1:8080";
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads an environment variable; injectable for tests.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvironmentLookup process_environment();

// Defaults, then the JSON file (if any), then the environment: FRONTDOOR_<KEY>
// with dots as underscores (FRONTDOOR_HTTP_BODY_LIMIT_BYTES), plus DATABASE_URL
// and FRONTDOOR_PORT. Throws ConfigError naming the first bad key.
Config load_config(const std::optional<std::string>& path, const EnvironmentLookup& environment);

// The names of the process's environment variables that start with FRONTDOOR_.
std::vector<std::string> process_environment_names();
// A FRONTDOOR_ variable that is neither a key's nor one the tools read is a typo
// that would silently leave a default in place (FRONTDOOR_DATABSE_URL): throws
// ConfigError naming it and the closest known name.
void reject_unknown_environment(const std::vector<std::string>& frontdoor_names);

// Checks what only matters when serving: every secret present, none of them a
// placeholder, a published example or too predictable to be secret. Throws
// ConfigError naming the key.
void validate_for_serving(const Config& config);
// Why a secret would not keep anything secret ("a placeholder", ...), or nothing.
std::optional<std::string> weak_secret_reason(const std::string& secret);

// A Markdown table of every key: name, environment variable, default, meaning.
std::string config_reference_markdown();

}  // namespace frontdoor::app
