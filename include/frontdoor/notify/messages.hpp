#pragma once

#include <string>

namespace frontdoor::notify {

// Every text a person receives lives here, so wording is reviewed in one place.
struct EmailText {
  std::string subject;
  std::string text;
  std::string html;
};

struct PushText {
  std::string title;
  std::string body;
};

// An invitation to activate an account (resident, staff, visitor).
EmailText account_invite_email(const std::string& display_name, const std::string& property_name,
                               const std::string& role, const std::string& activation_link);

// To someone who already has an account: a property added them (as resident or
// staff). No link to set a password: they have one.
EmailText account_added_email(const std::string& display_name, const std::string& property_name,
                              const std::string& role, const std::string& login_link);

// A property-only visitor's SMS: who invited them, where, when, and the pass
// page. Kept under 160 characters (one SMS segment) by shortening the names.
std::string visitor_pass_sms(const std::string& host_name, const std::string& property_name,
                             const std::string& window, const std::string& pass_link);

// A property-wide or staff-invited visitor's e-mail. With `activation_link` the
// visitor has no password yet and sets one; without, they log in as before.
EmailText visitor_invite_email(const std::string& visitor_name, const std::string& inviter,
                               const std::string& property_name, const std::string& window,
                               const std::string& activation_link);

// To a property's managers: someone on the deny list was invited and refused.
EmailText visitor_denied_email(const std::string& property_name, const std::string& inviter,
                               const std::string& visitor, const std::string& reason,
                               int refusals = 1);

PushText visitor_arrived_push(const std::string& visitor_name);
PushText pass_failed_push(const std::string& visitor_name, const std::string& reason);
PushText pass_used_up_push(const std::string& visitor_name, int uses);

}  // namespace frontdoor::notify
