#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace frontdoor::common {

// Cryptographically random bytes (OpenSSL RAND_bytes), hex-encoded.
std::string random_hex(std::size_t bytes);

// Hex SHA-256 of the input: checksums and stored token hashes.
std::string sha256_hex(const std::string& input);

// HMAC-SHA256 of `data` under `key`: raw bytes, and hex-encoded.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace frontdoor::common
