// The exact slow paths of the decimal conversions, with a small big-integer
// type: what the native builds use. The browser build asks the host's
// Number instead (decimal_host.cpp), whose answers are exact too and are
// JavaScript's own by definition.
//
// Rounding: an approximation corrected one unit in the last place at a time
// by comparing the exact decimal value with the midpoints between
// neighbouring doubles, as big integers.
//
// Shortest digits: the double's exact decimal expansion (at most 767
// significant digits), rounded to 1, 2, ... 17 digits (ties to even) until
// the rounded text reads back as the same double. That is what the JSON
// writer did with snprintf("%.*e") and strtod, without either.
#include <cmath>
#include <cstring>
#include <vector>

#include "decimal_conversion.h"

namespace tessera::decimal {
namespace {

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Unsigned integer of any size: 32-bit limbs, least significant first, no
// zero limbs at the top (zero has none).
class BigInt {
 public:
  explicit BigInt(uint64_t value = 0) {
    for (; value != 0; value >>= 32) limbs_.push_back(static_cast<uint32_t>(value));
  }

  // *this = *this * factor + addend.
  void MulAdd(uint32_t factor, uint32_t addend) {
    uint64_t carry = addend;
    for (uint32_t& limb : limbs_) {
      uint64_t x = static_cast<uint64_t>(limb) * factor + carry;
      limb = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<uint32_t>(carry));
  }

  void MulPow5(int64_t n) {
    static constexpr uint32_t kPow5[13] = {
        1,      5,       25,       125,       625,        3125,     15625,
        78125,  390625,  1953125,  9765625,   48828125,   244140625};
    for (; n >= 13; n -= 13) MulAdd(1220703125u, 0);  // 5^13
    if (n > 0) MulAdd(kPow5[n], 0);
  }

  void ShiftLeft(int64_t bits) {
    if (limbs_.empty() || bits <= 0) return;
    const int rest = static_cast<int>(bits % 32);
    if (rest != 0) {
      uint32_t carry = 0;
      for (uint32_t& limb : limbs_) {
        uint32_t next = limb >> (32 - rest);
        limb = (limb << rest) | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), static_cast<size_t>(bits / 32), 0u);
  }

  // Divides by 10^9 and returns the remainder.
  uint32_t DivBillion() {
    uint64_t remainder = 0;
    for (size_t i = limbs_.size(); i-- > 0;) {
      uint64_t current = (remainder << 32) | limbs_[i];
      limbs_[i] = static_cast<uint32_t>(current / 1000000000u);
      remainder = current % 1000000000u;
    }
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
    return static_cast<uint32_t>(remainder);
  }

  bool IsZero() const { return limbs_.empty(); }

