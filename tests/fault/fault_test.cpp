// Faults that happen in buildings: the database dies under load, BMX fails or
// stalls, frontdoor is stopped mid-traffic, two instances share one database.
// Each test says what must hold afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "../support/bmx_world.hpp"
#include "../support/eventually.hpp"
#include "../support/frontdoor_process.hpp"
#include "../support/postgres.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"
#include "frontdoor/common/time.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::BmxWorld;
using testing::eventually;
using testing::FrontdoorProcess;
using testing::HttpClient;
using testing::PostgresCluster;
using testing::SandboxProcess;
using testing::TestServer;
using testing::World;

std::string in_hours(double hours) {
  return common::to_rfc3339(std::chrono::system_clock::now() +
                            std::chrono::seconds(static_cast<long>(hours * 3600)));
}

TEST(Faults, PostgresKilledUnderWriteLoadLosesNothingAndServiceResumes) {
  PostgresCluster::shared().make_commits_durable();
  TestServer server;
  World world(server);
  const auto property = world.property("crash");
  const auto manager = world.staff(property, "manager");
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::set<std::string> created;
  std::atomic<int> server_errors{0}, unavailable{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        auto response = world.client().post(
            "/v1/properties/" + property + "/units",
            nlohmann::json{{"label", "W" + std::to_string(w) + "-" + std::to_string(i)}}.dump(),
            manager.auth());
        if (response.status == 201) {
          std::lock_guard lock(mutex);
          created.insert(response.json()["id"].get<std::string>());
        } else if (response.status == 503) {
          ++unavailable;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } else {
          ++server_errors;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  PostgresCluster::shared().kill();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  PostgresCluster::shared().start();
  // Back within 5 s of the database's return, without restarting frontdoor.
  EXPECT_TRUE(eventually([&] { return world.client().get("/readyz").status == 200; },
                         std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  stop = true;
  for (auto& writer : writers) writer.join();

  EXPECT_EQ(server_errors.load(), 0);
  EXPECT_GT(unavailable.load(), 0) << "the outage was not noticed: the test proved nothing";
  pqxx::connection connection(server.database_url());
  pqxx::nontransaction tx(connection);
  for (const auto& id : created) {
    EXPECT_EQ(tx.exec_params("SELECT 1 FROM units WHERE id = $1", id).size(), 1u)
        << "unit " << id << " got a 201 but is gone";
  }
  EXPECT_GT(created.size(), 10u);
}

// The reads that run on the I/O threads (directory, my visitors) under load
// while Postgres dies and comes back. Each batch of requests goes on one
// keep-alive connection: an outage must answer 503 on it, never close it.
TEST(Faults, PostgresKilledUnderReadLoadAnswers503OnOpenConnectionsAndResumes) {
  TestServer server({.configure = [](app::Config& c) {
    c.directory.searches_per_minute = 100000000;
    c.http.io_threads = 2;
  }});
  World world(server);
  const auto property = world.property("reads");
  const auto ann = world.resident(property, "Ann", "Reader");
  const auto key = world.panel_key(property);
  const std::string search =
      "GET /v1/panel/directory?q=Ann HTTP/1.1\r\nHost: frontdoor\r\n"
      "Authorization: Bearer " +
      key + "\r\n\r\n";
  const std::string mine =
      "GET /v1/me/visitors HTTP/1.1\r\nHost: frontdoor\r\n"
      "Authorization: Bearer " +
      ann.access_token + "\r\n\r\n";
  constexpr int kPerBatch = 6;
  std::string batch;
  for (int i = 0; i < kPerBatch / 2; ++i) batch += search + mine;

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0}, dropped{0}, missing_retry_after{0};
  // Milliseconds from the start: when Postgres was back, and the first 200 after it.
  std::atomic<long long> returned_ms{-1}, first_ok_after_return_ms{-1};
  const auto since_start = [started = std::chrono::steady_clock::now()] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      HttpClient client(server.app().port(), "127.0.0.1", std::chrono::seconds(8));
      while (!stop) {
        std::vector<testing::HttpResponse> responses;
        try {
          responses = client.raw_many(batch, kPerBatch);
        } catch (const std::exception&) {
          ++dropped;  // fewer answers than requests: the connection went away
          continue;
        }
        for (const auto& response : responses) {
          if (response.status == 200) {
            ++ok;
            const auto now = since_start();
            long long unset = -1;
            if (returned_ms >= 0 && now > returned_ms) {
              first_ok_after_return_ms.compare_exchange_strong(unset, now);
            }
          } else if (response.status == 503) {
            ++unavailable;
            if (response.header("retry-after").empty()) ++missing_retry_after;
          } else {
            ++other;
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int ok_before = ok;
  PostgresCluster::shared().kill();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int unavailable_during = unavailable;
  PostgresCluster::shared().start();
  returned_ms = since_start();
  // Reads answer again within 5 s of the database's return, without a restart.
  EXPECT_TRUE(eventually([&] { return first_ok_after_return_ms >= 0; }, std::chrono::seconds(5)))
      << "no read answered 200 within 5 s of Postgres coming back";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& reader : readers) reader.join();

  std::cout << "reads: " << ok << " answered 200, " << unavailable << " answered 503; "
            << "the first 200 came " << (first_ok_after_return_ms - returned_ms)
            << " ms after Postgres was back\n";
  EXPECT_GT(ok_before, 0) << "the reads never worked: the test proved nothing";
  EXPECT_GT(unavailable_during, 0) << "the outage was not noticed: the test proved nothing";
  EXPECT_EQ(other.load(), 0) << "answers other than 200 and 503 (a 500 is a bug)";
  EXPECT_EQ(dropped.load(), 0) << "a keep-alive connection was closed during the outage";
  EXPECT_EQ(missing_retry_after.load(), 0) << "a 503 without Retry-After";
}

class BmxFaults : public ::testing::Test {
 protected:
  BmxFaults()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{.bmx_sandbox = true}),
        world(server),
        bmx(world.client(), sandbox) {
    sandbox.reset();
    server.clock().set(std::chrono::system_clock::now());
    property = world.property("faulty");
    building = bmx.seed_building("faulty", {{"ana@bmx.test", "mobile_app"}});
    bmx.set_up_site(property, building, world.admin().access_token);
    ana = world.resident(property);
    bmx.link(ana.access_token, "ana@bmx.test");
  }

  // Creates `count` property-only visitors with distinct phones; returns the phones.
  std::vector<std::string> add_visitors(int count, int first) {
    std::vector<std::string> phones;
    for (int i = 0; i < count; ++i) {
      const auto phone = "+1555030" + std::to_string(1000 + first + i);
      auto response = world.client().post("/v1/me/visitors",
                                          nlohmann::json{{"name", "Guest " + std::to_string(i)},
                                                         {"phone", phone},
                                                         {"access", "property_only"},
                                                         {"starts_at", in_hours(0)},
                                                         {"ends_at", in_hours(2)}}
                                              .dump(),
                                          ana.auth());
      EXPECT_EQ(response.status, 201) << response.body;
      phones.push_back(phone);
    }
    return phones;
  }

  // Lets the outbox's backoff pass, as time would.
  void hurry() {
    testing::query_value(server.database_url(),
                         "UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending' "
                         "RETURNING 1");
    server.app().dispatcher().wake();
  }

  void expect_every_pass_issued_once(const std::vector<std::string>& phones) {
    const auto total = std::to_string(phones.size());
    // Retries wait for their backoff and for the circuit breaker to close again.
    EXPECT_TRUE(eventually(
        [&] {
          hurry();
          std::this_thread::sleep_for(std::chrono::milliseconds(600));
          return testing::query_value(server.database_url(),
                                      "SELECT count(*) FROM passes WHERE status = 'issued'") ==
                 total;
        },
        std::chrono::seconds(40)))
        << testing::query_value(server.database_url(),
                                "SELECT string_agg(status || coalesce(failure_reason, ''), ',') "
                                "FROM passes");
    // Tidying up after an interrupted creation waits until BMX cannot still be at it.
    EXPECT_TRUE(eventually(
        [&] {
          hurry();
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
          return testing::query_value(server.database_url(),
                                      "SELECT count(*) FROM outbox WHERE status = 'pending'") ==
                 "0";
        },
        std::chrono::seconds(20)));
    auto keychains =
        sandbox.client()
            .get("/v4/keychains?per=100", {{"Authorization", "Bearer " + bmx.admin_token()}})
            .json()["data"];
    EXPECT_EQ(keychains.size(), phones.size()) << "a duplicate keychain at BMX";
    for (const auto& phone : phones) {
      EXPECT_TRUE(eventually([&] { return !sandbox.messages("sms", phone).empty(); }));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      EXPECT_EQ(sandbox.messages("sms", phone).size(), 1u) << phone;
    }
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  BmxWorld bmx;
  std::string property;
  nlohmann::json building;
  Account ana;
};

TEST_F(BmxFaults, BmxAnswering500LosesNoPass) {
  sandbox.fault({{"path_prefix", "/v4"}, {"status", 500}, {"times", 12}});
  expect_every_pass_issued_once(add_visitors(4, 0));
}

TEST_F(BmxFaults, ASlowBmxThatCreatedTheKeychainAfterWeGaveUpMakesNoDuplicate) {
  // The first keychain creations answer after the client's 2 s timeout; BMX has
  // made them all the same. The retry must find them, not make more.
  sandbox.fault(
      {{"method", "POST"}, {"path_prefix", "/v4/keychains"}, {"delay_ms", 2500}, {"times", 3}});
  expect_every_pass_issued_once(add_visitors(3, 10));
}

TEST_F(BmxFaults, BmxDownForAWhileThenBackIssuesEveryPassOnce) {
  sandbox.fault({{"path_prefix", "/v4"}, {"drop", true}, {"times", 100000}});
  const auto phones = add_visitors(4, 20);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT count(*) FROM passes WHERE status = 'pending'"),
            "4");
  sandbox.client().send("DELETE", "/_sandbox/faults", "", {});
  expect_every_pass_issued_once(phones);
}

// The outbox lanes (issue 14): a backlog of pass issuances behind a slow or
// failing BMX must not delay a ring, nor e-mail and SMS that need nothing from BMX.
class LaneFaults : public BmxFaults {
 protected:
  LaneFaults() {
    panel_key = world.panel_key(property);
    device = world.client()
                 .post("/v1/me/devices", R"({"platform":"android","push_token":"fcm-lane-ana"})",
                       ana.auth())
                 .json()["id"];
  }

  // `count` visitors of Ana's whose passes wait for BMX, written the way the
  // visitors module writes them (visitor, pending pass, issuance job), at once.
  void queue_pass_backlog(int count) {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    tx.exec_params(
        "WITH v AS (INSERT INTO visitors (property_id, host_user_id, created_by, name, phone, "
        "access, starts_at, ends_at) SELECT $1, $2, $2, 'Backlog ' || i, '+1555' || "
        "lpad(i::text, 7, '0'), 'property_only', now(), now() + interval '2 hours' "
        "FROM generate_series(1, $3) i RETURNING id), "
        "p AS (INSERT INTO passes (visitor_id, property_id, via) SELECT id, $1, "
        "'resident_tenant' FROM v RETURNING visitor_id) "
        "INSERT INTO outbox (channel, dedupe_key, payload) SELECT 'bmx', 'issue-pass:' || "
        "visitor_id, jsonb_build_object('kind', 'issue_pass', 'visitor_id', visitor_id, "
        "'property_id', $1::text) FROM p",
        property, ana.user_id, count);
    tx.commit();
  }

  std::string count_of(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  // How long a panel call takes to reach the sandbox as a ring push.
  std::chrono::milliseconds ring_latency() {
    const auto rings_before = sandbox.messages("push", "fcm-lane-ana").size();
    const auto started = std::chrono::steady_clock::now();
    auto call = world.client().post("/v1/panel/calls",
                                    nlohmann::json{{"entry_id", ana.residency_id}}.dump(),
                                    {{"Authorization", "Bearer " + panel_key}});
    EXPECT_EQ(call.status, 201) << call.body;
    while (sandbox.messages("push", "fcm-lane-ana").size() <= rings_before &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    world.client().post("/v1/panel/calls/" + call.json()["call_id"].get<std::string>() + "/cancel",
                        "", {{"Authorization", "Bearer " + panel_key}});
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  }

  std::string panel_key;
  std::string device;
};

TEST_F(LaneFaults, ARingAndMailThatNeedNoBmxGoOutBehindABacklogOfPassesAndASlowBmx) {
  // BMX answers, but only after 1.8 s (the client's timeout is 2 s), for good.
  sandbox.fault({{"path_prefix", "/v4"}, {"delay_ms", 1800}, {"times", 100000}});
  queue_pass_backlog(2000);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the BMX lane is busy now
  EXPECT_GT(std::stoi(count_of("SELECT count(*) FROM passes WHERE status = 'pending'")), 1900);
  for (int i = 0; i < 3; ++i) {
    const auto latency = ring_latency();
    EXPECT_LT(latency.count(), 1000) << "ring " << i << " took " << latency.count() << " ms";
  }
  // A move-in invitation and an SMS: their lanes do not wait for BMX's.
  auto manager = world.staff(property, "manager");
  const auto started = std::chrono::steady_clock::now();
  auto moved_in =
      world.client().post("/v1/properties/" + property + "/residents",
                          nlohmann::json{{"unit_id", world.unit(manager, property, "L1")},
                                         {"first_name", "Lane"},
                                         {"last_name", "Newcomer"},
                                         {"email", "lane.newcomer@example.com"},
                                         {"phone", "+15550505050"}}
                              .dump(),
                          manager.auth());
  ASSERT_EQ(moved_in.status, 201) << moved_in.body;
  {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO outbox (channel, dedupe_key, payload) VALUES ('sms', 'lane-sms', "
        "'{\"to\": \"+15550505051\", \"text\": \"Your pass: http://x/p/1\"}')");
    tx.commit();
  }
  EXPECT_TRUE(eventually(
      [&] {
        return !sandbox.messages("email", "lane.newcomer@example.com").empty() &&
               !sandbox.messages("sms", "+15550505051").empty();
      },
      std::chrono::seconds(5)));
  const auto mail_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(mail_seconds, 5.0);
  // And the backlog is still there: the lanes did not clear it, they went around it.
  EXPECT_GT(std::stoi(count_of("SELECT count(*) FROM passes WHERE status = 'pending'")), 1800);
}

TEST_F(LaneFaults, ARingGoesOutWhileBmxAnswers503AndTheBacklogWaits) {
  sandbox.fault({{"path_prefix", "/v4"}, {"status", 503}, {"times", 100000}});
  queue_pass_backlog(2000);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (int i = 0; i < 3; ++i) {
    const auto latency = ring_latency();
    EXPECT_LT(latency.count(), 1000) << "ring " << i << " took " << latency.count() << " ms";
  }
  // The BMX lane's circuit is open: it waits instead of burning attempts.
  const auto metrics = world.client().get("/metrics").body;
  EXPECT_TRUE(eventually([&] {
    return world.client()
               .get("/metrics")
               .body.find("frontdoor_outbox_circuit_open{lane=\"bmx\"} 1") != std::string::npos;
  })) << metrics.substr(0, 2000);
  EXPECT_LT(std::stoi(count_of("SELECT max(attempts) FROM outbox WHERE channel = 'bmx'")), 5);
}

TEST_F(LaneFaults, WhenBmxComesBackTheBacklogDrainsAndEveryPassHasOneKeychain) {
  constexpr int kPasses = 400;
  sandbox.fault({{"path_prefix", "/v4"}, {"drop", true}, {"times", 100000}});
  queue_pass_backlog(kPasses);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(count_of("SELECT count(*) FROM passes WHERE status = 'issued'"), "0");
  sandbox.client().send("DELETE", "/_sandbox/faults", "", {});
  const auto back = std::chrono::steady_clock::now();
  // Recovery is a probe away (outbox.breaker_open_ms), then the backlog drains at
  // the lane's pace: well over 50 a second here, so 400 are done in seconds.
  EXPECT_TRUE(eventually(
      [&] {
        return count_of("SELECT count(*) FROM passes WHERE status = 'issued'") ==
               std::to_string(kPasses);
      },
      std::chrono::seconds(40)))
      << count_of("SELECT count(*) FROM passes WHERE status = 'issued'");
  const auto drained = std::chrono::duration<double>(std::chrono::steady_clock::now() - back);
  std::cout << "[ drained  ] " << kPasses << " passes in " << drained.count() << " s ("
            << kPasses / drained.count() << " a second)" << std::endl;
  // Exactly one keychain per pass at BMX, found by its name.
  std::map<std::string, int> keychains_by_name;
  const auto token = bmx.admin_token();
  for (int page = 1;; ++page) {
    auto body = sandbox.client()
                    .get("/v4/keychains?per=100&page=" + std::to_string(page),
                         {{"Authorization", "Bearer " + token}})
                    .json();
    for (const auto& keychain : body["data"]) ++keychains_by_name[keychain["name"]];
    if (body["page_info"]["next_page"].is_null()) break;
  }
  EXPECT_EQ(keychains_by_name.size(), static_cast<std::size_t>(kPasses));
  for (const auto& [name, count] : keychains_by_name) EXPECT_EQ(count, 1) << name;
}

// "In flight" is what the server took in: every request it acted on must get its
// answer. Writers create units; afterwards the database holds exactly the units
// whose 201 arrived. A connection the server closed before reading a request is
// refused or ended, which a client may retry; those are counted, not failed.
TEST(ProcessFaults, SigtermUnderLoadAnswersEveryRequestItTookIn) {
  FrontdoorProcess frontdoor;
  ASSERT_EQ(
      frontdoor.run_command("create-admin --email ops@stop.test --password stop-operator-pass"), 0);
  HttpClient setup = frontdoor.client();
  const std::string admin =
      setup.post("/v1/auth/login", R"({"email":"ops@stop.test","password":"stop-operator-pass"})")
          .json()["access_token"];
  const HttpClient::Headers auth = {{"Authorization", "Bearer " + admin}};
  const std::string property =
      setup.post("/v1/properties", R"({"name":"Stop","site_name":"stop","time_zone":"UTC"})", auth)
          .json()["id"];
  std::atomic<bool> stop{false};
  std::atomic<int> created{0}, wrong{0}, not_taken{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(frontdoor.port());
      for (int i = 0; !stop; ++i) {
        try {
          auto response = client.post(
              "/v1/properties/" + property + "/units",
              nlohmann::json{{"label", std::to_string(w) + "-" + std::to_string(i)}}.dump(), auth);
          (response.status == 201 ? created : wrong)++;
        } catch (const std::exception&) {
          ++not_taken;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(frontdoor.terminate(), 0);
  stop = true;
  for (auto& writer : writers) writer.join();
  EXPECT_GT(created.load(), 20);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(
      testing::query_value(frontdoor.database_url(),
                           "SELECT count(*) FROM units WHERE property_id = '" + property + "'"),
      std::to_string(created.load()))
      << "a unit was created but its 201 never arrived (" << not_taken.load()
      << " connections were not taken in)";
}

TEST(ProcessFaults, TwoInstancesDeliverEachMessageOnceAndMissEachCallOnce) {
  auto& sandbox = SandboxProcess::shared();
  sandbox.reset();
  FrontdoorProcess first;
  FrontdoorProcess second({}, first.database_url());
  // Fifty SMS queued at once: each instance's dispatcher claims some, none twice.
  {
    pqxx::connection connection(first.database_url());
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO outbox (channel, dedupe_key, payload) SELECT 'sms', 'twin-' || i, "
        "jsonb_build_object('to', '+1555040' || (1000 + i), 'text', 'hello ' || i) "
        "FROM generate_series(1, 50) i");
    tx.commit();
  }
  EXPECT_TRUE(eventually([&] { return sandbox.messages("sms").size() >= 50; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto sms = sandbox.messages("sms");
  EXPECT_EQ(sms.size(), 50u);
  std::set<std::string> numbers;
  for (const auto& message : sms) numbers.insert(message["to"].get<std::string>());
  EXPECT_EQ(numbers.size(), 50u);

  // Urgent messages are announced to both instances on commit: both race to claim
  // each by its id, and one wins.
  {
    pqxx::connection connection(first.database_url());
    pqxx::work tx(connection);
    tx.exec(
        "WITH queued AS (INSERT INTO outbox (channel, dedupe_key, payload, urgent) SELECT 'sms', "
        "'twin-urgent-' || i, jsonb_build_object('to', '+1555041' || (1000 + i), 'text', "
        "'urgent ' || i), true FROM generate_series(1, 30) i RETURNING id) "
        "SELECT count(pg_notify('frontdoor_outbox', 'urgent:' || id)) FROM queued");
    tx.commit();
  }
  EXPECT_TRUE(eventually([&] { return sandbox.messages("sms").size() >= 80; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::map<std::string, int> urgent;
  for (const auto& message : sandbox.messages("sms")) {
    const auto to = message["to"].get<std::string>();
    if (to.rfind("+1555041", 0) == 0) ++urgent[to];
  }
  EXPECT_EQ(urgent.size(), 30u);
  for (const auto& [to, count] : urgent) EXPECT_EQ(count, 1) << to;

  // Calls that nobody answers: both instances sweep, each call is missed once.
  ASSERT_EQ(first.run_command("create-admin --email ops@twin.test --password twin-operator-pass"),
            0);
  HttpClient client = first.client();
  const auto admin =
      client.post("/v1/auth/login", R"({"email":"ops@twin.test","password":"twin-operator-pass"})")
          .json()["access_token"]
          .get<std::string>();
  const HttpClient::Headers auth = {{"Authorization", "Bearer " + admin}};
  const std::string property =
      client.post("/v1/properties", R"({"name":"Twin","site_name":"twin","time_zone":"UTC"})", auth)
          .json()["id"];
  client.send("PATCH", "/v1/properties/" + property + "/settings", R"({"ring_timeout_seconds":10})",
              auth);
  const std::string unit =
      client.post("/v1/properties/" + property + "/units", R"({"label":"1"})", auth).json()["id"];
  const std::string residency = client
                                    .post("/v1/properties/" + property + "/residents",
                                          nlohmann::json{{"unit_id", unit},
                                                         {"first_name", "Tess"},
                                                         {"last_name", "Twin"},
                                                         {"email", "tess@twin.test"},
                                                         {"phone", "+15550401111"}}
                                              .dump(),
                                          auth)
                                    .json()["id"];
  const std::string key =
      client.post("/v1/properties/" + property + "/panels", R"({"name":"Door"})", auth)
          .json()["api_key"];
  for (int i = 0; i < 5; ++i) {
    auto call =
        second.client().post("/v1/panel/calls", nlohmann::json{{"entry_id", residency}}.dump(),
                             {{"Authorization", "Bearer " + key}});
    ASSERT_EQ(call.status, 201) << call.body;
  }
  const auto missed = [&] {
    return testing::query_value(first.database_url(),
                                "SELECT count(*) FROM call_events WHERE event = 'missed'");
  };
  EXPECT_TRUE(eventually([&] { return missed() == "5"; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(missed(), "5");
  EXPECT_EQ(testing::query_value(first.database_url(),
                                 "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'call-stop:%'"),
            "5");
}

}  // namespace
}  // namespace frontdoor
