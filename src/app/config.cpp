#include "frontdoor/app/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/http/trusted_proxies.hpp"

namespace frontdoor::app {
namespace {

struct Key {
  std::string path;  // "http.body_limit_bytes"
  std::string description;
  // For integers: the accepted range. For strings: allowed values (empty: any non-empty).
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string> allowed;
  std::function<std::int64_t*(Config&)> integer;
  std::function<std::string*(Config&)> text;
  std::string alias;  // an extra environment variable
  bool may_be_empty = false;
};

Key integer_key(std::string path, std::int64_t min, std::int64_t max,
                std::function<std::int64_t*(Config&)> field, std::string description,
                std::string alias = {}) {
  Key key;
  key.path = std::move(path);
  key.min = min;
  key.max = max;
  key.integer = std::move(field);
  key.description = std::move(description);
  key.alias = std::move(alias);
  return key;
}

Key text_key(std::string path, std::function<std::string*(Config&)> field, std::string description,
             std::vector<std::string> allowed = {}, std::string alias = {}) {
  Key key;
  key.path = std::move(path);
  key.text = std::move(field);
  key.description = std::move(description);
  key.allowed = std::move(allowed);
  key.alias = std::move(alias);
  return key;
}

Key optional_text_key(std::string path, std::function<std::string*(Config&)> field,
                      std::string description) {
  Key key = text_key(std::move(path), std::move(field), std::move(description));
  key.may_be_empty = true;
  return key;
}

const std::vector<Key>& schema() {
  static const std::vector<Key> kKeys = {
      text_key(
          "listen.address", [](Config& c) { return &c.listen.address; },
          "Address to listen on (IPv4 or IPv6 literal)."),
      integer_key(
          "listen.port", 0, 65535, [](Config& c) { return &c.listen.port; },
          "TCP port; 0 picks a free one.", "FRONTDOOR_PORT"),
      text_key(
          "database.url", [](Config& c) { return &c.database.url; },
          "libpq connection string or postgresql:// URL.", {}, "DATABASE_URL"),
      integer_key(
          "database.pool_size", 1, 256, [](Config& c) { return &c.database.pool_size; },
          "Connections in the pool; also the most concurrent queries."),
      integer_key(
          "database.acquire_timeout_ms", 10, 60000,
          [](Config& c) { return &c.database.acquire_timeout_ms; },
          "How long a request waits for a pooled connection before 503."),
      integer_key(
          "database.async_connections_per_thread", 1, 64,
          [](Config& c) { return &c.database.async_connections_per_thread; },
          "Connections each I/O thread keeps for the reads it answers itself (directory, "
          "pass page, my visitors); concurrent requests share them through pipelining. "
          "One keeps two cores busiest (bench/README.md); more suit bigger machines."),
      integer_key(
          "database.statement_timeout_ms", 100, 600000,
          [](Config& c) { return &c.database.statement_timeout_ms; },
          "A read on an I/O thread's connection is cancelled after this long (503)."),
      integer_key(
          "http.body_limit_bytes", 1024, 64 << 20,
          [](Config& c) { return &c.http.body_limit_bytes; },
          "Largest request body; larger ones get 413."),
      integer_key(
          "http.header_limit_bytes", 1024, 1 << 20,
          [](Config& c) { return &c.http.header_limit_bytes; },
          "Largest request head (request line and headers); larger ones get 431."),
      integer_key(
          "http.read_timeout_ms", 100, 600000, [](Config& c) { return &c.http.read_timeout_ms; },
          "Time a client has to send a whole request once it started."),
      integer_key(
          "http.idle_timeout_ms", 100, 3600000, [](Config& c) { return &c.http.idle_timeout_ms; },
          "Time a keep-alive connection may sit idle between requests."),
      integer_key(
          "http.drain_timeout_ms", 0, 600000, [](Config& c) { return &c.http.drain_timeout_ms; },
          "On SIGTERM/SIGINT, how long in-flight requests may take to finish."),
      integer_key(
          "http.drain_notice_ms", 0, 600000, [](Config& c) { return &c.http.drain_notice_ms; },
          "On SIGTERM/SIGINT, how long the instance keeps serving while /readyz answers 503, "
          "before it stops accepting: a load balancer's health checks notice first."),
      integer_key(
          "http.request_deadline_ms", 1000, 600000,
          [](Config& c) { return &c.http.request_deadline_ms; },
          "The longest a create holding an Idempotency-Key is expected to run: a key still "
          "marked running after this (its instance died) is taken over by a retry."),
      optional_text_key(
          "http.trusted_proxies", [](Config& c) { return &c.http.trusted_proxies; },
          "Load balancers whose X-Forwarded-For names the client (addresses and CIDR blocks, "
          "comma-separated); empty trusts nobody, and the client is the TCP peer."),
      integer_key(
          "http.io_threads", 1, 64, [](Config& c) { return &c.http.io_threads; },
          "Threads doing network I/O, each with its own event loop; they also answer the "
          "routes that never wait (/healthz, /metrics)."),
      integer_key(
          "http.worker_threads", 1, 256, [](Config& c) { return &c.http.worker_threads; },
          "Threads running handlers (database work blocks these, never I/O)."),
      text_key(
          "auth.signing_key_id", [](Config& c) { return &c.auth.signing_key_id; },
          "Key id written into new access tokens (JWS kid)."),
      optional_text_key(
          "auth.signing_key", [](Config& c) { return &c.auth.signing_key; },
          "Secret for signing access tokens (HS256), at least 32 characters. "
          "Required to serve."),
      optional_text_key(
          "auth.previous_signing_key_id", [](Config& c) { return &c.auth.previous_signing_key_id; },
          "Key id of the previous key, still accepted during a rotation."),
      optional_text_key(
          "auth.previous_signing_key", [](Config& c) { return &c.auth.previous_signing_key; },
          "The previous signing secret, still accepted during a rotation."),
      text_key(
          "bmx.api_url", [](Config& c) { return &c.bmx.api_url; },
          "Base URL of the BMX v4 API (bmx-sandbox in development)."),
      text_key(
          "bmx.accounts_url", [](Config& c) { return &c.bmx.accounts_url; },
          "Base URL of BMX's OAuth host (/oauth/authorize, /oauth/token)."),
      text_key(
          "bmx.client_id", [](Config& c) { return &c.bmx.client_id; },
          "frontdoor's OAuth client id at BMX."),
      optional_text_key(
          "bmx.client_secret", [](Config& c) { return &c.bmx.client_secret; },
          "frontdoor's OAuth client secret at BMX."),
      text_key(
          "bmx.redirect_uri", [](Config& c) { return &c.bmx.redirect_uri; },
          "Where BMX sends a resident after signing in (the app's link handler)."),
      text_key(
          "bmx.placeholder_email_domain", [](Config& c) { return &c.bmx.placeholder_email_domain; },
          "Domain of each site's placeholder tenant: butterflymx+<site_name>@<this domain>."),
      optional_text_key(
          "bmx.webhook_base_url", [](Config& c) { return &c.bmx.webhook_base_url; },
          "frontdoor's URL as BMX reaches it, for webhook registrations; empty: public_base_url."),
      text_key(
          "bmx.token_key_id", [](Config& c) { return &c.bmx.token_key_id; },
          "Id of the key that seals new BMX tokens (stored beside each sealed token)."),
      optional_text_key(
          "bmx.token_key", [](Config& c) { return &c.bmx.token_key; },
          "AES-256-GCM key for BMX tokens at rest: 64 hex characters "
          "(`openssl rand -hex 32`). Required to serve."),
      optional_text_key(
          "bmx.previous_token_key_id", [](Config& c) { return &c.bmx.previous_token_key_id; },
          "Id of the previous token key, still used to open older tokens during a rotation."),
      optional_text_key(
          "bmx.previous_token_key", [](Config& c) { return &c.bmx.previous_token_key; },
          "The previous token key (64 hex characters)."),
      integer_key(
          "bmx.connect_timeout_ms", 100, 60000, [](Config& c) { return &c.bmx.connect_timeout_ms; },
          "How long a connection to BMX may take."),
      integer_key(
          "bmx.timeout_ms", 500, 120000, [](Config& c) { return &c.bmx.timeout_ms; },
          "How long one BMX call may take in all (per attempt)."),
      integer_key(
          "bmx.max_attempts", 1, 10, [](Config& c) { return &c.bmx.max_attempts; },
          "Attempts for BMX calls that are safe to repeat (never door releases)."),
      integer_key(
          "bmx.breaker_failures", 1, 1000, [](Config& c) { return &c.bmx.breaker_failures; },
          "Consecutive BMX failures that open the circuit breaker."),
      integer_key(
          "bmx.breaker_open_ms", 100, 3600000, [](Config& c) { return &c.bmx.breaker_open_ms; },
          "How long the open circuit refuses calls before one probe is let through."),
      integer_key(
          "directory.searches_per_minute", 1, 100000000,
          [](Config& c) { return &c.directory.searches_per_minute; },
          "Directory searches one panel key may make per minute; more get 429."),
      integer_key(
          "calls.max_accepted_seconds", 30, 3600,
          [](Config& c) { return &c.calls.max_accepted_seconds; },
          "How long an answered call may last: then it ends by itself and the door can no "
          "longer be opened from it."),
      text_key("webhooks.allow_http", [](Config& c) { return &c.webhooks.allow_http; },
               "Development only: let webhooks be delivered over plain http.", {"false", "true"}),
      text_key("webhooks.allow_internal_addresses",
               [](Config& c) { return &c.webhooks.allow_internal_addresses; },
               "Development only: let webhooks reach loopback, private and link-local addresses "
               "(checked against the resolved address at each delivery otherwise).",
               {"false", "true"}),
      integer_key(
          "webhooks.timeout_ms", 1000, 10000, [](Config& c) { return &c.webhooks.timeout_ms; },
          "How long a receiver has to answer one delivery with a 2xx."),
      text_key(
          "notify.sms_url", [](Config& c) { return &c.notify.sms_url; },
          "Base URL of the SMS provider's Twilio-style Messages API."),
      text_key(
          "notify.sms_account_sid", [](Config& c) { return &c.notify.sms_account_sid; },
          "SMS provider account id (Basic auth user and part of the path)."),
      optional_text_key(
          "notify.sms_auth_token", [](Config& c) { return &c.notify.sms_auth_token; },
          "SMS provider auth token (Basic auth password)."),
      text_key(
          "notify.sms_from", [](Config& c) { return &c.notify.sms_from; },
          "Sender number of SMS, E.164."),
      text_key(
          "notify.smtp_url", [](Config& c) { return &c.notify.smtp_url; },
          "SMTP server for e-mail: smtp://host:port or smtps://host:port."),
      text_key(
          "notify.smtp_from", [](Config& c) { return &c.notify.smtp_from; },
          "Sender address of e-mail."),
      optional_text_key(
          "notify.smtp_username", [](Config& c) { return &c.notify.smtp_username; },
          "SMTP user; when set, TLS is required."),
      optional_text_key(
          "notify.smtp_password", [](Config& c) { return &c.notify.smtp_password; },
          "SMTP password."),
      text_key(
          "notify.fcm_url", [](Config& c) { return &c.notify.fcm_url; },
          "Base URL of FCM HTTP v1 (https://fcm.googleapis.com)."),
      text_key(
          "notify.fcm_project", [](Config& c) { return &c.notify.fcm_project; },
          "Firebase project id."),
      optional_text_key(
          "notify.fcm_access_token", [](Config& c) { return &c.notify.fcm_access_token; },
          "OAuth access token for FCM."),
      text_key(
          "notify.apns_url", [](Config& c) { return &c.notify.apns_url; },
          "Base URL of APNs (https://api.push.apple.com; HTTP/2 on https)."),
      text_key(
          "notify.apns_topic", [](Config& c) { return &c.notify.apns_topic; },
          "The iOS app's bundle id; VoIP pushes use <topic>.voip."),
      optional_text_key(
          "notify.apns_auth_token", [](Config& c) { return &c.notify.apns_auth_token; },
          "APNs provider token (JWT)."),
      integer_key(
          "notify.timeout_ms", 500, 120000, [](Config& c) { return &c.notify.timeout_ms; },
          "How long one provider call may take."),
      integer_key(
          "outbox.poll_interval_ms", 10, 60000,
          [](Config& c) { return &c.outbox.poll_interval_ms; },
          "How often the outbox dispatcher looks for due messages."),
      integer_key(
          "outbox.max_attempts", 1, 100, [](Config& c) { return &c.outbox.max_attempts; },
          "Delivery attempts before an outbox message is dead-lettered."),
      integer_key(
          "outbox.lease_ms", 2000, 600000, [](Config& c) { return &c.outbox.lease_ms; },
          "How long a lane's claim on a message lasts; renewed every third of it while the "
          "message is being delivered, so a dead instance's claims are taken over after it."),
      integer_key(
          "outbox.urgent_lease_ms", 500, 60000, [](Config& c) { return &c.outbox.urgent_lease_ms; },
          "The same for rings, stop-ringing and door results: a ring held by a dead instance "
          "is sent by another within this plus 200 ms."),
      integer_key(
          "outbox.bmx_concurrency", 1, 256, [](Config& c) { return &c.outbox.bmx_concurrency; },
          "Workers of the BMX lane (pass issuance and revocation)."),
      integer_key(
          "outbox.bmx_urgent_concurrency", 1, 256,
          [](Config& c) { return &c.outbox.bmx_urgent_concurrency; },
          "Workers of the urgent BMX lane, which no backlog of issuances shares: BMX's events "
          "(calls, entries) and deleting the key of a pass whose last entry was used."),
      integer_key(
          "outbox.sms_concurrency", 1, 256, [](Config& c) { return &c.outbox.sms_concurrency; },
          "Workers of the SMS lane."),
      integer_key(
          "outbox.email_concurrency", 1, 256, [](Config& c) { return &c.outbox.email_concurrency; },
          "Workers of the e-mail lane."),
      integer_key(
          "outbox.push_concurrency", 1, 256, [](Config& c) { return &c.outbox.push_concurrency; },
          "Workers of the push lane (pushes that are not time-critical)."),
      integer_key(
          "outbox.webhook_concurrency", 1, 256,
          [](Config& c) { return &c.outbox.webhook_concurrency; },
          "Workers of the integrators' webhook lane."),
      integer_key(
          "outbox.urgent_concurrency", 1, 256,
          [](Config& c) { return &c.outbox.urgent_concurrency; },
          "Workers of the urgent path: rings, stop-ringing and door results, claimed the moment "
          "they commit."),
      integer_key(
          "outbox.backoff_cap_ms", 1000, 3600000,
          [](Config& c) { return &c.outbox.backoff_cap_ms; },
          "Longest wait between two attempts of a lane's message (doubling from 1 s)."),
      integer_key(
          "outbox.breaker_failures", 1, 1000, [](Config& c) { return &c.outbox.breaker_failures; },
          "Failed deliveries in a row that open a lane's circuit (it stops claiming)."),
      integer_key(
          "outbox.breaker_open_ms", 100, 3600000,
          [](Config& c) { return &c.outbox.breaker_open_ms; },
          "How long an open lane waits before one probe; when it succeeds, every retry the "
          "outage pushed back is due at once."),
      integer_key(
          "retention.outbox_days", 1, 3650, [](Config& c) { return &c.retention.outbox_days; },
          "Days delivered and expired outbox messages are kept."),
      integer_key(
          "retention.dead_letter_days", 1, 3650,
          [](Config& c) { return &c.retention.dead_letter_days; },
          "Days dead-lettered outbox messages are kept for support."),
      integer_key(
          "retention.idempotency_hours", 24, 8760,
          [](Config& c) { return &c.retention.idempotency_hours; },
          "Hours Idempotency-Key answers are kept (they replay for 24 h)."),
      integer_key(
          "retention.login_failure_hours", 1, 8760,
          [](Config& c) { return &c.retention.login_failure_hours; },
          "Hours failed-login counters are kept after their window."),
      integer_key(
          "retention.refresh_token_days", 1, 3650,
          [](Config& c) { return &c.retention.refresh_token_days; },
          "Days refresh tokens are kept after they expire (used ones stay until then, so "
          "reuse is still caught)."),
      integer_key(
          "retention.invitation_days", 1, 3650,
          [](Config& c) { return &c.retention.invitation_days; },
          "Days invitation links are kept after they expire or are used."),
      integer_key(
          "retention.bmx_link_state_hours", 1, 8760,
          [](Config& c) { return &c.retention.bmx_link_state_hours; },
          "Hours a BMX sign-in's state is kept after it expires."),
      integer_key(
          "retention.sweep_interval_ms", 1000, 86400000,
          [](Config& c) { return &c.retention.sweep_interval_ms; },
          "How often each instance sweeps (in small batches, so hot paths do not notice)."),
      text_key("log.level", [](Config& c) { return &c.log.level; }, "Least severe level logged.",
               {"debug", "info", "warn", "error"}),
      text_key(
          "public_base_url", [](Config& c) { return &c.public_base_url; },
          "Base URL used in links sent to people (pass pages, invites)."),
  };
  return kKeys;
}

std::string environment_name(const std::string& path) {
  std::string name = "FRONTDOOR_";
  for (char c : path) {
    name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

const nlohmann::json* find_path(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* node = &root;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
  }
  return node;
}

void reject_unknown_keys(const nlohmann::json& node, const std::string& prefix) {
  if (!node.is_object()) throw ConfigError("configuration: '" + prefix + "' must be an object");
  for (const auto& [name, value] : node.items()) {
    const std::string path = prefix.empty() ? name : prefix + "." += name;
    const auto& keys = schema();
    const bool is_key =
        std::any_of(keys.begin(), keys.end(), [&](const Key& key) { return key.path == path; });
    const bool is_section = std::any_of(keys.begin(), keys.end(), [&](const Key& key) {
      return key.path.rfind(path + ".", 0) == 0;
    });
    if (is_section) {
      reject_unknown_keys(value, path);
    } else if (!is_key) {
      throw ConfigError("configuration: unknown key '" + path + "'");
    }
  }
}

std::string range_text(const Key& key) {
  return "between " + std::to_string(key.min) + " and " + std::to_string(key.max);
}

void assign_integer(const Key& key, Config& config, std::int64_t value, const std::string& source) {
  if (value < key.min || value > key.max) {
    throw ConfigError("configuration: " + source + " must be " + range_text(key) + ", got " +
                      std::to_string(value));
  }
  *key.integer(config) = value;
}

void assign_text(const Key& key, Config& config, const std::string& value,
                 const std::string& source) {
  if (value.empty() && !key.may_be_empty) {
    throw ConfigError("configuration: " + source + " must not be empty");
  }
  if (!key.allowed.empty() &&
      std::find(key.allowed.begin(), key.allowed.end(), value) == key.allowed.end()) {
    std::string options;
    for (const auto& option : key.allowed) options += (options.empty() ? "" : ", ") + option;
    throw ConfigError("configuration: " + source + " must be one of " + options + ", got '" +
                      value + "'");
  }
  *key.text(config) = value;
}

void apply_json(const Key& key, Config& config, const nlohmann::json& value) {
  const std::string source = "'" + key.path + "'";
  if (key.integer) {
    if (!value.is_number_integer()) {
      throw ConfigError("configuration: " + source + " must be a whole number " + range_text(key));
    }
    assign_integer(key, config, value.get<std::int64_t>(), source);
  } else {
    if (!value.is_string()) throw ConfigError("configuration: " + source + " must be a string");
    assign_text(key, config, value.get<std::string>(), source);
  }
}

void apply_environment(const Key& key, Config& config, const std::string& name,
                       const std::string& value) {
  const std::string source = name + " (" + key.path + ")";
  if (!key.integer) {
    assign_text(key, config, value, source);
    return;
  }
  std::size_t used = 0;
  std::int64_t number = 0;
  try {
    number = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size()) {
    throw ConfigError("configuration: " + source + " must be a whole number " + range_text(key) +
                      ", got '" + value + "'");
  }
  assign_integer(key, config, number, source);
}

std::string default_text(const Key& key) {
  Config defaults;
  const std::string text =
      key.integer ? std::to_string(*key.integer(defaults)) : *key.text(defaults);
  return text.empty() ? "(none)" : text;
}

// FRONTDOOR_ variables read by something other than a key: the configuration
// file's path, create-admin's password, and the scripts' and tests' own.
const std::vector<std::string>& tool_variables() {
  static const std::vector<std::string> kNames = {
      "FRONTDOOR_CONFIG",         "FRONTDOOR_ADMIN_PASSWORD",  "FRONTDOOR_BUILD_DIR",
      "FRONTDOOR_JOBS",           "FRONTDOOR_STATE_DIR",       "FRONTDOOR_PG_PORT",
      "FRONTDOOR_BINARY",         "FRONTDOOR_SOURCE_DIR",      "FRONTDOOR_PID",
      "FRONTDOOR_SANITIZE",       "FRONTDOOR_BUILD_TESTS",     "FRONTDOOR_TEST_HANG_SECONDS",
      "FRONTDOOR_COMPOSE_ENGINE", "FRONTDOOR_HA_KEEP_RUNNING",
  };
  return kNames;
}

std::vector<std::string> known_environment_names() {
  std::vector<std::string> names = tool_variables();
  for (const auto& key : schema()) {
    names.push_back(environment_name(key.path));
    if (!key.alias.empty()) names.push_back(key.alias);
  }
  return names;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t replace = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, replace});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// Words that only placeholders and documentation examples contain.
bool looks_like_placeholder(const std::string& secret) {
  std::string lower;
  for (char c : secret)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* word :
       {"replace", "example", "changeme", "change-me", "change_me", "placeholder", "your-", "your_",
        "xxxxxxxx", "sample", "dummy", "insert-", "generate"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// Shannon entropy of the characters, times the length: a rough upper bound of
// the bits an attacker must guess. A random 32-character hex string scores
// about 110; "aaaa…" scores 0; a repeated short word scores low.
double estimated_bits(const std::string& secret) {
  std::map<char, int> counts;
  for (char c : secret) ++counts[c];
  double bits = 0;
  for (const auto& [c, n] : counts) {
    const double p = static_cast<double>(n) / static_cast<double>(secret.size());
    bits -= static_cast<double>(n) * std::log2(p);
  }
  return bits;
}

// Whether the text is one short run repeated ("0123456789" four times).
bool repeats_a_pattern(const std::string& secret) {
  for (std::size_t period = 1; period <= secret.size() / 2; ++period) {
    bool repeats = true;
    for (std::size_t i = period; i < secret.size() && repeats; ++i) {
      repeats = secret[i] == secret[i - period];
    }
    if (repeats) return true;
  }
  return false;
}

constexpr double kLeastSecretBits = 96;

void require_strong(const std::string& secret, const std::string& what) {
  if (auto reason = weak_secret_reason(secret)) {
    throw ConfigError("configuration: " + what + " is " + *reason +
                      ", not a secret; generate one with `openssl rand -hex 32`");
  }
}

}  // namespace

std::optional<std::string> weak_secret_reason(const std::string& secret) {
  if (looks_like_placeholder(secret)) return "a placeholder or a published example";
  if (repeats_a_pattern(secret)) return "too predictable (a short pattern repeated)";
  std::set<char> distinct(secret.begin(), secret.end());
  if (distinct.size() < 8 || estimated_bits(secret) < kLeastSecretBits) {
    return "too predictable (too few different characters)";
  }
  return std::nullopt;
}

std::vector<std::string> process_environment_names() {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    if (text.rfind("FRONTDOOR_", 0) == 0) names.push_back(text.substr(0, text.find('=')));
  }
  return names;
}

void reject_unknown_environment(const std::vector<std::string>& frontdoor_names) {
  const auto known = known_environment_names();
  for (const auto& name : frontdoor_names) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const auto closest =
        *std::min_element(known.begin(), known.end(), [&](const auto& a, const auto& b) {
          return edit_distance(name, a) < edit_distance(name, b);
        });
    std::string message = "configuration: unknown environment variable " + name;
    message += "; did you mean " + closest + "? (`frontdoor config-doc` lists every one)";
    throw ConfigError(message);
  }
}

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    // Read at start-up, before any thread runs: nothing sets the environment.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Config load_config(const std::optional<std::string>& path, const EnvironmentLookup& environment) {
  Config config;
  if (path) {
    std::ifstream file(*path);
    if (!file) throw ConfigError("configuration: cannot read " + *path);
    nlohmann::json root;
    try {
      root = nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& error) {
      throw ConfigError("configuration: " + *path + " is not valid JSON: " + error.what());
    }
    reject_unknown_keys(root, "");
    for (const auto& key : schema()) {
      if (const auto* value = find_path(root, key.path)) apply_json(key, config, *value);
    }
  }
  for (const auto& key : schema()) {
    // The specific FRONTDOOR_ name wins over the conventional alias.
    for (const auto& name : {key.alias, environment_name(key.path)}) {
      if (name.empty()) continue;
      if (auto value = environment(name)) apply_environment(key, config, name, *value);
    }
  }
  try {
    http::TrustedProxies::parse(config.http.trusted_proxies);
  } catch (const std::invalid_argument& error) {
    throw ConfigError(std::string("configuration: http.trusted_proxies: ") + error.what());
  }
  return config;
}

