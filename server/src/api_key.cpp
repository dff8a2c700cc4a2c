#include "tessera/server/api_key.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "tessera/server/digest.h"

namespace tessera::server {

std::string GenerateApiKey(KeyKind kind) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no key generated");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string key = kind == KeyKind::kAdmin ? "tsa_" : "tsw_";
  for (unsigned char byte : bytes) {
    key.push_back(kHex[byte >> 4]);
    key.push_back(kHex[byte & 15]);
  }
  return key;
}

std::string HashApiKey(std::string_view key) { return Sha256Hex(key); }

bool IsApiKeyShaped(std::string_view key) {
  constexpr size_t kHexDigits = 64;
  if (key.size() != 4 + kHexDigits ||
      (key.substr(0, 4) != "tsw_" && key.substr(0, 4) != "tsa_")) {
    return false;
  }
  for (char c : key.substr(4)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string ApiKeyPrefix(std::string_view key) {
  return std::string(key.substr(0, 10));
}

std::string CreateApiKey(Store& store, const std::string& site, KeyKind kind,
                         ApiKeyRecord* record, int64_t expires_at_ms) {
  std::string key = GenerateApiKey(kind);
  ApiKeyRecord created = store.CreateApiKey(
      site, kind, HashApiKey(key), ApiKeyPrefix(key), NowMs(), expires_at_ms);
  if (record) *record = created;
  return key;
}

}  // namespace tessera::server
