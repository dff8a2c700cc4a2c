// Number formatting and UTF-8 checking shared by the JSON writer and others.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "decimal_conversion.h"
#include "json_text.h"
#include "tessera/json.h"

namespace tessera {

std::string FormatJsNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";  // also -0, as JavaScript prints it
  std::string out;
  if (d < 0) {
    out.push_back('-');
    d = -d;
  }
  // Whole numbers below 2^53 print as their exact digits, which is also
  // what the shortest round-trip form gives; most numbers in signals and
  // attributes are counts, so this skips the general algorithm.
  if (d < 9007199254740992.0 && d == std::floor(d)) {
    decimal::AppendUnsigned(static_cast<uint64_t>(d), &out);
    return out;
  }
  std::string digits;
  int n = 0;
  decimal::ShortestDigits(d, &digits, &n);
  const int k = static_cast<int>(digits.size());
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    int exponent = n - 1;
    out.push_back(exponent < 0 ? '-' : '+');
    decimal::AppendUnsigned(
        static_cast<uint64_t>(exponent < 0 ? -exponent : exponent), &out);
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string SignedMagnitudeText(uint64_t magnitude, bool negative) {
  char digits[21];  // 2^64 has 20 digits, and a sign
  char* begin = digits + sizeof digits;
  do {
    *--begin = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) *--begin = '-';
  return std::string(begin, digits + sizeof digits);
}

size_t PlainJsonTextLength(std::string_view text) {
  return ScanPlainJsonText(text);
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time: JSON text is mostly ASCII.
    while (i + 8 <= n) {
      uint64_t block;
      std::memcpy(&block, s + i, sizeof block);
      if (block & byte_blocks::kHighBits) break;  // a non-ASCII byte
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t j = 1; j < len; ++j) {
      if ((s[i + j] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    static const uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len]) return false;       // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // surrogate
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

}  // namespace tessera
