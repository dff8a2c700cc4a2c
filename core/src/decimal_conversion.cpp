// Decimal text to double and back, exactly: the grammar and the common
// cases here; the rare cases go to RoundDecimal and ShortestDigits
// (decimal_exact.cpp natively, decimal_host.cpp in the browser).
//
// Parsing: an exact fast path (at most 15 significant digits and a power of
// ten up to 1e22 are both exact doubles, so one multiplication or division
// rounds correctly), otherwise RoundDecimal.
#include "decimal_conversion.h"

#include <cmath>

namespace tessera::decimal {
namespace {

// Digits beyond this many cannot change the rounding (midpoints between
// doubles have at most 767 significant digits), once a nonzero tail is
// remembered as one more digit.
constexpr size_t kMaxDigits = 780;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

double ParseDecimal(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;    // significant digits, no leading zeros
  int64_t exponent = 0;  // the value is digits * 10^exponent
  bool any_digit = false;
  bool dropped_nonzero = false;
  auto take = [&](char c, bool fraction) {
    any_digit = true;
    if (digits.empty() && c == '0') {
      if (fraction) --exponent;
    } else if (digits.size() < kMaxDigits) {
      digits.push_back(c);
      if (fraction) --exponent;
    } else {
      dropped_nonzero = dropped_nonzero || c != '0';
      if (!fraction) ++exponent;
    }
  };
  for (; i < n && IsDigit(text[i]); ++i) take(text[i], false);
  if (i < n && text[i] == '.') {
    for (++i; i < n && IsDigit(text[i]); ++i) take(text[i], true);
  }
  if (!any_digit) return NAN;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      negative_exponent = text[i] == '-';
      ++i;
    }
    if (i >= n || !IsDigit(text[i])) return NAN;
    int64_t e = 0;
    for (; i < n && IsDigit(text[i]); ++i) {
      if (e < 1000000000) e = e * 10 + (text[i] - '0');  // saturates
    }
    exponent += negative_exponent ? -e : e;
  }
  if (i != n) return NAN;
  if (dropped_nonzero) {  // stands for the nonzero tail, see kMaxDigits
    digits.push_back('1');
    --exponent;
  }
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  double magnitude = 0;
  if (digits.empty()) {
    magnitude = 0;
  } else if (digits.size() <= 15 && exponent >= -22 && exponent <= 22) {
    // Clinger's fast path: both the digits (< 10^15 < 2^53) and 10^|e|
    // (e <= 22) are exact doubles, so one IEEE multiply or divide rounds
    // correctly. Nearly every number in a JSON document takes this path.
    static const double kPowersOfTen[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t integer = 0;
    for (char c : digits) integer = integer * 10 + static_cast<uint64_t>(c - '0');
    const double whole = static_cast<double>(integer);
    magnitude = exponent < 0 ? whole / kPowersOfTen[-exponent]
                             : whole * kPowersOfTen[exponent];
  } else {
    magnitude = RoundDecimal(digits, exponent);
  }
  return negative ? -magnitude : magnitude;
}

void AppendUnsigned(uint64_t value, std::string* out) {
  char buffer[20];
  size_t i = sizeof buffer;
  do {
    buffer[--i] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out->append(buffer + i, sizeof buffer - i);
}

}  // namespace tessera::decimal
