// The platform as a client sees it: routing errors, limits, request ids,
// metrics, readiness through a database outage, and draining on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "../support/postgres.hpp"
#include "../support/test_server.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor {
namespace {

using testing::HttpClient;
using testing::HttpResponse;
using testing::PostgresCluster;
using testing::TestServer;
using testing::TestServerOptions;

void expect_problem(const HttpResponse& response, int status, const std::string& code) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  auto body = response.json();
  EXPECT_EQ(body["status"], status);
  EXPECT_EQ(body["code"], code);
  EXPECT_TRUE(body["title"].is_string());
  EXPECT_TRUE(body["detail"].is_string());
  EXPECT_TRUE(body["errors"].is_array());
  EXPECT_EQ(body["request_id"], response.header("x-request-id"));
}

// A JSON route for exercising body validation end to end.
void add_echo_route(app::App& app) {
  app.router().add("POST", "/v1/_test/echo", [](http::Request& request) {
    auto body = http::parse_json_body(request);
    http::JsonFields fields(body);
    auto name = fields.string("name", true, 1, 20);
    auto hours = fields.integer("hours", true, 1, 8760);
    fields.finish();
    return http::json_response(200, {{"name", *name}, {"hours", *hours}});
  });
}

TEST(PlatformApi, UnknownPathIs404Problem) {
  TestServer server;
  expect_problem(server.client().get("/v1/nowhere"), 404, "not_found");
}

TEST(PlatformApi, WrongMethodIs405WithAllow) {
  TestServer server;
  auto response = server.client().send("DELETE", "/healthz", "", {});
  expect_problem(response, 405, "method_not_allowed");
  // HEAD is GET without the body, so it is allowed wherever GET is.
  EXPECT_EQ(response.header("allow"), "GET, HEAD");
}

TEST(PlatformApi, OversizedBodyIs413) {
  TestServer server({.configure = [](app::Config& c) { c.http.body_limit_bytes = 1024; }});
  auto response = server.client().post("/healthz", std::string(4096, 'x'));
  expect_problem(response, 413, "payload_too_large");
  // Under the limit the request goes through to routing.
  EXPECT_EQ(server.client().post("/healthz", std::string(512, 'x')).status, 405);
}

TEST(PlatformApi, OversizedHeadersAre431) {
  TestServer server({.configure = [](app::Config& c) { c.http.header_limit_bytes = 2048; }});
  auto response = server.client().get("/healthz", {{"X-Filler", std::string(4096, 'a')}});
  expect_problem(response, 431, "headers_too_large");
}

TEST(PlatformApi, MalformedRequestsAre400) {
  TestServer server;
  expect_problem(server.client().raw("GARBAGE\r\n\r\n"), 400, "malformed_request");
  expect_problem(
      server.client().raw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n"), 400,
      "malformed_request");
  expect_problem(server.client().get("/v1/calls/a%2Fb"), 400, "invalid_target");
}

TEST(PlatformApi, ASlowClientIsDisconnectedAfterTheReadTimeout) {
  TestServer server({.configure = [](app::Config& c) { c.http.read_timeout_ms = 300; }});
  const auto started = std::chrono::steady_clock::now();
  // The head never ends: a slow-loris client. The server hangs up on it.
  EXPECT_ANY_THROW(server.client().raw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

TEST(PlatformApi, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  TestServer server;
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
      "GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\n"
      "Connection: close\r\n\r\n";
  auto responses = server.client().raw_many(request, 3);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].header("x-request-id"), "first");
  EXPECT_EQ(responses[1].status, 404);
  EXPECT_EQ(responses[1].header("x-request-id"), "second");
  EXPECT_EQ(responses[2].status, 200);
  EXPECT_EQ(responses[2].header("x-request-id"), "third");
}

TEST(PlatformApi, MalformedJsonIs400AndBadFieldsAre422NamingEachField) {
  TestServer server({.before_start = add_echo_route});
  auto client = server.client();
  expect_problem(client.post("/v1/_test/echo", "{\"name\": "), 400, "malformed_json");

  auto response = client.post("/v1/_test/echo", R"({"name": 7})");
  expect_problem(response, 422, "validation_failed");
  auto errors = response.json()["errors"];
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0]["field"], "name");
  EXPECT_EQ(errors[0]["code"], "type");
  EXPECT_EQ(errors[1]["field"], "hours");
  EXPECT_EQ(errors[1]["code"], "required");

  response = client.post("/v1/_test/echo", R"({"name": "Ann", "hours": 3})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json()["hours"], 3);
}

