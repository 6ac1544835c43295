#include "frontdoor/notify/messages.hpp"

namespace frontdoor::notify {

EmailText account_invite_email(const std::string& display_name, const std::string& property_name,
                               const std::string& role, const std::string& activation_link) {
  EmailText email;
  email.subject = "Your " + property_name + " access account";
  email.text = "Hello " + display_name + ",\n\n" + property_name + " has added you as " + role +
               ". Choose a password to activate your account:\n\n" + activation_link +
               "\n\nThe link works once and expires in 7 days. If you did not expect this "
               "e-mail, you can ignore it.\n";
  return email;
}

}  // namespace frontdoor::notify
