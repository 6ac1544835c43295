#include "frontdoor/auth/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/random.hpp"

namespace frontdoor::auth {
namespace {

constexpr const char* kIssuer = "frontdoor";

std::int64_t seconds_since_epoch(common::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

AccessTokens::AccessTokens(std::vector<SigningKey> keys, const common::Clock& clock,
                           std::chrono::seconds lifetime)
    : keys_(std::move(keys)), clock_(clock), lifetime_(lifetime) {
  if (keys_.empty()) throw std::invalid_argument("at least one signing key is required");
}

std::string AccessTokens::issue(const std::string& user_id,
                                const std::vector<RoleAssignment>& roles) const {
  const auto& key = keys_.front();
  const auto now = clock_.now();
  nlohmann::json role_claims = nlohmann::json::array();
  for (const auto& assignment : roles) {
    role_claims.push_back(
        {{"role", to_string(assignment.role)},
         {"property_id", assignment.property_id.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(assignment.property_id)}});
  }
  const nlohmann::json header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.id}};
  const nlohmann::json payload{{"iss", kIssuer},
                               {"sub", user_id},
                               {"iat", seconds_since_epoch(now)},
                               {"exp", seconds_since_epoch(now + lifetime_)},
                               {"roles", role_claims}};
  const std::string signing_input =
      common::base64url_encode(header.dump()) + "." + common::base64url_encode(payload.dump());
  return signing_input + "." +
         common::base64url_encode(common::hmac_sha256(key.secret, signing_input));
}

std::optional<AccessClaims> AccessTokens::verify(std::string_view token) const {
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  if (first_dot == std::string_view::npos || second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto header_text = common::base64url_decode(token.substr(0, first_dot));
  const auto payload_text =
      common::base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  const auto signature = common::base64url_decode(token.substr(second_dot + 1));
  if (!header_text || !payload_text || !signature) return std::nullopt;
  try {
    const auto header = nlohmann::json::parse(*header_text);
    // Only HS256: never "none", never an algorithm the token chooses for us.
    if (header.value("alg", "") != "HS256") return std::nullopt;
    const std::string key_id = header.value("kid", "");
    const SigningKey* key = nullptr;
    for (const auto& candidate : keys_) {
      if (candidate.id == key_id) key = &candidate;
    }
    if (key == nullptr) return std::nullopt;
    const auto expected = common::hmac_sha256(key->secret, token.substr(0, second_dot));
    if (expected.size() != signature->size() ||
        CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) != 0) {
      return std::nullopt;
    }
    const auto payload = nlohmann::json::parse(*payload_text);
    if (payload.value("iss", "") != kIssuer) return std::nullopt;
    const auto expires =
        common::TimePoint(std::chrono::seconds(payload.at("exp").get<std::int64_t>()));
    if (expires <= clock_.now()) return std::nullopt;
    AccessClaims claims{payload.at("sub").get<std::string>(), {}, expires};
    if (claims.user_id.empty()) return std::nullopt;
    for (const auto& item : payload.at("roles")) {
      auto role = role_from_string(item.at("role").get<std::string>());
      if (!role) return std::nullopt;
      claims.roles.push_back({*role, item.at("property_id").is_null()
                                         ? ""
                                         : item.at("property_id").get<std::string>()});
    }
    return claims;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace frontdoor::auth