  friend int Compare(const BigInt& a, const BigInt& b) {
    if (a.limbs_.size() != b.limbs_.size()) {
      return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    }
    for (size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  std::vector<uint32_t> limbs_;
};

uint64_t Bits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// d = mantissa * 2^exponent for a finite d > 0.
void Decompose(double d, uint64_t* mantissa, int* exponent) {
  const uint64_t bits = Bits(d);
  const int biased = static_cast<int>(bits >> 52) & 0x7FF;
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  if (biased == 0) {
    *mantissa = fraction;
    *exponent = -1074;
  } else {
    *mantissa = fraction | (uint64_t{1} << 52);
    *exponent = biased - 1075;
  }
}

// digits * 10^exponent, with digits a nonempty run of '0'-'9' without
// leading zeros, compared exactly against values c * 2^j.
class ExactDecimal {
 public:
  ExactDecimal(const std::string& digits, int64_t exponent)
      : exponent_(exponent) {
    size_t i = 0;
    for (; i + 9 <= digits.size(); i += 9) AddChunk(digits, i, 9);
    if (i < digits.size()) AddChunk(digits, i, digits.size() - i);
    if (exponent > 0) scaled_.MulPow5(exponent);
  }

  // Sign of (digits * 10^exponent) - (c * 2^j).
  int CompareWith(uint64_t c, int64_t j) const {
    // digits * 5^e * 2^e  versus  c * 2^j: move the powers of five and two
    // to whichever side keeps every exponent non-negative.
    BigInt left = scaled_;
    BigInt right(c);
    if (exponent_ < 0) right.MulPow5(-exponent_);
    const int64_t twos = exponent_ - j;
    if (twos > 0) {
      left.ShiftLeft(twos);
    } else {
      right.ShiftLeft(-twos);
    }
    return Compare(left, right);
  }

 private:
  void AddChunk(const std::string& digits, size_t at, size_t length) {
    uint32_t chunk = 0;
    uint32_t scale = 1;
    for (size_t k = 0; k < length; ++k) {
      chunk = chunk * 10 + static_cast<uint32_t>(digits[at + k] - '0');
      scale *= 10;
    }
    scaled_.MulAdd(scale, chunk);
  }

  BigInt scaled_;  // digits * 5^max(exponent, 0)
  int64_t exponent_;
};

}  // namespace

double RoundDecimal(const std::string& digits, int64_t exponent) {
  const int64_t magnitude = static_cast<int64_t>(digits.size()) + exponent;
  if (magnitude > 310) return HUGE_VAL;  // >= 1e309
  if (magnitude < -324) return 0;        // < 1e-325, below half the least double

  uint64_t leading = 0;
  const size_t taken = digits.size() < 19 ? digits.size() : 19;
  for (size_t i = 0; i < taken; ++i) {
    leading = leading * 10 + static_cast<uint64_t>(digits[i] - '0');
  }
  int64_t scale = exponent + static_cast<int64_t>(digits.size() - taken);
  if (digits.size() <= 15 && scale >= -22 && scale <= 22) {
    const double m = static_cast<double>(leading);  // exact: < 10^15 < 2^53
    return scale < 0 ? m / kPow10[-scale] : m * kPow10[scale];
  }

  // An estimate within a few units in the last place ...
  double estimate = static_cast<double>(leading);
  if (scale > 0) {
    for (; scale > 22; scale -= 22) estimate *= 1e22;
    estimate *= kPow10[scale];
  } else {
    for (; scale < -22; scale += 22) estimate /= 1e22;
    estimate /= kPow10[-scale];
  }
  if (std::isinf(estimate)) estimate = FromBits(0x7FEFFFFFFFFFFFFF);  // max
  if (estimate == 0) estimate = FromBits(1);  // the least subnormal

  // ... moved one unit at a time until the exact value lies between the
  // midpoints to its neighbours (a tie goes to the even mantissa).
  const ExactDecimal exact(digits, exponent);
  for (;;) {
    uint64_t m;
    int k;
    Decompose(estimate, &m, &k);
    const bool odd = (m & 1) != 0;
    const int above = exact.CompareWith(2 * m + 1, k - 1);
    if (above > 0 || (above == 0 && odd)) {
      estimate = FromBits(Bits(estimate) + 1);  // max + 1 ulp is infinity
      if (std::isinf(estimate)) return estimate;
      continue;
    }
    // Just above a power of two the gap below is half as wide.
    const bool narrow_below = m == (uint64_t{1} << 52) && k > -1074;
    const int below = narrow_below ? exact.CompareWith(4 * m - 1, k - 2)
                                   : exact.CompareWith(2 * m - 1, k - 1);
    if (below < 0 || (below == 0 && odd)) {
      estimate = FromBits(Bits(estimate) - 1);
      if (estimate == 0) return 0;
      continue;
    }
    return estimate;
  }
}

double ParseRadixInteger(std::string_view digits, int bits_per_digit) {
  if (digits.empty()) return NAN;
  const int radix = 1 << bits_per_digit;
  uint64_t top = 0;      // the leading (up to 64) significant bits
  int dropped_bits = 0;  // bits below `top`
  bool sticky = false;   // whether any dropped bit is set
  for (char c : digits) {
    const int d = DigitValue(c);
    if (d >= radix) return NAN;
    if ((top >> (64 - bits_per_digit)) == 0) {
      top = (top << bits_per_digit) | static_cast<uint64_t>(d);
    } else {
      dropped_bits += bits_per_digit;
      sticky = sticky || d != 0;
    }
  }
  if (top == 0) return 0;
  const int length = 64 - __builtin_clzll(top);
  if (length <= 53) return std::ldexp(static_cast<double>(top), dropped_bits);
  const int shift = length - 53;
  uint64_t mantissa = top >> shift;
  const uint64_t rest = top & ((uint64_t{1} << shift) - 1);
  const uint64_t half = uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (sticky || (mantissa & 1) != 0))) {
    ++mantissa;  // 2^53 at most, still exact
  }
  return std::ldexp(static_cast<double>(mantissa), shift + dropped_bits);
}

void ShortestDigits(double d, std::string* digits, int* point) {
  uint64_t m;
  int k;
  Decompose(d, &m, &k);
  // d = big * 10^ten_exponent exactly.
  BigInt big(m);
  int ten_exponent = 0;
  if (k >= 0) {
    big.ShiftLeft(k);
  } else {
    big.MulPow5(-k);  // m * 2^k = m * 5^-k * 10^k
    ten_exponent = k;
  }
  std::string exact;  // decimal digits of big, built backwards
  while (!big.IsZero()) {
    uint32_t group = big.DivBillion();
    for (int j = 0; j < 9; ++j, group /= 10) {
      exact.push_back(static_cast<char>('0' + group % 10));
    }
  }
  while (exact.back() == '0') exact.pop_back();  // leading zeros (reversed)
  const int all = static_cast<int>(exact.size());
  std::string forward(exact.rbegin(), exact.rend());
  const int exact_point = all + ten_exponent;
  while (forward.back() == '0') forward.pop_back();

  std::string check;
  for (size_t precision = 1;; ++precision) {
    *point = exact_point;
    if (precision >= forward.size()) {
      *digits = forward;
      return;
    }
    std::string rounded = forward.substr(0, precision);
    const char next = forward[precision];
    // The tail after `next` is nonzero unless `next` is the last digit
    // (`forward` has no trailing zeros).
    const bool tail = precision + 1 < forward.size();
    if (next > '5' || (next == '5' && (tail || (rounded.back() - '0') % 2 == 1))) {
      size_t j = rounded.size();
      while (j > 0 && rounded[j - 1] == '9') rounded[--j] = '0';
      if (j == 0) {
        rounded.insert(rounded.begin(), '1');
        rounded.pop_back();
        ++*point;
      } else {
        ++rounded[j - 1];
      }
    }
    while (rounded.size() > 1 && rounded.back() == '0') rounded.pop_back();
    check = rounded;
    check.push_back('e');
    const int e = *point - static_cast<int>(rounded.size());
    if (e < 0) check.push_back('-');
    AppendUnsigned(static_cast<uint64_t>(e < 0 ? -e : e), &check);
    if (ParseDecimal(check) == d) {
      *digits = rounded;
      return;
    }
  }
}

}  // namespace tessera::decimal
