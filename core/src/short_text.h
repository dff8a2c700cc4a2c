// Equality of the short texts the hot paths compare: attribute names,
// segment ids, template names. Private to core/.
//
// A memcmp call costs more than the comparison itself for names of a few
// bytes; these compare whole machine words where the text is long enough
// (fixed-size memcpy compiles to single loads, natively and in wasm) and
// never read outside [a, a + size) or [b, b + size).
#ifndef TESSERA_SRC_SHORT_TEXT_H_
#define TESSERA_SRC_SHORT_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tessera {
namespace short_text {

// Whether the `size` bytes at `a` and `b` are equal.
inline bool SameBytes(const char* a, const char* b, size_t size) {
  if (size >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    std::memcpy(&x, a + size - 8, 8);
    std::memcpy(&y, b + size - 8, 8);
    if (x != y) return false;
    return size <= 16 || std::memcmp(a + 8, b + 8, size - 16) == 0;
  }
  if (size >= 4) {
    uint32_t x, y;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    if (x != y) return false;
    std::memcpy(&x, a + size - 4, 4);
    std::memcpy(&y, b + size - 4, 4);
    return x == y;
  }
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// a == b.
inline bool Same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && SameBytes(a.data(), b.data(), a.size());
}

}  // namespace short_text
}  // namespace tessera

#endif  // TESSERA_SRC_SHORT_TEXT_H_
