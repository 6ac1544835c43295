#include "frontdoor/notify/messages.hpp"

#include "frontdoor/common/html.hpp"

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

EmailText account_added_email(const std::string& display_name, const std::string& property_name,
                              const std::string& role, const std::string& login_link) {
  EmailText email;
  email.subject = "You now have access to " + property_name;
  email.text = "Hello " + display_name + ",\n\n" + property_name + " has added you as " + role +
               ". Log in with the account you already have to find it in the app:\n\n" +
               login_link +
               "\n\nIf you did not expect this e-mail, tell the property's management.\n";
  return email;
}

namespace {

// At most `limit` bytes, cut at a UTF-8 character boundary, with an ellipsis.
std::string shorten(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit >= 3 ? limit - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

}  // namespace

std::string visitor_pass_sms(const std::string& host_name, const std::string& property_name,
                             const std::string& window, const std::string& pass_link) {
  constexpr std::size_t kSegment = 159;
  const auto compose = [&](const std::string& host, const std::string& property) {
    return host + " invited you to " + property + ", " + window + ". Your pass: " + pass_link;
  };
  auto text = compose(host_name, property_name);
  if (text.size() > kSegment) {
    // The link and the time matter most; the names give way.
    const auto room = kSegment - compose("", "").size();
    text = compose(shorten(host_name, room / 2), shorten(property_name, room - room / 2));
  }
  return text;
}

EmailText visitor_invite_email(const std::string& visitor_name, const std::string& inviter,
                               const std::string& property_name, const std::string& window,
                               const std::string& activation_link) {
  EmailText email;
  email.subject = inviter + " invited you to " + property_name;
  const std::string next =
      activation_link.empty()
          ? "Log in to the frontdoor app to see your entry credentials."
          : "Choose a password to activate your account, then log in to see your entry "
            "credentials:\n\n" +
                activation_link + "\n\nThe link works once and expires in 7 days.";
  email.text = "Hello " + visitor_name + ",\n\n" + inviter + " invited you to " + property_name +
               ", " + window + ".\n\n" + next +
               "\n\nIf you did not expect this e-mail, you can ignore it.\n";
  email.html = "<p>Hello " + common::html_escape(visitor_name) + ",</p><p>" +
               common::html_escape(inviter) + " invited you to <strong>" +
               common::html_escape(property_name) + "</strong>, " + common::html_escape(window) +
               ".</p>" +
               (activation_link.empty()
                    ? std::string("<p>Log in to the frontdoor app to see your entry "
                                  "credentials.</p>")
                    : "<p><a href=\"" + common::html_escape(activation_link) +
                          "\">Activate your account</a> (the link works once and expires in "
                          "7 days), then log in to see your entry credentials.</p>") +
               "<p>If you did not expect this e-mail, you can ignore it.</p>";
  return email;
}

EmailText visitor_denied_email(const std::string& property_name, const std::string& inviter,
                               const std::string& visitor, const std::string& reason,
                               int refusals) {
  EmailText email;
  email.subject = "A visitor on the deny list was refused at " + property_name;
  // Refusals of the same entry within an hour come as one e-mail.
  const std::string earlier = refusals > 1 ? " This entry has refused " + std::to_string(refusals) +
                                                 " visitors since the last e-mail about it."
                                           : "";
  email.text = inviter + " tried to add " + visitor + " as a visitor at " + property_name +
               ". They are on the property's deny list (" + reason + "), so no pass was issued." +
               earlier + "\n\nThe property's audit trail has the details.\n";
  email.html = "<p>" + common::html_escape(inviter) + " tried to add <strong>" +
               common::html_escape(visitor) + "</strong> as a visitor at " +
               common::html_escape(property_name) + ". They are on the property's deny list (" +
               common::html_escape(reason) + "), so no pass was issued." +
               common::html_escape(earlier) +
               "</p><p>The property's audit trail has the details.</p>";
  return email;
}

PushText visitor_arrived_push(const std::string& visitor_name) {
  return {"Your visitor has arrived", visitor_name + " just came in."};
}

PushText pass_used_up_push(const std::string& visitor_name, int uses) {
  return {"Visitor pass used up", "The pass for " + visitor_name + " has been used " +
                                      std::to_string(uses) + (uses == 1 ? " time" : " times") +
                                      " and no longer opens the door."};
}

PushText pass_failed_push(const std::string& visitor_name, const std::string& reason) {
  return {"Visitor pass not issued",
          "The pass for " + visitor_name + " could not be issued: " + reason};
}

}  // namespace frontdoor::notify