void validate_for_serving(const Config& config) {
  if (config.auth.signing_key.size() < 32) {
    throw ConfigError(
        "configuration: auth.signing_key (FRONTDOOR_AUTH_SIGNING_KEY) must be at least 32 "
        "characters; generate one with `openssl rand -hex 32`");
  }
  require_strong(config.auth.signing_key, "auth.signing_key (FRONTDOOR_AUTH_SIGNING_KEY)");
  if (!config.auth.previous_signing_key.empty()) {
    require_strong(config.auth.previous_signing_key,
                   "auth.previous_signing_key (FRONTDOOR_AUTH_PREVIOUS_SIGNING_KEY)");
  }
  if (config.auth.previous_signing_key_id.empty() != config.auth.previous_signing_key.empty()) {
    throw ConfigError(
        "configuration: auth.previous_signing_key_id and auth.previous_signing_key go together");
  }
  if (!config.auth.previous_signing_key.empty() && config.auth.previous_signing_key.size() < 32) {
    throw ConfigError("configuration: auth.previous_signing_key must be at least 32 characters");
  }
  if (!bmx::is_token_key(config.bmx.token_key)) {
    throw ConfigError(
        "configuration: bmx.token_key (FRONTDOOR_BMX_TOKEN_KEY) must be 64 hex characters; "
        "generate one with `openssl rand -hex 32`");
  }
  if (config.bmx.previous_token_key_id.empty() != config.bmx.previous_token_key.empty()) {
    throw ConfigError(
        "configuration: bmx.previous_token_key_id and bmx.previous_token_key go together");
  }
  if (!config.bmx.previous_token_key.empty() && !bmx::is_token_key(config.bmx.previous_token_key)) {
    throw ConfigError("configuration: bmx.previous_token_key must be 64 hex characters");
  }
  require_strong(config.bmx.token_key, "bmx.token_key (FRONTDOOR_BMX_TOKEN_KEY)");
  // Credentials of the outside systems are not ours to judge, but a placeholder
  // left in one means the example configuration was shipped.
  for (const auto& [value, what] : std::vector<std::pair<std::string, std::string>>{
           {config.bmx.client_secret, "bmx.client_secret"},
           {config.notify.sms_auth_token, "notify.sms_auth_token"},
           {config.notify.smtp_password, "notify.smtp_password"},
           {config.notify.fcm_access_token, "notify.fcm_access_token"},
           {config.notify.apns_auth_token, "notify.apns_auth_token"}}) {
    if (!value.empty() && looks_like_placeholder(value)) {
      throw ConfigError("configuration: " + what + " is still a placeholder");
    }
  }
  if (!config.bmx.previous_token_key.empty()) {
    require_strong(config.bmx.previous_token_key,
                   "bmx.previous_token_key (FRONTDOOR_BMX_PREVIOUS_TOKEN_KEY)");
  }
}

std::string config_reference_markdown() {
  std::string out = "| key | environment | default | meaning |\n|---|---|---|---|\n";
  for (const auto& key : schema()) {
    std::string env = "`" + environment_name(key.path) + "`";
    if (!key.alias.empty()) env += ", `" + key.alias + "`";
    std::string meaning = key.description;
    if (key.integer)
      meaning += " Range " + std::to_string(key.min) + "–" + std::to_string(key.max) + ".";
    for (std::size_t i = 0; i < key.allowed.size(); ++i) {
      meaning +=
          (i == 0 ? " One of: " : ", ") + key.allowed[i] + (i + 1 == key.allowed.size() ? "." : "");
    }
    out += "| `" + key.path + "` | " + env;
    out += " | `" + default_text(key) + "` | " + meaning + " |\n";
  }
  return out;
}

}  // namespace frontdoor::app
