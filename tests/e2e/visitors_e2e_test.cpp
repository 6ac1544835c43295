// Visitors and the panel end to end through real processes: the `frontdoor` binary, the
// bmx-sandbox binary (as BMX, and as the SMS, e-mail and push providers) and
// Postgres. Every step is what a person or a panel does; every message is the
// one that arrived at the sandbox's providers. The browser test opens the pass
// page in headless Chromium at phone size and reads its QR code from the
// screenshot with zbarimg.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "../support/bmx_world.hpp"
#include "../support/eventually.hpp"
#include "../support/frontdoor_process.hpp"
#include "../support/sandbox_process.hpp"
#include "frontdoor/common/time.hpp"

namespace frontdoor {
namespace {

using testing::eventually;
using testing::FrontdoorProcess;
using testing::HttpClient;
using testing::HttpResponse;
using testing::SandboxProcess;

const std::string kAdminPassword = "e2e-operator-passphrase";
const std::string kPassword = "a-resident-passphrase-2026";

std::string in_hours(double hours) {
  return common::to_rfc3339(std::chrono::system_clock::now() +
                            std::chrono::seconds(static_cast<long>(hours * 3600)));
}

// Runs a shell command and returns what it printed.
std::string output_of(const std::string& command) {
  std::array<char, 4096> buffer{};
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  while (fgets(buffer.data(), buffer.size(), pipe.get())) out += buffer.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// What a QR code in this image encodes.
std::string decode_qr(const std::string& image) {
  return output_of("zbarimg --quiet --raw -Sdisable -Sqrcode.enable '" + image + "' 2>/dev/null");
}

// Draws the pass's SVG (a square viewBox of unit modules, "Mx yh1v1h-1z" each)
// as a greyscale PGM, eight pixels a module, for zbarimg to read.
void svg_to_pgm(const std::string& svg, const std::string& path) {
  const auto box = svg.find("viewBox=\"0 0 ");
  if (box == std::string::npos) throw std::runtime_error("no viewBox in the SVG");
  const int size = std::stoi(svg.substr(box + 13));
  std::vector<std::vector<bool>> dark(size, std::vector<bool>(size, false));
  for (auto at = svg.find('M', svg.find(" d=\"")); at != std::string::npos;
       at = svg.find('M', at + 1)) {
    int x = 0, y = 0;
    if (std::sscanf(svg.c_str() + at, "M%d %d", &x, &y) == 2 && x < size && y < size) {
      dark[y][x] = true;
    }
  }
  constexpr int kScale = 8;
  std::ofstream out(path, std::ios::binary);
  out << "P5\n" << size * kScale << " " << size * kScale << "\n255\n";
  for (int y = 0; y < size * kScale; ++y) {
    for (int x = 0; x < size * kScale; ++x) {
      out.put(static_cast<char>(dark[y / kScale][x / kScale] ? 0 : 255));
    }
  }
}

class VisitorsEndToEnd : public ::testing::Test {
 protected:
  VisitorsEndToEnd() : sandbox(SandboxProcess::shared()) {
    sandbox.reset();
    artifacts = std::filesystem::path(TEST_ARTIFACT_DIR);
    std::filesystem::create_directories(artifacts);
  }

  void SetUp() override {
    frontdoor = std::make_unique<FrontdoorProcess>();
    ASSERT_EQ(
        frontdoor->run_command("create-admin --email admin@e2e.test --password " + kAdminPassword),
        0);
    admin = login("admin@e2e.test", kAdminPassword);
    auto property_response = post(
        "/v1/properties",
        {{"name", "Maple Court"}, {"site_name", "maple-court"}, {"time_zone", "America/New_York"}},
        admin);
    ASSERT_EQ(property_response.status, 201) << property_response.body;
    property = property_response.json()["id"];
    building = sandbox.seed_building(nlohmann::json::parse(R"({
      "name": "Maple Court", "admins": ["boss@bmx.test"],
      "units": [
        {"label": "101", "tenants": [{"first_name": "Ana", "last_name": "Garcia",
                                      "email": "ana@bmx.test"}]},
        {"label": "frontdoor", "tenants": [{"first_name": "Visitors", "last_name": "Maple Court",
                              "email": "butterflymx+maple-court@frontdoor.example"}]}]})"));
    auto set_up = frontdoor->client().send(
        "PUT", "/v1/properties/" + property + "/integrations/bmx",
        nlohmann::json{{"building_id", building["id"]},
                       {"authorization_code", sandbox.code_for("boss@bmx.test")}}
            .dump(),
        bearer(admin));
    ASSERT_EQ(set_up.status, 200) << set_up.body;
    ana = move_in_and_activate("ana@e2e.test");
    link_bmx(ana, "ana@bmx.test");
  }

  HttpClient::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  HttpResponse post(const std::string& path, const nlohmann::json& body, const std::string& token) {
    return frontdoor->client().post(path, body.dump(), bearer(token));
  }

  std::string login(const std::string& email, const std::string& password) {
    auto response = frontdoor->client().post(
        "/v1/auth/login", nlohmann::json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json()["access_token"];
  }

  // The token= of the newest e-mail to this address that carries one, as delivered.
  std::string activation_token(const std::string& email) {
    std::string token;
    eventually([&] {
      for (const auto& message : sandbox.messages("email", email)) {
        const std::string body = message["body"];
        const auto at = body.find("token=");
        if (at != std::string::npos) token = body.substr(at + 6, 64);
      }
      return !token.empty();
    });
    EXPECT_FALSE(token.empty()) << "no activation e-mail for " << email;
    return token;
  }

  std::string activate(const std::string& email) {
    auto response = frontdoor->client().post(
        "/v1/auth/activate",
        nlohmann::json{{"token", activation_token(email)}, {"password", kPassword}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return login(email, kPassword);
  }

  std::string move_in_and_activate(const std::string& email) {
    auto unit = post("/v1/properties/" + property + "/units", {{"label", "101"}}, admin);
    auto moved = post("/v1/properties/" + property + "/residents",
                      {{"unit_id", unit.json()["id"]},
                       {"first_name", "Ana"},
                       {"last_name", "Garcia"},
                       {"email", email},
                       {"phone", "+15550100001"}},
                      admin);
    EXPECT_EQ(moved.status, 201) << moved.body;
    return activate(email);
  }

  void link_bmx(const std::string& token, const std::string& bmx_email) {
    testing::BmxWorld(frontdoor->client(), sandbox).link(token, bmx_email);
  }

  nlohmann::json visitor(const std::string& token, const std::string& id) {
    return frontdoor->client().get("/v1/me/visitors/" + id, bearer(token)).json();
  }

  std::string admin_bmx_token() {
    return testing::BmxWorld(frontdoor->client(), sandbox).admin_token();
  }

  // BMX's own record of the single keychain and key it holds.
  std::pair<nlohmann::json, nlohmann::json> bmx_keychain_and_key() {
    const auto token = admin_bmx_token();
    auto keychains = sandbox.client()
                         .get("/v4/keychains", {{"Authorization", "Bearer " + token}})
                         .json()["data"];
    EXPECT_EQ(keychains.size(), 1u);
    auto key = sandbox.client()
                   .get("/v4/virtual_keys/" +
                            std::to_string(keychains[0]["virtual_key_ids"][0].get<std::int64_t>()),
                        {{"Authorization", "Bearer " + token}})
                   .json()["data"];
    return {keychains[0], key};
  }

  HttpResponse scan(const std::string& code) {
    return sandbox.client().post(
        "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
            "/scans",
        nlohmann::json{{"code", code}}.dump());
  }

  // The pass link from the SMS the visitor received.
  std::string link_from_sms(const std::string& phone) {
    nlohmann::json sms;
    EXPECT_TRUE(eventually([&] { return !(sms = sandbox.messages("sms", phone)).empty(); }))
        << frontdoor->log_tail();
    if (sms.empty()) return "";
    const std::string text = sms[0]["body"];
    const auto at = text.find("http://");
    return text.substr(at, text.find_first_of(" \n", at) - at);
  }

  std::string create_property_only(const std::string& phone) {
    auto created = post("/v1/me/visitors",
                        {{"name", "Vera Visitor"},
                         {"phone", phone},
                         {"access", "property_only"},
                         {"starts_at", in_hours(0)},
                         {"ends_at", in_hours(2)}},
                        ana);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.json()["id"];
  }

  SandboxProcess& sandbox;
  std::filesystem::path artifacts;
  std::unique_ptr<FrontdoorProcess> frontdoor;
  std::string admin;
  std::string property;
  nlohmann::json building;
  std::string ana;
};

TEST_F(VisitorsEndToEnd, PropertyOnlyFromSmsToDoorToArrivalToRevocation) {
  post("/v1/me/devices", {{"platform", "android"}, {"push_token", "fcm-e2e-ana"}}, ana);
  const auto id = create_property_only("+15550200001");
  const auto link = link_from_sms("+15550200001");
  ASSERT_FALSE(link.empty());
  const auto path = link.substr(link.find("/p/"));

  auto page = frontdoor->client().get(path);
  ASSERT_EQ(page.status, 200) << page.body;
  const auto svg = frontdoor->client().get(path + "/qr.svg").body;
  std::ofstream(artifacts / "pass-qr.svg") << svg;
  svg_to_pgm(svg, (artifacts / "pass-qr.pgm").string());
  const auto payload = decode_qr((artifacts / "pass-qr.pgm").string());
  const auto [keychain, key] = bmx_keychain_and_key();
  EXPECT_EQ(payload, key["pin_code"]);  // the QR is the BMX credential
  const auto visit = visitor(ana, id);
  EXPECT_EQ(keychain["starts_at"], visit["starts_at"]) << visit;
  EXPECT_EQ(keychain["ends_at"], visit["ends_at"]);

  EXPECT_EQ(scan(payload).json()["granted"], true);
  EXPECT_TRUE(eventually([&] { return visitor(ana, id)["status"] == "arrived"; }));
  EXPECT_TRUE(eventually([&] { return !sandbox.messages("push", "fcm-e2e-ana").empty(); }));

  ASSERT_EQ(frontdoor->client().send("DELETE", "/v1/me/visitors/" + id, "", bearer(ana)).status,
            204);
  EXPECT_TRUE(eventually([&] { return scan(payload).json()["granted"] == false; }));
  EXPECT_EQ(frontdoor->client().get(path).status, 410);
}

TEST_F(VisitorsEndToEnd, ThePassPageOnAPhoneShowsAQrThatScansToTheCredential) {
  create_property_only("+15550200002");
  const auto link = link_from_sms("+15550200002");
  ASSERT_FALSE(link.empty());
  const auto screenshot = artifacts / "pass-page-phone.png";
  std::filesystem::remove(screenshot);
  // An iPhone-sized viewport; root needs --no-sandbox.
  output_of(
      "timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
      "--force-device-scale-factor=2 --window-size=390,844 --screenshot='" +
      screenshot.string() + "' '" + link + "' >/dev/null 2>&1");
  ASSERT_TRUE(std::filesystem::exists(screenshot)) << "chromium took no screenshot";
  const auto [keychain, key] = bmx_keychain_and_key();
  EXPECT_EQ(decode_qr(screenshot.string()), key["pin_code"]) << "see " << screenshot;
}

TEST_F(VisitorsEndToEnd, PropertyWideVisitorActivatesLogsInAndSeesCredentials) {
  auto created = post("/v1/me/visitors",
                      {{"name", "Wes Wide"},
                       {"phone", "+15550200003"},
                       {"email", "wes@e2e.test"},
                       {"access", "property_wide"},
                       {"starts_at", in_hours(0)},
                       {"ends_at", in_hours(30)}},
                      ana);
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_TRUE(
      eventually([&] { return visitor(ana, created.json()["id"])["pass"]["status"] == "issued"; }));
  const auto wes = activate("wes@e2e.test");
  auto credentials = frontdoor->client().get("/v1/me/credentials", bearer(wes)).json()["data"];
  ASSERT_EQ(credentials.size(), 1u);
  EXPECT_EQ(credentials[0]["property_name"], "Maple Court");
  EXPECT_EQ(scan(credentials[0]["qr_payload"]).json()["granted"], true);
}

TEST_F(VisitorsEndToEnd, StaffVisitorGetsBmxsEmailForTheVisitWindowOnThePlaceholder) {
  post("/v1/properties/" + property + "/staff",
       {{"email", "morgan@e2e.test"}, {"display_name", "Morgan Manager"}, {"role", "manager"}},
       admin);
  const auto manager = activate("morgan@e2e.test");
  const auto starts = in_hours(1), ends = in_hours(3);
  auto created = post("/v1/properties/" + property + "/visitors",
                      {{"name", "Dee Delivery"},
                       {"email", "dee@e2e.test"},
                       {"starts_at", starts},
                       {"ends_at", ends}},
                      manager);
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json from_bmx;
  ASSERT_TRUE(eventually([&] {
    for (const auto& message : sandbox.messages("email", "dee@e2e.test")) {
      if (message["data"].contains("qr_code_url")) from_bmx = message;
    }
    return !from_bmx.is_null();
  })) << frontdoor->log_tail();
  const auto [keychain, key] = bmx_keychain_and_key();
  EXPECT_EQ(from_bmx["data"]["virtual_key_id"], key["id"]);
  EXPECT_EQ(keychain["tenant_id"], building["units"][1]["tenants"][0]["id"]);  // the placeholder
  EXPECT_EQ(keychain["starts_at"], starts);
  EXPECT_EQ(keychain["ends_at"], ends);
  EXPECT_FALSE(activation_token("dee@e2e.test").empty());  // frontdoor's own e-mail
}

TEST_F(VisitorsEndToEnd, ThePanelPageSearchesCallsAndShowsTheDoorOpening) {
  // The panel at the door holds a frontdoor panel key for its BMX device.
  const auto device_id = std::to_string(building["devices"][0]["id"].get<std::int64_t>());
  auto panel = post("/v1/properties/" + property + "/panels",
                    {{"name", "Front door"}, {"bmx_device_id", device_id}}, admin);
  ASSERT_EQ(panel.status, 201) << panel.body;
  ASSERT_EQ(sandbox.client()
                .send("PUT", "/_sandbox/panels/" + device_id + "/link",
                      nlohmann::json{{"frontdoor_url", frontdoor->base_url()},
                                     {"panel_key", panel.json()["api_key"]}}
                          .dump(),
                      {{"Content-Type", "application/json"}})
                .status,
            204);
  const auto page_path = "/_sandbox/panel/" + device_id;
  auto page = sandbox.client().get(page_path);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Find who you are visiting"), std::string::npos);

  // What the page's script does, step by step.
  auto entries = sandbox.client().get(page_path + "/directory?q=gar").json()["data"];
  ASSERT_EQ(entries.size(), 1u) << entries;
  EXPECT_EQ(entries[0]["display_name"], "Ana Garcia");
  auto call = sandbox.client().post(page_path + "/calls",
                                    nlohmann::json{{"entry_id", entries[0]["entry_id"]}}.dump(),
                                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(call.status, 201) << call.body;
  const std::string call_id = call.json()["call_id"];
  EXPECT_EQ(sandbox.client().get(page_path + "/calls/" + call_id).json()["panel_message"],
            "Calling Ana Garcia...");

  // Ana answers on her phone and opens the door.
  const std::string phone =
      post("/v1/me/devices", {{"platform", "android"}, {"push_token", "fcm-e2e-door"}}, ana)
          .json()["id"];
  ASSERT_EQ(
      post("/v1/calls/" + call_id + "/accept", {{"device_id", phone}, {"media", "video"}}, ana)
          .status,
      200);
  auto opened = post("/v1/calls/" + call_id + "/open-door", nlohmann::json::object(), ana);
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(sandbox.client().get(page_path + "/calls/" + call_id).json()["panel_message"],
            "Door opened");
  EXPECT_EQ(sandbox.requests("/v4/door_release_requests").size(), 1u);
}

// The kinds of pass, as their visitors live them: each gets its SMS, reads its
// PIN off the pass page and tries it at the panel. The sandbox's scans name
// their instant ("at"), so a weekly pass's windows next March are tried today.
TEST_F(VisitorsEndToEnd, EachKindOfPassOpensTheDoorByItsOwnRules) {
  const auto add = [&](nlohmann::json body) {
    auto created = post("/v1/me/visitors", body, ana);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.json()["id"].get<std::string>();
  };
  // The PIN the pass page shows (the same code its QR encodes).
  const auto pin_on_page = [&](const std::string& phone) {
    const auto link = link_from_sms(phone);
    const auto page = frontdoor->client().get(link.substr(link.find("/p/")));
    const auto at = page.body.find("class=\"pin\">");
    EXPECT_NE(at, std::string::npos) << page.body;
    return at == std::string::npos ? std::string() : page.body.substr(at + 12, 6);
  };
  const auto page_status = [&](const std::string& phone) {
    const auto link = link_from_sms(phone);
    return frontdoor->client().get(link.substr(link.find("/p/"))).status;
  };
  const auto scan_at = [&](const std::string& pin, const std::string& at) {
    return sandbox.client()
        .post("/_sandbox/panels/" +
                  std::to_string(building["devices"][0]["id"].get<std::int64_t>()) + "/scans",
              nlohmann::json{{"code", pin}, {"at", at}}.dump())
        .json()["reason"]
        .get<std::string>();
  };

  // A cleaner on Thursday mornings in March 2027, across the change to summer
  // time (Sun 14 Mar in New York).
  const auto cleaner_id = add({{"kind", "recurring"},
                               {"name", "Cleo Cleaner"},
                               {"phone", "+15550200011"},
                               {"access", "property_only"},
                               {"schedule",
                                {{"days", {"thu"}},
                                 {"from", "09:00"},
                                 {"to", "12:00"},
                                 {"starts_on", "2027-03-01"},
                                 {"ends_on", "2027-03-31"}}}});
  // Its page says when it works (no code before then); BMX holds the key.
  link_from_sms("+15550200011");
  EXPECT_TRUE(eventually([&] { return visitor(ana, cleaner_id)["pass"]["status"] == "issued"; }));
  const auto token = admin_bmx_token();
  const auto keychains = sandbox.client()
                             .get("/v4/keychains?q%5Bname_eq%5D=frontdoor%20pass%20" + cleaner_id,
                                  {{"Authorization", "Bearer " + token}})
                             .json()["data"];
  ASSERT_EQ(keychains.size(), 1u);
  const auto weekly =
      sandbox.client()
          .get("/v4/virtual_keys/" +
                   std::to_string(keychains[0]["virtual_key_ids"][0].get<std::int64_t>()),
               {{"Authorization", "Bearer " + token}})
          .json()["data"]["pin_code"]
          .get<std::string>();
  EXPECT_EQ(scan_at(weekly, "2027-03-04T14:30:00Z"), "granted");           // 09:30 EST
  EXPECT_EQ(scan_at(weekly, "2027-03-11T13:30:00Z"), "outside_schedule");  // 08:30 EST
  EXPECT_EQ(scan_at(weekly, "2027-03-18T13:30:00Z"), "granted");           // 09:30 EDT
  EXPECT_EQ(scan_at(weekly, "2027-03-18T16:30:00Z"), "outside_schedule");  // 12:30 EDT
  EXPECT_EQ(scan_at(weekly, "2027-03-19T14:30:00Z"), "outside_schedule");  // a Friday

  // A dog-walker allowed two entries: the third is refused, the page says so.
  const auto walker_id = add({{"name", "Wes Walker"},
                              {"phone", "+15550200012"},
                              {"access", "property_only"},
                              {"max_uses", 2},
                              {"starts_at", in_hours(0)},
                              {"ends_at", in_hours(3)}});
  const auto walker = pin_on_page("+15550200012");
  for (int entry = 1; entry <= 2; ++entry) {
    EXPECT_TRUE(scan(walker).json()["granted"]);
    EXPECT_TRUE(eventually([&] { return visitor(ana, walker_id)["pass"]["uses"] == entry; }))
        << visitor(ana, walker_id);
  }
  EXPECT_EQ(visitor(ana, walker_id)["status"], "used_up");
  EXPECT_TRUE(eventually([&] { return scan(walker).json()["granted"] == false; }));
  EXPECT_EQ(page_status("+15550200012"), 410);

  // A courier: one entry (BMX allows 5 minutes after it for an inner door).
  const auto courier_id = add({{"kind", "delivery"},
                               {"phone", "+15550200013"},
                               {"starts_at", in_hours(0)},
                               {"ends_at", in_hours(1)}});
  const auto courier = pin_on_page("+15550200013");
  EXPECT_TRUE(scan(courier).json()["granted"]);
  EXPECT_TRUE(eventually([&] { return visitor(ana, courier_id)["status"] == "used_up"; }))
      << visitor(ana, courier_id);
  EXPECT_EQ(page_status("+15550200013"), 410);
  EXPECT_EQ(scan_at(courier, in_hours(0.1)), "already_used");
}

}  // namespace
}  // namespace frontdoor
