#pragma once

#include <optional>
#include <string>

namespace frontdoor::auth {

inline constexpr std::size_t kMinPasswordLength = 10;
inline constexpr std::size_t kMaxPasswordLength = 128;

// argon2id (libsodium, interactive limits), in libsodium's self-describing string form.
std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

// Burns the same time as a real verification, so a login for an unknown
// e-mail is not faster than one with a wrong password.
void verify_against_dummy(const std::string& password);

// Why this password is not acceptable, or nullopt: too short, too long, too common,
// or made of the account's e-mail.
std::optional<std::string> password_weakness(const std::string& password, const std::string& email);

}  // namespace frontdoor::auth
