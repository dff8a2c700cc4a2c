// Text tests eight bytes at a time: a block of eight bytes is loaded as one
// 64-bit word, and each test returns a word whose bytes have their high bit
// set where the test holds. A borrow can only mark bytes above a truly
// marked one, so "any byte" and the lowest marked byte are exact. Used by
// the scans that run on every request or event (JSON strings, signal
// labels, response headers), where a loop over bytes costs more than the
// work around it.
#ifndef TESSERA_BYTE_BLOCKS_H_
#define TESSERA_BYTE_BLOCKS_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tessera::byte_blocks {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Marks the bytes equal to `byte`.
constexpr uint64_t Equal(uint64_t block, unsigned char byte) {
  const uint64_t diff = block ^ (kOnes * byte);
  return (diff - kOnes) & ~diff & kHighBits;
}

// Marks the bytes below `limit` (at most 0x80).
constexpr uint64_t Below(uint64_t block, unsigned char limit) {
  return (block - kOnes * limit) & ~block & kHighBits;
}

// Whether `test` marks a byte in any eight-byte block of `text`. The last
// block overlaps the one before; a text shorter than a block is padded with
// 'a', which no test here marks. Short texts are decided in one step.
inline bool AnyBlock(std::string_view text, uint64_t (*test)(uint64_t)) {
  uint64_t block;
  const size_t n = text.size();
  if (n < sizeof block) {
    char padded[sizeof block];
    std::memset(padded, 'a', sizeof padded);
    std::memcpy(padded, text.data(), n);
    std::memcpy(&block, padded, sizeof block);
    return test(block) != 0;
  }
  for (size_t i = 0; i + sizeof block < n; i += sizeof block) {
    std::memcpy(&block, text.data() + i, sizeof block);
    if (test(block)) return true;
  }
  std::memcpy(&block, text.data() + n - sizeof block, sizeof block);
  return test(block) != 0;
}

}  // namespace tessera::byte_blocks

#endif  // TESSERA_BYTE_BLOCKS_H_
