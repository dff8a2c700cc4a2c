// JSON text written through a TextBuilder, byte for byte what Value::Dump()
// writes, for writers that produce JSON without building a Value tree (the
// decisions handed to JavaScript), and the number rules shared by the JSON
// readers that build no Value tree (json_tape.h). Private to core/; the
// public std::string forms are AppendJsonString/AppendJsonNumber in json.h.
#ifndef TESSERA_SRC_JSON_TEXT_H_
#define TESSERA_SRC_JSON_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "tessera/byte_blocks.h"
#include "text_builder.h"

namespace tessera {

// `s` (valid UTF-8) quoted and escaped as JSON.stringify escapes it.
void WriteJsonString(std::string_view s, TextBuilder* out);
// `d` as JSON.stringify writes it; non-finite numbers as null.
void WriteJsonNumber(double d, TextBuilder* out);
// The number of bytes WriteJsonNumber writes for `d`.
size_t JsonNumberLength(double d);

// For each byte of `block`, its high bit is set when the byte is '"', '\\'
// or below 0x20 (the classic zero-byte and less-than tests). A borrow can
// only flag bytes above a truly flagged one, so the lowest flag is exact.
inline uint64_t SpecialJsonBytes(uint64_t block) {
  return byte_blocks::Equal(block, '"') | byte_blocks::Equal(block, '\\') |
         byte_blocks::Below(block, 0x20);
}

// PlainJsonTextLength (json.h), inline for the readers that call it once
// per string, where the call would cost as much as the scan.
inline size_t ScanPlainJsonText(std::string_view text) {
  const char* const data = text.data();
  const size_t n = text.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t block;
    std::memcpy(&block, data + i, sizeof block);  // one unaligned load
    const uint64_t flags = SpecialJsonBytes(block);
    if (flags == 0) continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return i + static_cast<size_t>(__builtin_ctzll(flags)) / 8;
#else
    break;  // the byte loop finds it
#endif
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c == '"' || c == '\\' || c < 0x20) return i;
  }
  return n;
}

// Reads the JSON number (RFC 8259 grammar) that starts at text[*pos], the
// one number rule of every JSON reader in the core. On success returns
// nullptr, stores the value (what JavaScript's Number() gives for that
// text) and moves *pos past the number. Otherwise returns what is wrong
// ("invalid value", "number out of range", ...) with *pos at the byte to
// blame.
const char* ScanJsonNumber(std::string_view text, size_t* pos, double* value);

}  // namespace tessera

#endif  // TESSERA_SRC_JSON_TEXT_H_
