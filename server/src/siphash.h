// SipHash-2-4 (Aumasson and Bernstein, 2012), computed by OpenSSL: a 64-bit
// hash keyed with 128 secret bits. Without the key, nobody can choose inputs
// that collide, so a table indexed by it cannot be flooded with look-alike
// keys. The SQLite engine uses it for its visitor-id index
// (sqlite_store.cpp). Thread-safe.
#ifndef TESSERA_SERVER_SIPHASH_H_
#define TESSERA_SERVER_SIPHASH_H_

#include <cstdint>
#include <string_view>

namespace tessera::server {

struct SipHashKey {
  uint64_t k0 = 0;  // key bytes 0-7, little-endian
  uint64_t k1 = 0;  // key bytes 8-15, little-endian
};

uint64_t SipHash24(const SipHashKey& key, std::string_view data);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SIPHASH_H_
