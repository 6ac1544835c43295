// Sealing BMX tokens: what goes in comes out, and nothing else does.
#include "frontdoor/bmx/token_cipher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace frontdoor::bmx {
namespace {

constexpr const char* kOld = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr const char* kNew = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(TokenCipher, SealsUnderTheCurrentKeyAndOpensWithTheSameContext) {
  TokenCipher cipher("k1", kOld);
  const auto sealed = cipher.seal("access-token-123", "credential-1:access");
  EXPECT_EQ(sealed.key_id, "k1");
  EXPECT_EQ(sealed.bytes.size(), 12u + 16u + 16u);
  EXPECT_EQ(sealed.bytes.find("access-token-123"), std::string::npos);
  EXPECT_EQ(cipher.open(sealed, "credential-1:access"), "access-token-123");
  // A fresh nonce every time: the same token never seals to the same bytes.
  EXPECT_NE(cipher.seal("access-token-123", "credential-1:access").bytes, sealed.bytes);
}

TEST(TokenCipher, RefusesTamperingAnotherRowOrAnUnknownKey) {
  TokenCipher cipher("k1", kOld);
  auto sealed = cipher.seal("refresh-token", "credential-1:refresh");
  EXPECT_THROW(cipher.open(sealed, "credential-2:refresh"), std::runtime_error);
  EXPECT_THROW(cipher.open(sealed, "credential-1:access"), std::runtime_error);
  auto flipped = sealed;
  flipped.bytes[14] = static_cast<char>(flipped.bytes[14] ^ 1);
  EXPECT_THROW(cipher.open(flipped, "credential-1:refresh"), std::runtime_error);
  EXPECT_THROW(cipher.open({"k9", sealed.bytes}, "credential-1:refresh"), std::runtime_error);
  EXPECT_THROW(cipher.open({"k1", "short"}, "credential-1:refresh"), std::runtime_error);
}

TEST(TokenCipher, ARotationKeepsOldTokensReadable) {
  const auto old_sealed = TokenCipher("k1", kOld).seal("old", "c:access");
  TokenCipher rotated("k2", kNew, {{"k1", kOld}});
  EXPECT_EQ(rotated.open(old_sealed, "c:access"), "old");
  EXPECT_EQ(rotated.seal("new", "c:access").key_id, "k2");
  EXPECT_THROW(TokenCipher("k2", kNew).open(old_sealed, "c:access"), std::runtime_error);
}

TEST(TokenCipher, KeysMustBe32BytesOfHex) {
  EXPECT_THROW(TokenCipher("k1", "abc"), std::invalid_argument);
  EXPECT_THROW(TokenCipher("k1", std::string(64, 'z')), std::invalid_argument);
  EXPECT_TRUE(is_token_key(kOld));
  EXPECT_FALSE(is_token_key(std::string(63, 'a')));
}

}  // namespace
}  // namespace frontdoor::bmx
