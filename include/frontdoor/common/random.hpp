#pragma once

#include <cstddef>
#include <string>

namespace frontdoor::common {

// Cryptographically random bytes (OpenSSL RAND_bytes), hex-encoded.
std::string random_hex(std::size_t bytes);

// Hex SHA-256 of the input: checksums and stored token hashes.
std::string sha256_hex(const std::string& input);

}  // namespace frontdoor::common
