// PII encryption (AES-256-GCM) and keyed email hashing.
#include "tessera/server/pii_cipher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "temp_dir.h"

namespace tessera::server {
namespace {

const char kKey[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const char kOtherKey[] =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(PiiCipherTest, EncryptionRoundTripsWithAFreshNonceEachTime) {
  PiiCipher cipher = PiiCipher::FromHex(kKey);
  std::string a = cipher.Encrypt("ann@example.com", "ctx");
  std::string b = cipher.Encrypt("ann@example.com", "ctx");
  EXPECT_NE(a, b);  // random nonce
  EXPECT_EQ(a.size(), 1 + 12 + 15 + 16u);
  EXPECT_EQ(a.find("ann@example.com"), std::string::npos);
  EXPECT_EQ(cipher.Decrypt(a, "ctx"), "ann@example.com");
  EXPECT_EQ(cipher.Decrypt(b, "ctx"), "ann@example.com");
  EXPECT_EQ(cipher.Decrypt(cipher.Encrypt("", "ctx"), "ctx"), "");
}

TEST(PiiCipherTest, WrongKeyWrongContextOrTamperingFailClearly) {
  PiiCipher cipher = PiiCipher::FromHex(kKey);
  PiiCipher other = PiiCipher::FromHex(kOtherKey);
  std::string sealed = cipher.Encrypt("Ann Lee", "customer 1 name");
  try {
    other.Decrypt(sealed, "customer 1 name");
    FAIL() << "decrypted with the wrong key";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("PII key is not the one"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(cipher.Decrypt(sealed, "customer 2 name"), PiiError);
  std::string tampered = sealed;
  tampered[20] ^= 1;
  EXPECT_THROW(cipher.Decrypt(tampered, "customer 1 name"), PiiError);
  EXPECT_THROW(cipher.Decrypt("short", "x"), PiiError);
}

TEST(PiiCipherTest, EmailHmacIsKeyedAndIgnoresCaseAndSpaces) {
  PiiCipher cipher = PiiCipher::FromHex(kKey);
  PiiCipher other = PiiCipher::FromHex(kOtherKey);
  std::string hash = cipher.EmailHmac("ann@example.com");
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(cipher.EmailHmac("  Ann@Example.COM\t"), hash);
  EXPECT_NE(cipher.EmailHmac("bob@example.com"), hash);
  EXPECT_NE(other.EmailHmac("ann@example.com"), hash);
  EXPECT_NE(cipher.KeyCheck(), other.KeyCheck());
  EXPECT_EQ(cipher.KeyCheck(), PiiCipher::FromHex(kKey).KeyCheck());
}

TEST(PiiCipherTest, MalformedKeysAreRefusedWithAHint) {
  for (const char* bad : {"", "abc",
                          "zz112233445566778899aabbccddeeff00112233"
                          "445566778899aabbccddeeff"}) {
    try {
      PiiCipher::FromHex(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const PiiError& error) {
      EXPECT_NE(std::string(error.what()).find("openssl rand -hex 32"),
                std::string::npos)
          << error.what();
    }
  }
  // Surrounding whitespace (a trailing newline in a key file) is fine.
  EXPECT_NO_THROW(PiiCipher::FromHex(std::string(kKey) + "\n"));
}

TEST(PiiCipherTest, LoadsFromFileThenEnvironment) {
  testing::TempDir dir;
  std::ofstream(dir.File("key")) << kKey << "\n";
  unsetenv(kPiiKeyEnv);
  EXPECT_FALSE(PiiCipher::Load("").has_value());
  std::optional<PiiCipher> from_file = PiiCipher::Load(dir.File("key"));
  ASSERT_TRUE(from_file.has_value());
  EXPECT_EQ(from_file->KeyCheck(), PiiCipher::FromHex(kKey).KeyCheck());
  setenv(kPiiKeyEnv, kOtherKey, 1);
  std::optional<PiiCipher> from_env = PiiCipher::Load("");
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->KeyCheck(), PiiCipher::FromHex(kOtherKey).KeyCheck());
  // The file wins over the environment.
  EXPECT_EQ(PiiCipher::Load(dir.File("key"))->KeyCheck(),
            from_file->KeyCheck());
  setenv(kPiiKeyEnv, "not-a-key", 1);
  try {
    PiiCipher::Load("");
    FAIL() << "accepted a malformed TESSERA_PII_KEY";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("TESSERA_PII_KEY"),
              std::string::npos);
  }
  unsetenv(kPiiKeyEnv);
  EXPECT_THROW(PiiCipher::Load(dir.File("missing")), PiiError);
}

}  // namespace
}  // namespace tessera::server
