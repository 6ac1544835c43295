#include "frontdoor/app/app.hpp"

#include <nlohmann/json.hpp>

#include "frontdoor/audit/routes.hpp"
#include "frontdoor/auth/async_panel.hpp"
#include "frontdoor/auth/routes.hpp"
#include "frontdoor/bmx/http_client.hpp"
#include "frontdoor/bmx/routes.hpp"
#include "frontdoor/calls/routes.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/directory/routes.hpp"
#include "frontdoor/ops/process_metrics.hpp"
#include "frontdoor/ops/routes.hpp"
#include "frontdoor/passes/routes.hpp"
#include "frontdoor/people/routes.hpp"
#include "frontdoor/properties/routes.hpp"
#include "frontdoor/visitors/routes.hpp"
#include "frontdoor/webhooks/routes.hpp"

namespace frontdoor::app {
namespace {

db::PoolOptions pool_options(const Config& config) {
  db::PoolOptions options;
  options.url = config.database.url;
  options.size = static_cast<std::size_t>(config.database.pool_size);
  options.acquire_timeout = std::chrono::milliseconds(config.database.acquire_timeout_ms);
  return options;
}

db::AsyncOptions read_options(const Config& config) {
  db::AsyncOptions options;
  options.url = config.database.url;
  options.connections_per_thread = static_cast<int>(config.database.async_connections_per_thread);
  options.statement_timeout = std::chrono::milliseconds(config.database.statement_timeout_ms);
  return options;
}

http::ServerOptions server_options(const Config& config) {
  http::ServerOptions options;
  options.address = config.listen.address;
  options.port = static_cast<std::uint16_t>(config.listen.port);
  options.body_limit = static_cast<std::size_t>(config.http.body_limit_bytes);
  options.header_limit = static_cast<std::size_t>(config.http.header_limit_bytes);
  options.read_timeout = std::chrono::milliseconds(config.http.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.http.idle_timeout_ms);
  options.drain_timeout = std::chrono::milliseconds(config.http.drain_timeout_ms);
  options.drain_notice = std::chrono::milliseconds(config.http.drain_notice_ms);
  options.trusted_proxies = http::TrustedProxies::parse(config.http.trusted_proxies);
  options.io_threads = static_cast<int>(config.http.io_threads);
  options.worker_threads = static_cast<int>(config.http.worker_threads);
  return options;
}

std::vector<auth::SigningKey> signing_keys(const Config& config) {
  validate_for_serving(config);
  std::vector<auth::SigningKey> keys{{config.auth.signing_key_id, config.auth.signing_key}};
  if (!config.auth.previous_signing_key.empty()) {
    keys.push_back({config.auth.previous_signing_key_id, config.auth.previous_signing_key});
  }
  return keys;
}

bmx::TokenCipher token_cipher(const Config& config) {
  validate_for_serving(config);
  std::map<std::string, std::string> previous;
  if (!config.bmx.previous_token_key.empty()) {
    previous[config.bmx.previous_token_key_id] = config.bmx.previous_token_key;
  }
  return bmx::TokenCipher(config.bmx.token_key_id, config.bmx.token_key, previous);
}

bmx::HttpClientOptions bmx_options(const Config& config) {
  bmx::HttpClientOptions options;
  options.api_url = config.bmx.api_url;
  options.accounts_url = config.bmx.accounts_url;
  options.client_id = config.bmx.client_id;
  options.client_secret = config.bmx.client_secret;
  options.redirect_uri = config.bmx.redirect_uri;
  options.connect_timeout = std::chrono::milliseconds(config.bmx.connect_timeout_ms);
  options.timeout = std::chrono::milliseconds(config.bmx.timeout_ms);
  options.max_attempts = static_cast<int>(config.bmx.max_attempts);
  options.breaker_failures = static_cast<int>(config.bmx.breaker_failures);
  options.breaker_open_for = std::chrono::milliseconds(config.bmx.breaker_open_ms);
  return options;
}

bmx::ServiceSettings bmx_settings(const Config& config) {
  return {
      config.bmx.accounts_url, config.bmx.client_id, config.bmx.redirect_uri,
      config.bmx.placeholder_email_domain,
      config.bmx.webhook_base_url.empty() ? config.public_base_url : config.bmx.webhook_base_url};
}

notify::DispatcherOptions dispatcher_options(const Config& config) {
  const auto& outbox = config.outbox;
  notify::DispatcherOptions options;
  options.poll_interval = std::chrono::milliseconds(outbox.poll_interval_ms);
  options.max_attempts = static_cast<int>(outbox.max_attempts);
  const auto lane = [&](std::int64_t concurrency) {
    notify::LaneOptions lane_options;
    lane_options.concurrency = static_cast<int>(concurrency);
    lane_options.backoff_cap = std::chrono::milliseconds(outbox.backoff_cap_ms);
    lane_options.breaker_failures = static_cast<int>(outbox.breaker_failures);
    lane_options.breaker_open_for = std::chrono::milliseconds(outbox.breaker_open_ms);
    return lane_options;
  };
  options.lanes = {{notify::Channel::bmx, lane(outbox.bmx_concurrency)},
                   {notify::Channel::bmx_urgent, lane(outbox.bmx_urgent_concurrency)},
                   {notify::Channel::sms, lane(outbox.sms_concurrency)},
                   {notify::Channel::email, lane(outbox.email_concurrency)},
                   {notify::Channel::push, lane(outbox.push_concurrency)},
                   {notify::Channel::webhook, lane(outbox.webhook_concurrency)}};
  options.urgent_concurrency = static_cast<int>(outbox.urgent_concurrency);
  options.lease = std::chrono::milliseconds(outbox.lease_ms);
  options.urgent_lease = std::chrono::milliseconds(outbox.urgent_lease_ms);
  options.urgent_poll_interval = std::min(options.poll_interval, std::chrono::milliseconds(200));
  return options;
}

webhooks::Options webhook_options(const Config& config) {
  webhooks::Options options;
  options.allow_http = config.webhooks.allow_http == "true";
  options.allow_internal_addresses = config.webhooks.allow_internal_addresses == "true";
  options.timeout = std::chrono::milliseconds(config.webhooks.timeout_ms);
  return options;
}

notify::GatewayOptions gateway_options(const Config& config) {
  const auto& n = config.notify;
  notify::GatewayOptions options;
  options.sms_url = n.sms_url;
  options.sms_account_sid = n.sms_account_sid;
  options.sms_auth_token = n.sms_auth_token;
  options.sms_from = n.sms_from;
  options.smtp_url = n.smtp_url;
  options.smtp_from = n.smtp_from;
  options.smtp_username = n.smtp_username;
  options.smtp_password = n.smtp_password;
  options.fcm_url = n.fcm_url;
  options.fcm_project = n.fcm_project;
  options.fcm_access_token = n.fcm_access_token;
  options.apns_url = n.apns_url;
  options.apns_topic = n.apns_topic;
  options.apns_auth_token = n.apns_auth_token;
  options.timeout = std::chrono::milliseconds(n.timeout_ms);
  return options;
}

// The I/O threads' connections, beside the pool's: what a dashboard needs to
// see both paths.
void publish_read_path(http::Metrics& metrics, const db::AsyncDatabase& reads) {
  const auto stats = reads.stats();
  const std::string name = "frontdoor_db_async_connections";
  const std::string help = "I/O threads' database connections by state.";
  metrics.set_gauge(name, help, {{"state", "ready"}}, static_cast<double>(stats.connections_ready));
  metrics.set_gauge(name, help, {{"state", "connecting"}},
                    static_cast<double>(stats.connections_connecting));
  metrics.set_gauge(name, help, {{"state", "down"}}, static_cast<double>(stats.connections_down));
  metrics.set_gauge("frontdoor_db_async_in_flight",
                    "Statements sent on the I/O threads' connections and not yet answered.", {},
                    static_cast<double>(stats.in_flight));
  metrics.set_gauge("frontdoor_db_async_deepest_pipeline",
                    "Most statements one connection has held at once since start.", {},
                    static_cast<double>(stats.deepest_pipeline));
  metrics.set_counter("frontdoor_db_async_statements_total",
                      "Statements answered on the I/O threads.", {},
                      static_cast<double>(stats.statements));
  metrics.set_counter("frontdoor_db_async_round_trips_total",
                      "Round trips those statements took (statements / round trips = sharing).", {},
                      static_cast<double>(stats.round_trips));
}

}  // namespace

App::App(Config config, std::shared_ptr<const common::Clock> clock)
    : config_(std::move(config)),
      clock_(std::move(clock)),
      pool_(pool_options(config_)),
      reads_(read_options(config_), pool_),
      tokens_(signing_keys(config_), *clock_),
      authenticator_(tokens_, pool_),
      outbox_(pool_),
      audit_(pool_),
      accounts_(pool_, tokens_, *clock_, outbox_, config_.public_base_url),
      properties_(pool_, accounts_, audit_),
      people_(pool_, accounts_, audit_),
      token_cipher_(token_cipher(config_)),
      bmx_client_(
          bmx::make_http_client(bmx_options(config_), metrics_,
                                [this](const bmx::TokenSource* as, const bmx::BmxError& error) {
                                  bmx_.record_failure(as, error);
                                })),
      bmx_credentials_(pool_, token_cipher_, *bmx_client_, *clock_),
      bmx_(pool_, *bmx_client_, bmx_credentials_, audit_, *clock_, bmx_settings(config_)),
      listener_(db::with_connect_timeout(config_.database.url, std::chrono::seconds(3))),
      outbox_dispatcher_(pool_, metrics_, dispatcher_options(config_)),
      sms_(notify::make_sms_gateway(gateway_options(config_), metrics_)),
      email_(notify::make_email_gateway(gateway_options(config_), metrics_)),
      push_(notify::make_push_gateway(gateway_options(config_), metrics_)),
      deliveries_(pool_, *sms_, *email_, *push_, *clock_),
      // A BMX call we gave up on may still complete: wait two timeouts before tidying up.
      passes_(pool_, bmx_, token_cipher_, outbox_, audit_, *clock_, config_.public_base_url,
              std::chrono::milliseconds(2 * config_.bmx.timeout_ms)),
      pass_pages_(pool_, reads_, token_cipher_, *clock_),
      deny_list_(pool_, accounts_, passes_, outbox_, audit_, *clock_),
      visitors_(pool_, reads_, accounts_, bmx_, passes_, outbox_, audit_, deny_list_, *clock_),
      directory_(pool_, reads_, static_cast<int>(config_.directory.searches_per_minute)),
      calls_(pool_, bmx_, outbox_, audit_, *clock_,
             std::chrono::seconds(config_.calls.max_accepted_seconds),
             // BMX's own timeout, and a margin for the round trips around it.
             std::chrono::milliseconds(config_.bmx.timeout_ms + 2000)),
      webhooks_(pool_, token_cipher_, audit_, *clock_, webhook_options(config_)),
      idempotency_(pool_, std::chrono::milliseconds(config_.http.request_deadline_ms)),
      routes_(router_, authenticator_, idempotency_, reads_),
      dispatcher_(router_, metrics_) {
  // A panel's key is looked up on the I/O thread that answers its directory search.
  auth::use_panel_keys_on(reads_);
  ops::add_routes(router_, pool_, reads_, metrics_, [this] { return draining_.load(); });
  auth::add_routes(routes_, accounts_);
  properties::add_routes(routes_, properties_);
  // Support's view of a resident also shows their BMX link at that property.
  people::add_routes(routes_, people_, {{"bmx", [this](const people::MovedOut& resident) {
                                           return bmx::link_summary_json(bmx_, resident.user_id,
                                                                         resident.property_id);
                                         }}});
  audit::add_routes(routes_, audit_);
  // Support sees what waits: this property's BMX work, and every lane's backlog.
  bmx::add_routes(
      routes_, bmx_,
      {{"outbox", [this](const std::string& property_id) { return outbox_health(property_id); }}});
  visitors::add_routes(routes_, visitors_, deny_list_);
  passes::add_routes(routes_, passes_, pass_pages_);
  directory::add_routes(routes_, directory_);
  calls::add_routes(routes_, calls_);
  webhooks::add_routes(routes_, webhooks_);
  bmx_.on_call([this](const bmx::VerifiedCall& call) { calls_.start_from_bmx(call); });
  // Missed calls are due by time: every instance sweeps them on each outbox pass.
  outbox_dispatcher_.every_pass([this] { calls_.sweep_missed(); });
  // Finished rows go after their retention, a batch at a time, on every instance.
  outbox_dispatcher_.every(std::chrono::milliseconds(config_.retention.sweep_interval_ms),
                           [this] { sweep_finished_rows(); });
  // Deny-list entries an older version stored without match keys (at start too).
  outbox_dispatcher_.every(std::chrono::seconds(30), [this] { deny_list_.key_unkeyed_entries(); });
  // Move-out ends every privilege of the residency in its own transaction: calls
  // ringing or answered there, the visitors' passes, the BMX link and any answer
  // kept for an idempotent replay. (The resident role goes with the residency, and
  // access tokens carry no roles that are trusted: see Authenticator.)
  people_.on_move_out(
      [this](pqxx::work& tx, const auth::Principal& actor, const people::MovedOut& resident) {
        calls_.end_for_move_out(tx, actor, resident.user_id, resident.property_id);
        passes_.revoke_hosted_by(tx, actor, resident.user_id, resident.property_id);
        bmx_.unlink_in(tx, actor, resident.user_id, resident.property_id);
        idempotency_.forget(tx, "user:" + resident.user_id);
      });
  // A ring that waited in the outbox is sent only while the call still rings.
  deliveries_.send_only_while("incoming_call", [this](const nlohmann::json& data) {
    return calls_.still_ringing(data.value("call_id", ""));
  });
  properties_.on_visitor_access_closed(
      [this](pqxx::work& tx, const auth::Principal& actor, const std::string& property_id) {
        passes_.revoke_all_at(tx, actor, property_id);
      });
  bmx_.on_access([this](const bmx::VerifiedAccess& access) { passes_.on_access(access); });
  outbox_dispatcher_.listen_on(listener_);
  outbox_dispatcher_.handle(
      notify::Channel::bmx_urgent, "check_door_release",
      [this](const nlohmann::json& p) { return calls_.check_door_release(p); });
  // A panel key revoked on any instance is forgotten by every instance's cache;
  // after the listener was away, every cached key is looked up again.
  listener_.on(auth::kInvalidationChannel,
               [this](const std::string& payload) { authenticator_.forget(payload); });
  listener_.on_connected([this] { authenticator_.forget_every_panel(); });
  passes_.register_on(outbox_dispatcher_);
  deliveries_.register_on(outbox_dispatcher_);
  webhooks_.register_on(outbox_dispatcher_);
  // BMX's events (calls, entries) are queued on the urgent BMX lane; rows queued
  // on the plain one by an earlier version are still handled there.
  for (const auto lane : {notify::Channel::bmx_urgent, notify::Channel::bmx}) {
    outbox_dispatcher_.handle(lane, "webhook", [this](const nlohmann::json& payload) {
      return bmx_.process_webhook(payload.value("event_id", ""));
    });
  }
  metrics_.on_scrape([this](http::Metrics& metrics) {
    const auto stats = pool_.stats();
    const std::string name = "frontdoor_db_pool_connections";
    const std::string help = "Pooled database connections by state.";
    metrics.set_gauge(name, help, {{"state", "in_use"}}, static_cast<double>(stats.in_use));
    metrics.set_gauge(name, help, {{"state", "idle"}}, static_cast<double>(stats.idle));
    publish_read_path(metrics, reads_);
    ops::publish_process_metrics(metrics);
  });
}

App::~App() { shutdown(); }

nlohmann::json App::outbox_health(const std::string& property_id) {
  nlohmann::json lanes = nlohmann::json::object();
  for (const auto& lane : outbox_dispatcher_.stats()) {
    lanes[lane.lane] = {{"pending", lane.pending},
                        {"oldest_pending_seconds", lane.oldest_pending_seconds},
                        {"in_flight_here", lane.in_flight},
                        {"circuit", std::string(common::name_of(lane.circuit))}};
  }
  return {{"this_property_bmx", outbox_.pending_for(notify::Channel::bmx, property_id)},
          {"lanes", lanes}};
}

void App::sweep_finished_rows() {
  using std::chrono::hours;
  const auto& keep = config_.retention;
  const auto days = [](std::int64_t count) { return std::chrono::seconds(hours(24 * count)); };
  const auto in_hours = [](std::int64_t count) { return std::chrono::seconds(hours(count)); };
  const auto deleted = outbox_.sweep(days(keep.outbox_days), days(keep.dead_letter_days)) +
                       idempotency_.sweep(in_hours(keep.idempotency_hours)) +
                       accounts_.sweep(in_hours(keep.login_failure_hours),
                                       days(keep.refresh_token_days), days(keep.invitation_days)) +
                       bmx_.sweep_link_states(in_hours(keep.bmx_link_state_hours));
  if (deleted > 0) common::log::info("swept finished rows", {{"rows", deleted}});
}

void App::start() {
  http::ServerHooks hooks{
      .handle = [this](http::Request& request) { return dispatcher_.handle(request); },
      .never_blocks = [this](http::Request& request) { return dispatcher_.never_blocks(request); },
      .reject = [this](http::Request& request,
                       int status) { return dispatcher_.reject(request, status); },
      .is_async = [this](http::Request& request) { return dispatcher_.is_async(request); },
      .handle_async = [this](http::Request& request) { return dispatcher_.handle_async(request); },
      .on_io_thread_start = [this](boost::asio::io_context& io) { reads_.attach(io); }};
  server_ = std::make_unique<http::Server>(server_options(config_), std::move(hooks));
  server_->start();
  try {
    deny_list_.key_unkeyed_entries();
  } catch (const std::exception& failure) {
    // The database is away: housekeeping keys them when it is back.
    common::log::warn("deny-list keys not refreshed", {{"error", failure.what()}});
  }
  outbox_dispatcher_.start();
  listener_.start();
  common::log::info("listening", {{"address", config_.listen.address}, {"port", port()}});
}

std::uint16_t App::port() const { return server_ ? server_->port() : 0; }

void App::shutdown() {
  if (server_) server_->shutdown();
  listener_.stop();
  outbox_dispatcher_.stop();
  pool_.close();
}

void App::run_until_signalled() {
  server_->run_until_signalled([this] { draining_ = true; });
  listener_.stop();
  outbox_dispatcher_.stop();
  pool_.close();
  common::log::info("stopped");
}

}  // namespace frontdoor::app
