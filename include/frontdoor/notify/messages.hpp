#pragma once

#include <string>

namespace frontdoor::notify {

// Every text a person receives lives here, so wording is reviewed in one place.
struct EmailText {
  std::string subject;
  std::string text;
};

// An invitation to activate an account (resident, staff, visitor).
EmailText account_invite_email(const std::string& display_name, const std::string& property_name,
                               const std::string& role, const std::string& activation_link);

}  // namespace frontdoor::notify
