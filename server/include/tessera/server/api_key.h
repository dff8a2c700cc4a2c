// API keys: random secrets that authorise writing signals to one site
// ("write" keys, public enough to sit in a page) or administering it
// ("admin" keys, secret). The server stores only their SHA-256.
// Thread-safe. GenerateApiKey throws std::runtime_error when the OpenSSL
// random generator fails (it then has no entropy; refusing is the only
// safe answer).
#ifndef TESSERA_SERVER_API_KEY_H_
#define TESSERA_SERVER_API_KEY_H_

#include <string>
#include <string_view>

#include "tessera/server/store.h"

namespace tessera::server {

// "tsw_" (write) or "tsa_" (admin) followed by 32 random bytes in hex.
std::string GenerateApiKey(KeyKind kind);
// What the store keeps: SHA-256 of the key, hex.
std::string HashApiKey(std::string_view key);
// Whether `key` has the shape GenerateApiKey gives every key (the prefix and
// 64 lowercase hex digits): anything else is no key, whatever the store has.
bool IsApiKeyShaped(std::string_view key);
// The first characters of a key, shown by `keys list` to recognise it.
std::string ApiKeyPrefix(std::string_view key);

// Creates a key in `store` and returns it in clear (the only time it exists
// in clear); it is refused from `expires_at_ms` on (0: never). Throws
// StoreError.
std::string CreateApiKey(Store& store, const std::string& site, KeyKind kind,
                         ApiKeyRecord* record = nullptr,
                         int64_t expires_at_ms = 0);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_KEY_H_