TEST(PlatformApi, RequestIdRoundTripsOrIsGenerated) {
  TestServer server;
  auto client = server.client();
  EXPECT_EQ(client.get("/healthz", {{"X-Request-Id", "trace-42"}}).header("x-request-id"),
            "trace-42");
  const auto generated = client.get("/healthz").header("x-request-id");
  EXPECT_TRUE(std::regex_match(generated, std::regex("[0-9a-f]{32}"))) << generated;
  // An id that could break log lines is replaced, not echoed.
  EXPECT_NE(client.get("/healthz", {{"X-Request-Id", "a\"b"}}).header("x-request-id"), "a\"b");
}

TEST(PlatformApi, MetricsCountRequestsByRouteTemplate) {
  TestServer server;
  auto client = server.client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.get("/healthz").status, 200);
  client.get("/v1/nowhere/at-all");
  auto metrics = client.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(
                R"(frontdoor_http_requests_total{method="GET",route="/healthz",status="200"} 3)"),
            std::string::npos)
      << metrics.body;
  // Unmatched paths share one label: a scanner cannot blow up the series count.
  EXPECT_NE(metrics.body.find(R"(route="unmatched",status="404"} 1)"), std::string::npos);
  EXPECT_EQ(metrics.body.find("/v1/nowhere"), std::string::npos);
  EXPECT_NE(metrics.body.find("frontdoor_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(frontdoor_db_pool_connections{state="idle"})"), std::string::npos);
}

// One sample of the exposition: its metric name, its labels as written, its value.
struct Sample {
  std::string name;
  std::string labels;
  double value = 0;
};

// Reads /metrics by the text exposition format's rules (prometheus.io,
// "Exposition formats"); every breach is an error in `problems`.
std::vector<Sample> parse_exposition(const std::string& text,
                                     std::map<std::string, std::string>& types,
                                     std::vector<std::string>& problems) {
  static const std::regex type_line(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex sample_line(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)(?: \d+)?)");
  std::vector<Sample> samples;
  std::set<std::string> seen;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.rfind("# HELP ", 0) == 0) continue;
    std::smatch match;
    if (line.rfind("# TYPE ", 0) == 0) {
      if (std::regex_match(line, match, type_line)) {
        types[match[1]] = match[2];
      } else {
        problems.push_back("bad TYPE line: " + line);
      }
      continue;
    }
    if (!std::regex_match(line, match, sample_line)) {
      problems.push_back("not a sample: " + line);
      continue;
    }
    Sample sample{match[1], match[2], 0};
    try {
      sample.value = std::stod(match[4]);
    } catch (const std::exception&) {
      problems.push_back("not a number: " + line);
    }
    if (!seen.insert(sample.name + sample.labels).second) problems.push_back("twice: " + line);
    std::string family = sample.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!types.count(family) && family.size() > std::strlen(suffix) &&
          family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0) {
        family.resize(family.size() - std::strlen(suffix));
      }
    }
    if (!types.count(family)) problems.push_back("no TYPE before: " + line);
    if (types[family] == "counter" && family.size() > 6 &&
        family.compare(family.size() - 6, 6, "_total") != 0) {
      problems.push_back("a counter without _total: " + family);
    }
    samples.push_back(sample);
  }
  return samples;
}

double value_of(const std::vector<Sample>& samples, const std::string& name,
                const std::string& labels = "") {
  for (const auto& sample : samples) {
    if (sample.name == name && (labels.empty() || sample.labels == labels)) return sample.value;
  }
  return -1;
}

