// The rare exact number conversions of decimal_conversion.h in the browser
// build, answered by the host's Number: JavaScript reads decimal, binary,
// octal and hexadecimal text as the nearest double and prints the shortest
// digits that read back as the same double, exactly what decimal_exact.cpp
// (the native builds', tested against strtod and printf) computes with big
// integers. The SDK saves that code, and its answers are JavaScript's own by
// definition.
#include <emscripten.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "decimal_conversion.h"

// Number(text) for ASCII text.
EM_JS(double, tessera_host_number, (const char* text, size_t size), {
  let s = "";
  for (let i = 0; i < size; i++) s += String.fromCharCode(HEAPU8[text + i]);
  return Number(s);
});

// Writes String(d), ASCII and at most 25 bytes, at `out`; returns its length.
EM_JS(int, tessera_host_number_text, (double d, char* out), {
  const s = String(d);
  for (let i = 0; i < s.length; i++) HEAPU8[out + i] = s.charCodeAt(i);
  return s.length;
});

namespace tessera::decimal {
namespace {

double HostNumber(std::string_view text) {
  return tessera_host_number(text.data(), text.size());
}

}  // namespace

double RoundDecimal(const std::string& digits, int64_t exponent) {
  std::string text = digits;
  text.push_back('e');
  if (exponent < 0) text.push_back('-');
  AppendUnsigned(static_cast<uint64_t>(exponent < 0 ? -exponent : exponent),
                 &text);
  return HostNumber(text);
}

double ParseRadixInteger(std::string_view digits, int bits_per_digit) {
  if (digits.empty()) return NAN;
  const int radix = 1 << bits_per_digit;
  std::string text = bits_per_digit == 1   ? "0b"
                     : bits_per_digit == 3 ? "0o"
                                           : "0x";
  for (char c : digits) {
    if (DigitValue(c) >= radix) return NAN;
    text.push_back(c);
  }
  return HostNumber(text);
}

void ShortestDigits(double d, std::string* digits, int* point) {
  // String(d) is "123.45", "0.00012", "1e+21" or "1.5e-7": its digits, and
  // where the point sits among them, give `digits` and `point`.
  char text[32];
  const int length = tessera_host_number_text(d, text);
  int exponent = 0;
  int whole_digits = 0;  // digits before the '.'
  bool seen_point = false;
  digits->clear();
  for (int i = 0; i < length; ++i) {
    const char c = text[i];
    if (c == '.') {
      seen_point = true;
    } else if (c == 'e') {
      const bool negative = text[i + 1] == '-';
      for (i += 2; i < length; ++i) exponent = exponent * 10 + (text[i] - '0');
      if (negative) exponent = -exponent;
    } else {
      digits->push_back(c);
      if (!seen_point) ++whole_digits;
    }
  }
  *point = whole_digits + exponent;
  size_t leading_zeros = 0;
  while (leading_zeros < digits->size() && (*digits)[leading_zeros] == '0') {
    ++leading_zeros;
  }
  digits->erase(0, leading_zeros);
  *point -= static_cast<int>(leading_zeros);
  while (!digits->empty() && digits->back() == '0') digits->pop_back();
}

}  // namespace tessera::decimal
