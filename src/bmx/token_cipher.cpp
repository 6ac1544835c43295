#include "frontdoor/bmx/token_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace frontdoor::bmx {
namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string key_from_hex(std::string_view hex) {
  if (!is_token_key(hex)) {
    throw std::invalid_argument("a token key must be 64 hexadecimal characters (32 bytes)");
  }
  std::string key;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    key.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return key;
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

bool is_token_key(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

TokenCipher::TokenCipher(std::string current_key_id, std::string_view current_key_hex,
                         const std::map<std::string, std::string>& previous_keys_hex)
    : current_key_id_(std::move(current_key_id)) {
  keys_[current_key_id_] = key_from_hex(current_key_hex);
  for (const auto& [id, hex] : previous_keys_hex) keys_.emplace(id, key_from_hex(hex));
}

Sealed TokenCipher::seal(std::string_view plaintext, std::string_view context) const {
  const auto& key = keys_.at(current_key_id_);
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(nonce, kNonceBytes) != 1) throw std::runtime_error("RAND_bytes failed");
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  auto* cipher_text = nonce + kNonceBytes;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher_text, &length, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher_text + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          cipher_text + plaintext.size()) != 1) {
    throw std::runtime_error("token encryption failed");
  }
  return {current_key_id_, out};
}

std::string TokenCipher::open(const Sealed& sealed, std::string_view context) const {
  auto key = keys_.find(sealed.key_id);
  if (key == keys_.end()) {
    throw std::runtime_error("token sealed with unknown key '" + sealed.key_id + "'");
  }
  if (sealed.bytes.size() < kNonceBytes + kTagBytes)
    throw std::runtime_error("sealed token too short");
  const auto* nonce = bytes(sealed.bytes);
  const auto size = sealed.bytes.size() - kNonceBytes - kTagBytes;
  const auto* cipher_text = nonce + kNonceBytes;
  std::string plain(size, '\0');
  std::string tag(sealed.bytes.substr(kNonceBytes + size));
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int length = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key->second), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        cipher_text, static_cast<int>(size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &length) != 1) {
    throw std::runtime_error("sealed token failed authentication");
  }
  return plain;
}

}  // namespace frontdoor::bmx