// Issue 31: cumulative values typed as gauges, a gauge that reset on every
// scrape, series that appeared only after their first event, and no process_*
// or build series.
TEST(PlatformApi, MetricsFollowThePrometheusConventions) {
  TestServer server;
  auto client = server.client();
  ASSERT_EQ(client.get("/healthz").status, 200);
  const auto first = client.get("/metrics");
  ASSERT_EQ(first.status, 200);
  std::map<std::string, std::string> types;
  std::vector<std::string> problems;
  const auto samples = parse_exposition(first.body, types, problems);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  // Every series exists from the start, before its first event.
  bool dead_counted = false;
  for (const auto& sample : samples) {
    dead_counted =
        dead_counted || (sample.name == "frontdoor_outbox_dead_total" && sample.value == 0);
  }
  EXPECT_TRUE(dead_counted) << first.body.substr(0, 2000);
  EXPECT_GE(value_of(samples, "frontdoor_ring_latency_seconds_count"), 0);
  EXPECT_GE(value_of(samples, "frontdoor_outbox_oldest_pending_seconds", R"({lane="urgent"})"), 0);
  // Process and build series.
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_start_time_seconds",
                           "process_open_fds", "process_max_fds"}) {
    EXPECT_GT(value_of(samples, name), 0) << name;
  }
  EXPECT_EQ(types["process_cpu_seconds_total"], "counter");
  EXPECT_NE(first.body.find("frontdoor_build_info{commit=\""), std::string::npos);
  EXPECT_EQ(types["frontdoor_db_async_statements_total"], "counter");
  EXPECT_EQ(types["frontdoor_db_async_round_trips_total"], "counter");
  // Nothing resets on a scrape: a second one never reads less.
  const auto second = client.get("/metrics");
  const auto again = parse_exposition(second.body, types, problems);
  for (const auto& sample : samples) {
    if (types[sample.name] == "gauge" && sample.name != "frontdoor_db_async_deepest_pipeline") {
      continue;
    }
    const auto later = value_of(again, sample.name, sample.labels);
    if (later >= 0) {
      EXPECT_GE(later, sample.value) << sample.name << sample.labels;
    }
  }
  // And Prometheus's own linter agrees.
  const std::string file = ::testing::TempDir() + "frontdoor-metrics.txt";
  std::ofstream(file) << second.body;
  FILE* pipe = popen(("promtool check metrics < " + file + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string lint;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) lint += buffer;
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << lint;
  EXPECT_EQ(lint, "") << lint;
}

