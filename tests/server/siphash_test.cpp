// SipHash-2-4 against the reference vectors of its paper (key 00..0f).
#include "siphash.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera::server {
namespace {

const SipHashKey kPaperKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::string Counting(int length) {  // bytes 00, 01, 02, ...
  std::string bytes;
  for (int i = 0; i < length; ++i) bytes += static_cast<char>(i);
  return bytes;
}

TEST(SipHashTest, MatchesTheReferenceVectors) {
  EXPECT_EQ(SipHash24(kPaperKey, ""), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(SipHash24(kPaperKey, Counting(15)), 0xa129ca6149be45e5ULL);
}

TEST(SipHashTest, DependsOnTheKeyAndEveryByte) {
  std::string text = "6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3";
  uint64_t hash = SipHash24(kPaperKey, text);
  EXPECT_NE(SipHash24(SipHashKey{kPaperKey.k0 + 1, kPaperKey.k1}, text), hash);
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] ^= 1;
    EXPECT_NE(SipHash24(kPaperKey, changed), hash) << i;
  }
  EXPECT_NE(SipHash24(kPaperKey, text + '\0'), hash);  // length counts
}

}  // namespace
}  // namespace tessera::server
