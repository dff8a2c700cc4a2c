// PiiCipher: how the CRM tables keep emails and names — encrypted at rest
// with AES-256-GCM, and findable by email through a keyed hash.
//
// The key: 32 bytes written as 64 hex characters (surrounding whitespace is
// ignored), read from a file (--pii-key-file) or from the environment
// variable TESSERA_PII_KEY. Make one with `openssl rand -hex 32`. From it
// three independent keys are derived with HMAC-SHA-256 and fixed labels:
// one encrypts, one computes the email-matching hash, one yields a "key
// check" that the database records so that a wrong key is refused before
// anything is written with it.
//
// Sealed value: 0x01 (format version) | 12-byte random nonce | ciphertext |
// 16-byte GCM tag. The `context` (which site, customer and field a value
// belongs to) is authenticated as associated data, so a sealed value copied
// into another row does not decrypt.
//
// Thread-safe (const methods only after construction). Failures throw
// PiiError with a message an operator can act on; the key itself never
// appears in a message.
#ifndef TESSERA_SERVER_PII_CIPHER_H_
#define TESSERA_SERVER_PII_CIPHER_H_

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tessera::server {

class PiiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kPiiKeyEnv = "TESSERA_PII_KEY";

class PiiCipher {
 public:
  // 64 hex characters; throws PiiError otherwise.
  static PiiCipher FromHex(std::string_view text);
  // The file's contents as FromHex; throws PiiError (unreadable, malformed).
  static PiiCipher FromFile(const std::string& path);
  // From `key_file` when it is not empty, else from TESSERA_PII_KEY when it
  // is set, else nullopt (no key configured). Throws PiiError on a bad key.
  static std::optional<PiiCipher> Load(const std::string& key_file);

  ~PiiCipher();
  PiiCipher(const PiiCipher&) = default;
  PiiCipher& operator=(const PiiCipher&) = default;

  // Seals `plaintext` (binary result, see above) under a fresh random nonce.
  std::string Encrypt(std::string_view plaintext,
                      std::string_view context) const;
  // Opens a sealed value; throws PiiError when the key or context is wrong
  // or the bytes were altered.
  std::string Decrypt(std::string_view sealed, std::string_view context) const;

  // HMAC-SHA-256 (hex) of NormalizeEmail(email) under the matching key.
  std::string EmailHmac(std::string_view email) const;
  // HMAC-SHA-256 (hex) of `data` under the matching key, domain-separated by
  // `label`; for content hashes of rows that hold PII.
  std::string KeyedHash(std::string_view label, std::string_view data) const;
  // 32 hex characters that identify the key without revealing it.
  std::string KeyCheck() const;

  // Trimmed (ASCII space, tab, CR, LF) and ASCII lower-cased.
  static std::string NormalizeEmail(std::string_view email);

 private:
  PiiCipher() = default;
  std::array<unsigned char, 32> encryption_key_{};
  std::array<unsigned char, 32> matching_key_{};
  std::array<unsigned char, 32> check_{};
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_PII_CIPHER_H_