TEST(PlatformApi, ReadyzReportsPendingMigrations) {
  TestServer server({.empty_database = true});
  expect_problem(server.client().get("/readyz"), 503, "migrations_pending");
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

TEST(PlatformApi, DatabaseOutageIs503AndServiceResumesWithoutRestart) {
  TestServer server({.before_start = [](app::App& app) {
    app.router().add("GET", "/v1/_test/db-time", [&app](http::Request&) {
      auto now = app.pool().run([](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return tx.exec1("SELECT now()::text")[0].as<std::string>();
      });
      return http::json_response(200, {{"now", now}});
    });
  }});
  auto client = server.client();
  ASSERT_EQ(client.get("/readyz").status, 200);
  ASSERT_EQ(client.get("/v1/_test/db-time").status, 200);

  auto& cluster = PostgresCluster::shared();
  cluster.stop();
  auto ready = client.get("/readyz");
  expect_problem(ready, 503, "database_unavailable");
  EXPECT_EQ(ready.header("retry-after"), "1");
  auto route = client.get("/v1/_test/db-time");
  expect_problem(route, 503, "database_unavailable");
  EXPECT_EQ(route.header("retry-after"), "1");
  EXPECT_EQ(client.get("/healthz").status, 200);

  cluster.start();
  EXPECT_EQ(client.get("/readyz").status, 200);
  EXPECT_EQ(client.get("/v1/_test/db-time").status, 200);
}

TEST(PlatformApi, ARouteOnTheIoThreadThatWouldBlockOnThePoolFailsLoudly) {
  // A route marked as never waiting runs on the I/O thread; if it reached for a
  // libpqxx connection it would park every connection on that thread. It must
  // fail at once (500), not block, and the server must go on serving.
  TestServer server({.before_start = [](app::App& app) {
    app.router().add(
        "GET", "/v1/_test/blocks-on-io-thread",
        [&app](http::Request&) {
          app.pool().run([](pqxx::connection&) { return 0; });
          return http::json_response(200, {{"blocked", true}});
        },
        http::Blocking::never);
  }});
  auto client = server.client();
  expect_problem(client.get("/v1/_test/blocks-on-io-thread"), 500, "internal_error");
  EXPECT_EQ(client.get("/readyz").status, 200);
  EXPECT_EQ(client.get("/healthz").status, 200);
}

TEST(PlatformApi, HealthzAndRoutingErrorsAnswerWhileEveryWorkerWaits) {
  // One worker, held by a request that waits: routes that never block are
  // answered on the I/O thread and must not queue behind it.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> entered{false};
  TestServer server({.configure = [](app::Config& c) { c.http.worker_threads = 1; },
                     .before_start =
                         [&](app::App& app) {
                           app.router().add("GET", "/v1/_test/wait", [&](http::Request&) {
                             entered = true;
                             released.wait();
                             return http::json_response(200, {{"finished", true}});
                           });
                         }});
  auto waiting =
      std::async(std::launch::async, [&] { return server.client().get("/v1/_test/wait"); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  HttpClient impatient(server.app().port(), "127.0.0.1", std::chrono::seconds(3));
  std::optional<HttpResponse> health, missing;
  try {
    health = impatient.get("/healthz");
    missing = impatient.get("/v1/nothing-here");
  } catch (const std::exception& timed_out) {
    ADD_FAILURE() << "queued behind the waiting worker: " << timed_out.what();
  }
  release.set_value();
  EXPECT_EQ(waiting.get().status, 200);
  ASSERT_TRUE(health && missing);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->json()["status"], "ok");
  expect_problem(*missing, 404, "not_found");
}

TEST(PlatformApi, ConnectionsSpreadOverSeveralIoThreadsAreAllServed) {
  // A connection for every client and the outbox's lanes: the subject is how the
  // I/O threads share connections, not a pool's queue (on a loaded 2-core runner
  // a /readyz waiting 1 s for one of 4 connections answered 503 once).
  TestServer server({.configure = [](app::Config& c) {
    c.http.io_threads = 3;
    c.database.pool_size = 16;
  }});
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      auto client = server.client();
      for (int n = 0; n < 40; ++n) {
        // One waits on a worker, one is answered on the I/O thread, one is a 404.
        if (client.get("/readyz").status == 200 && client.get("/healthz").status == 200 &&
            client.get("/v1/nothing-here").status == 404) {
          ++ok;
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok, 6 * 40);
}

TEST(PlatformApi, SigtermLetsAnInFlightRequestFinish) {
  TestServer server({.before_start = [](app::App& app) {
    app.router().add("GET", "/v1/_test/slow", [](http::Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
      return http::json_response(200, {{"finished", true}});
    });
  }});
  auto client = server.client();
  auto stopped = std::async(std::launch::async, [&] { server.app().run_until_signalled(); });
  // Give the signal handler a moment to be installed before anything else.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto slow = std::async(std::launch::async, [&] { return client.get("/v1/_test/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);

  auto response = slow.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json()["finished"], true);
  // Well within the drain notice and the drain (a liveness deadline, not a speed target).
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  // The listener is closed: new connections are refused.
  EXPECT_ANY_THROW(client.get("/healthz"));
}

TEST(PlatformApi, ShutdownCompletesWhileConnectionsComeAndGo) {
  // Connections ending at the moment of shutdown once deadlocked the session registry.
  for (int round = 0; round < 25; ++round) {
    auto server = std::make_unique<TestServer>();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
      clients.emplace_back([&, port = server->app().port()] {
        HttpClient client(port, "127.0.0.1", std::chrono::milliseconds(500));
        while (!stop) {
          try {
            client.get("/healthz");
          } catch (const std::exception&) {
            // Refused once the listener closes: expected.
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    auto stopped = std::async(std::launch::async, [&] { server->app().shutdown(); });
    if (stopped.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
      ADD_FAILURE() << "shutdown did not complete in round " << round;
      std::abort();  // a deadlocked server cannot be torn down
    }
    stop = true;
    for (auto& client : clients) client.join();
  }
}

}  // namespace
}  // namespace frontdoor
