#include "frontdoor/auth/passwords.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace frontdoor::auth {
namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

// Widely published most-common passwords of at least kMinPasswordLength characters
// (shorter ones are refused for their length already).
constexpr std::array<std::string_view, 40> kCommonPasswords = {
    "1234567890",   "0123456789",   "0987654321",  "1111111111",    "0000000000",   "1234554321",
    "qwertyuiop",   "password12",   "password123", "password1!",    "passw0rd123",  "iloveyou12",
    "1q2w3e4r5t",   "1qaz2wsx3edc", "qwerty1234",  "qwerty12345",   "qwerty123456", "abcdefghij",
    "abc1234567",   "a1b2c3d4e5",   "123456789a",  "12345678910",   "123123123123", "asdfghjkl1",
    "zxcvbnm123",   "football12",   "baseball12",  "welcome123",    "letmein123",   "princess12",
    "sunshine12",   "superman12",   "trustno1234", "administrator", "changeme123",  "password2024",
    "password2025", "password2026", "butterflymx", "frontdoor123"};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string hash_password(const std::string& password) {
  ensure_sodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return hash;
}

bool verify_password(const std::string& hash, const std::string& password) {
  ensure_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_against_dummy(const std::string& password) {
  static const std::string dummy = hash_password("not-a-real-password-for-timing");
  verify_password(dummy, password);
}

std::optional<std::string> password_weakness(const std::string& password,
                                             const std::string& email) {
  if (password.size() < kMinPasswordLength) {
    return "Use at least " + std::to_string(kMinPasswordLength) + " characters.";
  }
  if (password.size() > kMaxPasswordLength) {
    return "Use at most " + std::to_string(kMaxPasswordLength) + " characters.";
  }
  const std::string candidate = lower(password);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), candidate) !=
      kCommonPasswords.end()) {
    return "This password is among the most common ones; choose another.";
  }
  const std::string local_part = lower(email.substr(0, email.find('@')));
  if (!local_part.empty() && local_part.size() >= 4 &&
      candidate.find(local_part) != std::string::npos) {
    return "Do not build the password from your e-mail address.";
  }
  return std::nullopt;
}

}  // namespace frontdoor::auth
