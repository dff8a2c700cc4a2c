// SHA-256 digests as lower-case hex, through OpenSSL. Used to store API keys
// and erased visitor ids without keeping them, and to compute ETags.
// Pure functions; thread-safe; any byte string is valid input.
#ifndef TESSERA_SERVER_DIGEST_H_
#define TESSERA_SERVER_DIGEST_H_

#include <string>
#include <string_view>

namespace tessera::server {

// 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_DIGEST_H_
