#pragma once

#include <map>
#include <string>
#include <string_view>

namespace frontdoor::bmx {

struct Sealed {
  std::string key_id;
  std::string bytes;  // 12-byte nonce, ciphertext, 16-byte tag
};

// Encrypts BMX tokens at rest with AES-256-GCM. New secrets use the current key;
// older rows name the key that sealed them, so a rotation keeps the previous key
// configured until every row has been re-sealed. `context` (the row's id) is
// authenticated too, so a sealed token cannot be moved to another row.
class TokenCipher {
 public:
  // Keys are 64 hex characters (32 bytes). Throws std::invalid_argument otherwise.
  TokenCipher(std::string current_key_id, std::string_view current_key_hex,
              const std::map<std::string, std::string>& previous_keys_hex = {});

  Sealed seal(std::string_view plaintext, std::string_view context) const;
  // Throws std::runtime_error when the key is unknown or the data was tampered with.
  std::string open(const Sealed& sealed, std::string_view context) const;
  const std::string& current_key_id() const { return current_key_id_; }

 private:
  std::string current_key_id_;
  std::map<std::string, std::string> keys_;  // id → 32 raw bytes
};

// True for 64 hexadecimal characters.
bool is_token_key(std::string_view hex);

}  // namespace frontdoor::bmx
