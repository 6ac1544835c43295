#include "frontdoor/notify/gateways.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/text.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/client.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor::notify {
namespace {

using Clock = std::chrono::steady_clock;
using Outcome = SendResult::Outcome;

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::sent:
      return "ok";
    case Outcome::retry:
      return "retry";
    case Outcome::rejected:
      return "rejected";
    case Outcome::gone:
      return "gone";
  }
  return "unknown";
}

// The verdict on an HTTP provider's answer: network trouble, 429 and 5xx are
// worth another try; any other refusal is final.
SendResult judge(const http::OutboundResponse& response) {
  if (response.failure != http::OutboundResponse::Failure::none) {
    return {Outcome::retry, response.error};
  }
  if (response.ok()) return {Outcome::sent, ""};
  const auto detail = std::to_string(response.status) + " " + response.body.substr(0, 300);
  if (response.status == 429 || response.status >= 500) return {Outcome::retry, detail};
  return {Outcome::rejected, detail};
}

SendResult observed(http::Metrics& metrics, const char* provider, Clock::time_point started,
                    SendResult result) {
  metrics.observe_outbound(provider, "send", outcome_name(result.outcome),
                           std::chrono::duration<double>(Clock::now() - started).count());
  return result;
}

class TwilioSms final : public SmsGateway {
 public:
  TwilioSms(GatewayOptions options, http::Metrics& metrics)
      : options_(std::move(options)), metrics_(metrics) {}

