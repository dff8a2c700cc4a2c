// SipHash-2-4 through OpenSSL's "SIPHASH" MAC (OpenSSL 3), so the server
// carries no hash code of its own. One MAC context per thread, re-keyed on
// each call: fetching the algorithm and allocating a context per hash would
// cost more than the hash of a visitor id.
#include "siphash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

namespace tessera::server {
namespace {

void StoreLittleEndian(uint64_t word, unsigned char* bytes) {
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<unsigned char>(word >> (8 * i));
}

uint64_t LoadLittleEndian(const unsigned char* bytes) {
  uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word |= uint64_t{bytes[i]} << (8 * i);
  return word;
}

// OpenSSL without SipHash is a broken installation, not bad input: the
// server cannot index visitors without it, so it stops with the reason.
[[noreturn]] void SipHashUnavailable(const char* step) {
  std::fprintf(stderr, "tessera-server: OpenSSL SIPHASH %s failed\n", step);
  std::abort();
}

class ThreadMac {
 public:
  ThreadMac() {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    if (mac == nullptr) SipHashUnavailable("fetch");
    context_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (context_ == nullptr) SipHashUnavailable("context");
  }
  ~ThreadMac() { EVP_MAC_CTX_free(context_); }
  ThreadMac(const ThreadMac&) = delete;
  ThreadMac& operator=(const ThreadMac&) = delete;

  uint64_t Hash(const SipHashKey& key, std::string_view data) {
    unsigned char key_bytes[16];
    StoreLittleEndian(key.k0, key_bytes);
    StoreLittleEndian(key.k1, key_bytes + 8);
    // 8 output bytes select SipHash-2-4's 64-bit form (OpenSSL defaults to
    // the 128-bit one); 2 and 4 rounds are OpenSSL's defaults.
    size_t output_size = 8;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &output_size),
        OSSL_PARAM_construct_end()};
    unsigned char out[8];
    size_t written = 0;
    if (EVP_MAC_init(context_, key_bytes, sizeof key_bytes, params) != 1 ||
        EVP_MAC_update(context_,
                       reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1 ||
        EVP_MAC_final(context_, out, &written, sizeof out) != 1 ||
        written != sizeof out) {
      SipHashUnavailable("hash");
    }
    return LoadLittleEndian(out);
  }

 private:
  EVP_MAC_CTX* context_ = nullptr;
};

}  // namespace

uint64_t SipHash24(const SipHashKey& key, std::string_view data) {
  thread_local ThreadMac mac;
  return mac.Hash(key, data);
}

}  // namespace tessera::server
