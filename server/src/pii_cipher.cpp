#include "tessera/server/pii_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "ascii_case.h"
#include "input_file.h"

namespace tessera::server {
namespace {

constexpr unsigned char kFormatVersion = 1;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

std::string Hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

void Hmac(const unsigned char* key, size_t key_size, std::string_view data,
          unsigned char out[32]) {
  unsigned int size = 32;
  if (!HMAC(EVP_sha256(), key, static_cast<int>(key_size),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(),
            out, &size)) {
    throw PiiError("HMAC-SHA-256 failed in OpenSSL");
  }
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const {
    EVP_CIPHER_CTX_free(context);
  }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

const char kKeyHelp[] =
    " (the PII key is 32 bytes written as 64 hex characters; make one with "
    "`openssl rand -hex 32`)";

}  // namespace

PiiCipher PiiCipher::FromHex(std::string_view text) {
  text = Trim(text);
  if (text.size() != 64) {
    throw PiiError("the PII key has " + std::to_string(text.size()) +
                   " characters, not 64" + kKeyHelp);
  }
  unsigned char master[32];
  for (size_t i = 0; i < 32; ++i) {
    int high = HexValue(text[2 * i]), low = HexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      OPENSSL_cleanse(master, sizeof master);
      throw PiiError(std::string("the PII key is not hexadecimal") + kKeyHelp);
    }
    master[i] = static_cast<unsigned char>(high * 16 + low);
  }
  PiiCipher cipher;
  Hmac(master, sizeof master, "tessera pii: aes-256-gcm v1",
       cipher.encryption_key_.data());
  Hmac(master, sizeof master, "tessera pii: email matching v1",
       cipher.matching_key_.data());
  Hmac(master, sizeof master, "tessera pii: key check v1",
       cipher.check_.data());
  OPENSSL_cleanse(master, sizeof master);
  return cipher;
}

PiiCipher PiiCipher::FromFile(const std::string& path) {
  std::ifstream in;
  if (std::string why = OpenInputFile(path, in); !why.empty()) {
    throw PiiError("cannot read the PII key file '" + path + "': " + why);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string contents = text.str();
  try {
    PiiCipher cipher = FromHex(contents);
    OPENSSL_cleanse(contents.data(), contents.size());
    return cipher;
  } catch (const PiiError& error) {
    OPENSSL_cleanse(contents.data(), contents.size());
    throw PiiError("PII key file '" + path + "': " + error.what());
  }
}

std::optional<PiiCipher> PiiCipher::Load(const std::string& key_file) {
  if (!key_file.empty()) return FromFile(key_file);
  const char* env = std::getenv(kPiiKeyEnv);
  if (!env || !*env) return std::nullopt;
  try {
    return FromHex(env);
  } catch (const PiiError& error) {
    throw PiiError(std::string(kPiiKeyEnv) + ": " + error.what());
  }
}

PiiCipher::~PiiCipher() {
  OPENSSL_cleanse(encryption_key_.data(), encryption_key_.size());
  OPENSSL_cleanse(matching_key_.data(), matching_key_.size());
  OPENSSL_cleanse(check_.data(), check_.size());
}

std::string PiiCipher::Encrypt(std::string_view plaintext,
                               std::string_view context) const {
  std::string sealed(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  out[0] = kFormatVersion;
  unsigned char* nonce = out + 1;
  if (RAND_bytes(nonce, kNonceBytes) != 1) {
    throw PiiError("the OpenSSL random generator failed; refusing to encrypt");
  }
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         encryption_key_.data(), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_EncryptUpdate(
          ctx.get(), nonce + kNonceBytes, &length,
          reinterpret_cast<const unsigned char*>(plaintext.data()),
          static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), nonce + kNonceBytes + length, &length) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out + sealed.size() - kTagBytes) == 1;
  if (!ok) throw PiiError("AES-256-GCM encryption failed in OpenSSL");
  return sealed;
}

std::string PiiCipher::Decrypt(std::string_view sealed,
                               std::string_view context) const {
  const std::string failure =
      "cannot decrypt a PII value: the PII key is not the one it was "
      "encrypted with, or the stored value was altered";
  if (sealed.size() < 1 + kNonceBytes + kTagBytes ||
      static_cast<unsigned char>(sealed[0]) != kFormatVersion) {
    throw PiiError("a stored PII value is not in the expected format");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* nonce = in + 1;
  const unsigned char* body = nonce + kNonceBytes;
  size_t body_size = sealed.size() - 1 - kNonceBytes - kTagBytes;
  std::string plaintext(body_size, '\0');
  unsigned char tag[kTagBytes];
  std::copy(in + sealed.size() - kTagBytes, in + sealed.size(), tag);
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         encryption_key_.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(),
                        reinterpret_cast<unsigned char*>(plaintext.data()),
                        &length, body, static_cast<int>(body_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1;
  int final_length = 0;
  if (!ok || EVP_DecryptFinal_ex(
                 ctx.get(),
                 reinterpret_cast<unsigned char*>(plaintext.data()) + length,
                 &final_length) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    throw PiiError(failure);
  }
  return plaintext;
}

std::string PiiCipher::EmailHmac(std::string_view email) const {
  return KeyedHash("email", NormalizeEmail(email));
}

std::string PiiCipher::KeyedHash(std::string_view label,
                                 std::string_view data) const {
  std::string input;
  input.reserve(label.size() + 1 + data.size());
  input.append(label);
  input.push_back('\0');
  input.append(data);
  unsigned char digest[32];
  Hmac(matching_key_.data(), matching_key_.size(), input, digest);
  return Hex(digest, sizeof digest);
}

std::string PiiCipher::KeyCheck() const { return Hex(check_.data(), 16); }

std::string PiiCipher::NormalizeEmail(std::string_view email) {
  return AsciiLower(Trim(email));
}

}  // namespace tessera::server