  SendResult send(const std::string& to, const std::string& text) override {
    const auto started = Clock::now();
    http::OutboundRequest request;
    request.method = "POST";
    request.url =
        options_.sms_url + "/2010-04-01/Accounts/" + options_.sms_account_sid + "/Messages.json";
    const std::string credentials = options_.sms_account_sid + ":" + options_.sms_auth_token;
    request.headers = {{"Authorization", "Basic " + common::base64_encode(credentials)},
                       {"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = "To=" + http::form_encode(to) + "&From=" + http::form_encode(options_.sms_from) +
                   "&Body=" + http::form_encode(common::one_line(text));
    request.total_timeout = options_.timeout;
    return observed(metrics_, "sms", started, judge(http::send(request)));
  }

 private:
  GatewayOptions options_;
  http::Metrics& metrics_;
};

// SMTP through libcurl: one connection per message, text and (optionally) HTML
// as multipart/alternative, UTF-8 sent as 8bit.
class SmtpEmail final : public EmailGateway {
 public:
  SmtpEmail(GatewayOptions options, http::Metrics& metrics)
      : options_(std::move(options)), metrics_(metrics) {}

  SendResult send(const Email& email) override {
    const auto started = Clock::now();
    // An address is a header and an SMTP command argument: only a plain one passes.
    if (!common::is_email(email.to)) {
      return observed(metrics_, "email", started, {Outcome::rejected, "not an e-mail address"});
    }
    const auto message = compose(email);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(
        curl_slist_append(nullptr, ("<" + email.to + ">").c_str()), &curl_slist_free_all);
    struct Reader {
      const std::string* text;
      std::size_t offset = 0;
    } reader{&message};
    const auto read = +[](char* buffer, std::size_t size, std::size_t count, void* user) {
      auto* source = static_cast<Reader*>(user);
      const auto length = std::min(size * count, source->text->size() - source->offset);
      std::copy_n(source->text->data() + source->offset, length, buffer);
      source->offset += length;
      return length;
    };
    const auto from = "<" + options_.smtp_from + ">";
    curl_easy_setopt(curl.get(), CURLOPT_URL, options_.smtp_url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
    if (!options_.smtp_username.empty()) {
      curl_easy_setopt(curl.get(), CURLOPT_USERNAME, options_.smtp_username.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, options_.smtp_password.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    }
    curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read);
    curl_easy_setopt(curl.get(), CURLOPT_READDATA, &reader);
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    const auto code = curl_easy_perform(curl.get());
    if (code == CURLE_OK) return observed(metrics_, "email", started, {Outcome::sent, ""});
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    // 5xx from the server is a permanent refusal (bad mailbox); 4xx and network trouble are not.
    const auto outcome = status >= 500 ? Outcome::rejected : Outcome::retry;
    return observed(
        metrics_, "email", started,
        {outcome, std::string(curl_easy_strerror(code)) + " " + std::to_string(status)});
  }

 private:
  std::string compose(const Email& email) const {
    const auto boundary = "frontdoor-" + common::random_hex(12);
    std::string out;
    out += "Date: " + common::to_rfc3339(std::chrono::system_clock::now()) + "\r\n";
    out += "From: " + options_.smtp_from + "\r\n";
    out += "To: " + email.to + "\r\n";
    out += "Subject: " + common::mime_header_value(email.subject) + "\r\n";
    out += "Message-ID: <" + common::random_hex(16) + "@frontdoor>\r\n";
    out += "MIME-Version: 1.0\r\n";
    if (email.html.empty()) {
      out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
      out += crlf(email.text);
    } else {
      out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
      out += "--" + boundary +
             "\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n\r\n" +
             crlf(email.text) + "\r\n";
      out += "--" + boundary +
             "\r\nContent-Type: text/html; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n\r\n" +
             crlf(email.html) + "\r\n";
      out += "--" + boundary + "--\r\n";
    }
    return out;
  }

  static std::string crlf(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
      out.push_back(text[i]);
    }
    return out;
  }

  GatewayOptions options_;
  http::Metrics& metrics_;
};

// Android through FCM HTTP v1 (data messages, high priority for calls) and
// iOS through APNs (VoIP pushes for calls, alerts otherwise).
class MobilePush final : public PushGateway {
 public:
  MobilePush(GatewayOptions options, http::Metrics& metrics)
      : options_(std::move(options)), metrics_(metrics) {}

  SendResult send(const Push& push) override {
    Push shown = push;
    shown.title = common::one_line(push.title);
    shown.body = common::one_line(push.body);
    return push.platform == "ios" ? send_apns(shown) : send_fcm(shown);
  }

 private:
  SendResult send_fcm(const Push& push) {
    const auto started = Clock::now();
    nlohmann::json data = {{"title", push.title}, {"body", push.body}};
    // FCM data values must be strings.
    for (const auto& [key, value] : push.data.items()) {
      data[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    const nlohmann::json body = {
        {"message",
         {{"token", push.token},
          {"data", data},
          {"android", {{"priority", push.voip ? "high" : "normal"}, {"ttl", "60s"}}}}}};
    http::OutboundRequest request;
    request.method = "POST";
    request.url = options_.fcm_url + "/v1/projects/" + options_.fcm_project + "/messages:send";
    request.headers = {{"Authorization", "Bearer " + options_.fcm_access_token},
                       {"Content-Type", "application/json"}};
    request.body = body.dump();
    request.total_timeout = options_.timeout;
    const auto response = http::send(request);
    auto result = judge(response);
    if (response.status == 404 && response.body.find("UNREGISTERED") != std::string::npos) {
      result.outcome = Outcome::gone;
    }
    return observed(metrics_, "fcm", started, result);
  }

  SendResult send_apns(const Push& push) {
    const auto started = Clock::now();
    // The token is part of the URL: one that is not an APNs token (stored before
    // tokens were checked) is refused here rather than sent somewhere else.
    if (!common::is_apns_token(push.token)) {
      return observed(metrics_, "apns", started, {Outcome::gone, "not an APNs token"});
    }
    nlohmann::json body = push.data;
    if (push.voip) {
      body["aps"] = nlohmann::json::object();
    } else {
      body["aps"] = {{"alert", {{"title", push.title}, {"body", push.body}}}, {"sound", "default"}};
    }
    http::OutboundRequest request;
    request.method = "POST";
    request.url = options_.apns_url + "/3/device/" + push.token;
    request.headers = {{"apns-topic", options_.apns_topic + (push.voip ? ".voip" : "")},
                       {"apns-push-type", push.voip ? "voip" : "alert"},
                       {"apns-priority", "10"},
                       {"apns-expiration", "0"},
                       {"Content-Type", "application/json"}};
    if (!options_.apns_auth_token.empty()) {
      request.headers.emplace_back("Authorization", "bearer " + options_.apns_auth_token);
    }
    request.body = body.dump();
    request.total_timeout = options_.timeout;
    const auto response = http::send(request);
    auto result = judge(response);
    if (response.status == 410 ||
        (response.status == 400 && response.body.find("BadDeviceToken") != std::string::npos)) {
      result.outcome = Outcome::gone;
    }
    return observed(metrics_, "apns", started, result);
  }

  GatewayOptions options_;
  http::Metrics& metrics_;
};

}  // namespace

std::unique_ptr<SmsGateway> make_sms_gateway(const GatewayOptions& options,
                                             http::Metrics& metrics) {
  return std::make_unique<TwilioSms>(options, metrics);
}

std::unique_ptr<EmailGateway> make_email_gateway(const GatewayOptions& options,
                                                 http::Metrics& metrics) {
  return std::make_unique<SmtpEmail>(options, metrics);
}

std::unique_ptr<PushGateway> make_push_gateway(const GatewayOptions& options,
                                               http::Metrics& metrics) {
  return std::make_unique<MobilePush>(options, metrics);
}

}  // namespace frontdoor::notify
