#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "frontdoor/http/json.hpp"
#include "frontdoor/http/router.hpp"
#include "wire.hpp"

namespace bmx_sandbox {

// A recurring keychain's weekly windows, in the building's time zone.
struct WeeklyWindows {
  std::vector<std::string> weekdays;  // "mon".."sun"
  std::chrono::minutes time_from{};
  std::chrono::minutes time_to{};
  std::chrono::sys_days start_date;
  std::chrono::sys_days end_date;
};

// A keychain as a create asked for it, checked field by field (keychains.cpp).
struct KeychainSpec {
  std::string type;  // custom_keychain, one_time_keychain, recurring_keychain, delivery_pass
  std::string name;
  std::optional<std::chrono::system_clock::time_point> starts;
  std::optional<std::chrono::system_clock::time_point> ends;
  std::optional<WeeklyWindows> weekly;
  std::vector<std::int64_t> access_point_ids;
  std::vector<std::int64_t> device_ids;
};

// A fault injected with POST /_sandbox/faults (control.cpp): the requests it
// matches answer with this status, late, or not at all, `times` times.
struct Fault {
  std::string method;  // empty: any
  std::string path_prefix;
  int status = 0;
  int delay_ms = 0;
  bool drop = false;
  int retry_after = -1;
  int times = 1;
};
// What POST /_sandbox/buildings asks for (control.cpp).
struct Seed;

struct Options {
  std::string client_id = "frontdoor";
  std::string client_secret = "sandbox-secret";
  // Where the sandbox is reached; used in the URLs it hands out (keys, authorize).
  std::string public_url = "http://127.0.0.1:8090";
};

using TimePoint = std::chrono::system_clock::time_point;

// The stand-in for ButterflyMX: the v4 API subset frontdoor uses, OAuth, the
// message providers (SMS, push) and the /_sandbox/ control routes of docs/api.md.
// State lives in memory; every /v4 and /oauth request is recorded for tests.
// Route files: oauth.cpp, directory.cpp (buildings, units, tenants, devices,
// access points), keys.cpp (keychains, virtual keys, scans), events.cpp (door
// releases, calls, access logs, integrations, webhook delivery), providers.cpp,
// control.cpp, panel.cpp (the panel page that calls through frontdoor).
class Sandbox {
 public:
  explicit Sandbox(Options options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  void set_public_url(std::string url);
  void add_routes(frontdoor::http::Router& router);
  // A message that reached the SMTP listener: recorded in the inbox, one entry
  // per recipient, with the text part as body and the HTML part in data.html.
  void receive_email(const std::string& from, const std::vector<std::string>& recipients,
                     const std::string& data);

 private:
  struct Building {
    std::int64_t id;
    std::string name;
    std::string time_zone;
    std::set<std::string> admins;  // e-mails of building-admin users
    std::string created_at;
  };
  struct Unit {
    std::int64_t id;
    std::int64_t building_id;
    std::string label;
    std::string floor;
    std::string created_at;
  };
  struct Tenant {
    std::int64_t id;
    std::int64_t unit_id;
    std::int64_t building_id;
    std::string first_name;
    std::string last_name;
    std::string email;
    std::string phone;
    std::string contact_preference;
    std::string created_at;
  };
  struct Device {
    std::int64_t id;
    std::int64_t building_id;
    std::string name;
    std::string type;
    std::string created_at;
  };
  struct AccessPoint {
    std::int64_t id;
    std::int64_t building_id;
    std::string name;
    std::vector<std::int64_t> device_ids;
    std::string created_at;
  };
  struct Keychain {
    std::int64_t id;
    std::string type;  // custom_keychain, one_time_keychain, recurring_keychain, delivery_pass
    std::string name;
    std::int64_t building_id;
    std::int64_t tenant_id;
    std::int64_t unit_id;
    TimePoint starts_at;
    TimePoint ends_at;
    std::vector<std::int64_t> access_point_ids;
    std::vector<std::int64_t> device_ids;
    std::string created_at;
    std::optional<WeeklyWindows> weekly;  // recurring_keychain only
  };
  struct VirtualKey {
    std::int64_t id;
    std::int64_t keychain_id;
    std::string name;
    std::string email;
    std::string sms_number;
    std::string pin_code;
    std::string secret;  // what its QR code encodes
    int usage_count = 0;
    std::optional<TimePoint> first_used_at;
    std::optional<TimePoint> last_used_at;
    std::optional<TimePoint> sent_at;
    std::string created_at;
  };
  struct Call {
    std::int64_t id;
    std::int64_t building_id;
    std::int64_t tenant_id;
    std::int64_t unit_id;
    std::int64_t device_id;
    std::string status;
    std::string logged_at;
  };
  struct AccessLog {
    std::int64_t id;
    std::int64_t building_id;
    std::int64_t access_point_id;
    std::string release_status;  // Unlocked, Denied
    std::string name;
    std::string release_type;  // Tenant, Visitor
    std::int64_t unit_id;
    std::int64_t tenant_id;
    std::string entry_method;
    std::string logged_at;
  };
  // clang-tidy sees a throwing move in nlohmann::json's assertions; it has none.
  struct Integration {  // NOLINT(bugprone-exception-escape)
    std::int64_t id;
    std::string scope;  // building, tenant
    std::int64_t owner_id;
    nlohmann::json attributes;  // integrator, configuration, bindings
  };
  struct Token {
    std::string email;
    TimePoint expires_at;
  };
  // A receiver for frontdoor's integrator webhooks (webhook_sink.cpp).
  struct Sink {
    std::vector<std::string> secrets;  // to check Frontdoor-Signature with
    std::vector<nlohmann::json> received;
  };
  struct PanelLink {
    std::string frontdoor_url;
    std::string panel_key;
  };
  struct Delivery {
    std::string url;
    std::string body;
  };
  // What the caller behind an access token may see.
  struct Caller {
    std::string email;
    std::optional<std::int64_t> tenant_id;  // set for a tenant's own token

    bool is_tenant() const { return tenant_id.has_value(); }
  };

  void add_oauth_routes(frontdoor::http::Router& router);
  void add_directory_routes(frontdoor::http::Router& router);
  void add_building_routes(frontdoor::http::Router& router);
  void add_tenant_routes(frontdoor::http::Router& router);
  void add_door_routes(frontdoor::http::Router& router);
  void add_keychain_routes(frontdoor::http::Router& router);
  void add_key_routes(frontdoor::http::Router& router);
  void add_event_routes(frontdoor::http::Router& router);
  void add_integration_routes(frontdoor::http::Router& router);
  void add_provider_routes(frontdoor::http::Router& router);
  void add_control_routes(frontdoor::http::Router& router);
  void add_panel_routes(frontdoor::http::Router& router);
  void add_webhook_sink_routes(frontdoor::http::Router& router);
  frontdoor::http::Response forward_to_frontdoor(const frontdoor::http::Request& request,
                                                 const std::string& method,
                                                 const std::string& path);
  // Wraps a BMX route: records the request, then applies a matching fault.
  frontdoor::http::Handler bmx_route(frontdoor::http::Handler handler);
  // Wraps a provider route (SMS, push): faults apply, nothing is recorded.
  frontdoor::http::Handler provider_route(frontdoor::http::Handler handler);
  frontdoor::http::Handler with_faults(frontdoor::http::Handler handler, bool record);
  std::optional<Fault> take_fault(const frontdoor::http::Request& request, bool record);

  // A BMX route whose handler takes the caller, as frontdoor's routes do: the
  // request is recorded, faults apply, then as_caller's preamble runs before
  // handler(request, caller).
  template <typename Handler>
  frontdoor::http::Handler for_caller(Handler handler) {
    return bmx_route([this, handler](frontdoor::http::Request& request) {
      return as_caller(request, [&](const Caller& me) { return handler(request, me); });
    });
  }
  // The preamble every BMX route shares: the sandbox's lock, the caller behind
  // the bearer token (401 without one), then answer(caller).
  template <typename Answer>
  frontdoor::http::Response as_caller(const frontdoor::http::Request& request, Answer answer) {
    std::lock_guard lock(mutex_);
    auto me = caller(request);
    if (!me) return wire::unauthorized();
    return answer(*me);
  }
  // The preamble of a route under /v4/buildings/{building_id} or
  // /v4/tenants/{owner_id}: as_caller, then 404 unless `may_see(caller, owner)`
  // for the owner the path names, then answer(caller, owner).
  template <typename MaySee, typename Answer>
  frontdoor::http::Response as_owner(const frontdoor::http::Request& request,
                                     const char* owner_param, MaySee may_see, Answer answer) {
    return as_caller(request, [&](const Caller& me) {
      const auto owner = wire::id_param(request, owner_param);
      if (!owner || !may_see(me, *owner)) return wire::not_found();
      return answer(me, *owner);
    });
  }
  // A building's records (calls, access logs) a caller may see: a building's
  // admin sees all of them, a tenant only their own.
  template <typename Record>
  static bool sees_record(const Caller& me, std::int64_t building_id, const Record& record) {
    return record.building_id == building_id &&
           (!me.is_tenant() || record.tenant_id == *me.tenant_id);
  }
  // GET /v4/<things>: what the caller may see and the request's q[...] filters
  // let through, a page at a time.
  template <typename Item, typename Visible, typename Values, typename ToJson>
  frontdoor::http::Response list_of(const frontdoor::http::Request& request,
                                    const std::map<std::int64_t, Item>& items, Visible visible,
                                    Values values, ToJson to_json) {
    return as_caller(request, [&](const Caller& me) {
      std::vector<nlohmann::json> shown;
      for (const auto& [id, item] : items) {
        if (visible(me, item) && wire::passes_filters(request, values(item))) {
          shown.push_back(to_json(item));
        }
      }
      return frontdoor::http::json_response(200, wire::page_of(shown, request));
    });
  }
  // The item named by the {id} parameter when the caller may see it, or 404.
  template <typename Item, typename Visible>
  const Item* find_visible(const frontdoor::http::Request& request, const Caller& me,
                           const std::map<std::int64_t, Item>& items, Visible visible) {
    const auto id = wire::id_param(request, "id");
    if (!id) return nullptr;
    const auto found = items.find(*id);
    if (found == items.end() || !visible(me, found->second)) return nullptr;
    return &found->second;
  }
  // GET /v4/<things>/{id}.
  template <typename Item, typename Visible, typename ToJson>
  frontdoor::http::Response one_of(const frontdoor::http::Request& request,
                                   const std::map<std::int64_t, Item>& items, Visible visible,
                                   ToJson to_json) {
    return as_caller(request, [&](const Caller& me) {
      const auto* item = find_visible(request, me, items, visible);
      return item ? wire::ok(to_json(*item)) : wire::not_found();
    });
  }

  std::int64_t next_id();
  nlohmann::json issue_token(const std::string& email);
  // The caller, or nullopt when the token is unknown or expired. Holds mutex_.
  std::optional<Caller> caller(const frontdoor::http::Request& request);
  bool can_see_building(const Caller& caller, std::int64_t building_id) const;
  bool can_act_for_tenant(const Caller& caller, std::int64_t tenant_id) const;

  nlohmann::json building_json(const Building& building) const;
  nlohmann::json unit_json(const Unit& unit) const;
  nlohmann::json tenant_json(const Tenant& tenant) const;
  nlohmann::json device_json(const Device& device) const;
  nlohmann::json access_point_json(const AccessPoint& access_point) const;
  nlohmann::json keychain_json(const Keychain& keychain) const;
  nlohmann::json virtual_key_json(const VirtualKey& key) const;
  nlohmann::json call_json(const Call& call) const;
  nlohmann::json access_log_json(const AccessLog& log) const;
  nlohmann::json integration_json(const Integration& integration) const;

  // Keychains (keychains.cpp): POST /v4/keychains/<type>, checked as BMX checks
  // it; the window a recurring or delivery keychain gets by its type; that the
  // access points and devices named are in the building; the keychain stored.
  frontdoor::http::Response create_keychain(const frontdoor::http::Request& request,
                                            const Caller& me, const std::string& type);
  void window_by_type(KeychainSpec& parsed, const std::string& zone) const;
  void check_in_building(const KeychainSpec& parsed, std::int64_t building_id,
                         nlohmann::json& problems) const;
  const Keychain& add_keychain(KeychainSpec parsed, const Tenant& tenant);
  // Virtual keys and scans (keys.cpp): POST /v4/virtual_keys; a panel scan
  // judged (the reason it opens or not), recorded as an access log, answered.
  frontdoor::http::Response create_virtual_key_from(const frontdoor::http::Request& request,
                                                    const Caller& me);
  std::string judge_scan(const VirtualKey* key, TimePoint now) const;
  AccessLog record_scan(const Device& device, VirtualKey* key, TimePoint now, bool granted);
  frontdoor::http::Response scan(const frontdoor::http::Request& request);
  // Control (control.cpp): a seeded building with its doors (devices and access
  // points) and units with their tenants, and everything forgotten at once.
  frontdoor::http::Response seed_building(const frontdoor::http::Request& request);
  void seed_doors(const Seed& seed, std::int64_t building_id, const std::string& created_at,
                  nlohmann::json& result);
  void seed_units(const Seed& seed, std::int64_t building_id, const std::string& created_at,
                  nlohmann::json& result);
  void reset();
  // The message providers (providers.cpp): Twilio-style SMS, FCM and APNs.
  frontdoor::http::Response twilio_send(const frontdoor::http::Request& request);
  frontdoor::http::Response fcm_send(const frontdoor::http::Request& request);
  frontdoor::http::Response apns_send(const frontdoor::http::Request& request);
  frontdoor::http::Response expire_tokens(const frontdoor::http::Request& request);
  frontdoor::http::Response requests_seen(const frontdoor::http::Request& request);
  frontdoor::http::Response messages_seen(const frontdoor::http::Request& request);
  // At the door (events.cpp): a door release, a building's calls and access logs
  // the caller may see, and the control routes that place a call and move it on.
  frontdoor::http::Response release_door(const frontdoor::http::Request& request, const Caller& me);
  frontdoor::http::Response calls_of(const frontdoor::http::Request& request, const Caller& me,
                                     std::int64_t building);
  frontdoor::http::Response access_logs_of(const frontdoor::http::Request& request,
                                           const Caller& me, std::int64_t building);
  frontdoor::http::Response place_call(const frontdoor::http::Request& request);
  frontdoor::http::Response move_call(const frontdoor::http::Request& request);
  // Creates a key on `keychain` and "sends" it as BMX does. Holds mutex_.
  VirtualKey& create_virtual_key(const Keychain& keychain, const std::string& name,
                                 const std::string& email, const std::string& sms_number,
                                 const std::string& pin_code);
  void record_message(const std::string& channel, const std::string& to, const std::string& subject,
                      const std::string& body, const nlohmann::json& data);
  // Queues `event` for every integration bound to it in `building_id` (and, for
  // tenant integrations, of `tenant_id`). Holds mutex_.
  void publish(const std::string& resource_type, const nlohmann::json& data,
               std::int64_t building_id, std::optional<std::int64_t> tenant_id,
               const std::vector<std::string>& aliases = {});
  void deliver_webhooks();

  Options options_;
  std::mutex mutex_;
  std::int64_t last_id_ = 10000000;
  std::map<std::int64_t, Building> buildings_;
  std::map<std::int64_t, Unit> units_;
  std::map<std::int64_t, Tenant> tenants_;
  std::map<std::int64_t, Device> devices_;
  std::map<std::int64_t, AccessPoint> access_points_;
  std::map<std::int64_t, Keychain> keychains_;
  std::map<std::int64_t, VirtualKey> virtual_keys_;
  std::map<std::int64_t, nlohmann::json> door_releases_;
  std::map<std::int64_t, Call> calls_;
  std::map<std::int64_t, AccessLog> access_logs_;
  std::map<std::int64_t, Integration> integrations_;
  std::map<std::string, std::string> codes_;           // code → e-mail
  std::map<std::string, Token> access_tokens_;         // token → holder
  std::map<std::string, std::string> refresh_tokens_;  // token → e-mail
  std::map<std::int64_t, PanelLink> panel_links_;      // BMX device → frontdoor panel
  std::vector<Fault> faults_;
  std::vector<nlohmann::json> requests_;
  std::vector<nlohmann::json> messages_;
  std::vector<nlohmann::json> webhook_log_;
  std::map<std::string, Sink> sinks_;  // by name

  std::condition_variable deliveries_ready_;
  std::deque<Delivery> deliveries_;
  bool stopping_ = false;
  std::thread delivery_thread_;
};

}  // namespace bmx_sandbox
