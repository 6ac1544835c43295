#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace frontdoor::http {
class Metrics;
}

namespace frontdoor::notify {

// What a provider said about one message.
struct SendResult {
  enum class Outcome {
    sent,
    retry,     // the provider is away or busy: try again later
    rejected,  // the provider refused this message for good (bad number, bad address)
    gone,      // push only: the device token is dead and must be forgotten
  };
  Outcome outcome = Outcome::sent;
  std::string detail;
};

struct Email {
  std::string to;
  std::string subject;
  std::string text;
  std::string html;  // optional second part
};

struct Push {
  std::string platform;  // ios, android
  std::string token;     // APNs device or VoIP token, FCM registration token
  bool voip = false;     // iOS: a VoIP push (incoming call); Android: high priority
  std::string title;
  std::string body;
  nlohmann::json data = nlohmann::json::object();
};

class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  virtual SendResult send(const std::string& to, const std::string& text) = 0;
};

class EmailGateway {
 public:
  virtual ~EmailGateway() = default;
  virtual SendResult send(const Email& email) = 0;
};

class PushGateway {
 public:
  virtual ~PushGateway() = default;
  virtual SendResult send(const Push& push) = 0;
};

struct GatewayOptions {
  // SMS: Twilio's Messages API.
  std::string sms_url;
  std::string sms_account_sid;
  std::string sms_auth_token;
  std::string sms_from;
  // E-mail: SMTP (smtp:// or smtps://).
  std::string smtp_url;
  std::string smtp_from;
  std::string smtp_username;
  std::string smtp_password;
  // Android: FCM HTTP v1. iOS: APNs (HTTP/2 on https URLs).
  std::string fcm_url;
  std::string fcm_project;
  std::string fcm_access_token;
  std::string apns_url;
  std::string apns_topic;
  std::string apns_auth_token;
  std::chrono::milliseconds timeout{10000};
};

std::unique_ptr<SmsGateway> make_sms_gateway(const GatewayOptions& options, http::Metrics& metrics);
std::unique_ptr<EmailGateway> make_email_gateway(const GatewayOptions& options,
                                                 http::Metrics& metrics);
std::unique_ptr<PushGateway> make_push_gateway(const GatewayOptions& options,
                                               http::Metrics& metrics);

}  // namespace frontdoor::notify
