// The core's own double <-> decimal conversions (core/src/decimal_conversion)
// against the C library they replace in the browser build: strtod for
// parsing, snprintf("%.*e") + strtod for the shortest round-trip digits.
// Randomized with fixed seeds, so a failure reproduces.
#include "decimal_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "tessera/json.h"

namespace tessera::decimal {
namespace {

double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

uint64_t ToBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

double LibcParse(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// What json_format.cpp did before: the first precision whose correctly
// rounded %e form reads back as d.
void LibcShortest(double d, std::string* digits, int* point) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  const char* e = std::strchr(buf, 'e');
  digits->clear();
  for (const char* p = buf; p < e; ++p) {
    if (*p >= '0' && *p <= '9') digits->push_back(*p);
  }
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  *point = std::atoi(e + 1) + 1;
}

// Same double, and the same sign for zeros.
void ExpectSameDouble(double expected, double actual, const std::string& text) {
  EXPECT_EQ(ToBits(expected), ToBits(actual))
      << "text " << text << ": expected " << expected << ", got " << actual;
}

TEST(DecimalParse, ReadsExactValuesAndRoundsToNearestEven) {
  EXPECT_EQ(ParseDecimal("0"), 0.0);
  EXPECT_TRUE(std::signbit(ParseDecimal("-0")));
  EXPECT_EQ(ParseDecimal("123"), 123.0);
  EXPECT_EQ(ParseDecimal("+1.5"), 1.5);
  EXPECT_EQ(ParseDecimal(".5"), 0.5);
  EXPECT_EQ(ParseDecimal("5."), 5.0);
  EXPECT_EQ(ParseDecimal("0.1"), 0.1);
  EXPECT_EQ(ParseDecimal("1E3"), 1000.0);
  EXPECT_EQ(ParseDecimal("-2.5e-3"), -0.0025);
  // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: the even mantissa wins.
  EXPECT_EQ(ParseDecimal("9007199254740993"), 9007199254740992.0);
  EXPECT_EQ(ParseDecimal("9007199254740995"), 9007199254740996.0);
  EXPECT_EQ(ParseDecimal("9007199254740993.0000000000000001"), 9007199254740994.0);
}

TEST(DecimalParse, OverflowsToInfinityAndUnderflowsToZeroLikeStrtod) {
  EXPECT_EQ(ParseDecimal("1e400"), HUGE_VAL);
  EXPECT_EQ(ParseDecimal("-1e400"), -HUGE_VAL);
  EXPECT_EQ(ParseDecimal("1e99999999999999999999"), HUGE_VAL);
  EXPECT_EQ(ParseDecimal("1e-400"), 0.0);
  EXPECT_EQ(ParseDecimal("1.7976931348623157e308"), std::numeric_limits<double>::max());
  // Just below and at the midpoint between the largest double and 2^1024.
  EXPECT_EQ(ParseDecimal("1.7976931348623158079e308"), std::numeric_limits<double>::max());
  EXPECT_EQ(ParseDecimal("1.797693134862315807937289714054e308"), HUGE_VAL);
  EXPECT_EQ(ParseDecimal("4.9406564584124654e-324"), FromBits(1));
  // Half the least subnormal is a tie with zero (even); a hair above is not.
  char half[1000];
  std::snprintf(half, sizeof half, "%.900Le", std::ldexp(1.0L, -1075));
  const std::string tie = half;
  EXPECT_EQ(ParseDecimal(tie), 0.0) << tie;
  const std::string above = tie.substr(0, tie.find('e')) + "1" + tie.substr(tie.find('e'));
  EXPECT_EQ(ParseDecimal(above), FromBits(1)) << above;
}

TEST(DecimalParse, RefusesTextOutsideTheGrammar) {
  for (const char* bad : {"", "+", "-", ".", "e5", "1e", "1e+", "1x", "0x10", "1.2.3", " 1"}) {
    EXPECT_TRUE(std::isnan(ParseDecimal(bad))) << bad;
  }
}

TEST(DecimalParse, MatchesStrtodOnRandomDecimals) {
  std::mt19937_64 rng(20241123);
  std::uniform_int_distribution<int> length(1, 40);
  std::uniform_int_distribution<int> exponent(-360, 330);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int n = 0; n < 200000; ++n) {
    std::string text;
    if (n % 3 == 0) text.push_back('-');
    const int count = length(rng);
    const int dot = std::uniform_int_distribution<int>(0, count)(rng);
    for (int i = 0; i < count; ++i) {
      if (i == dot && n % 2 == 0) text.push_back('.');
      text.push_back(static_cast<char>('0' + digit(rng)));
    }
    text += "e" + std::to_string(exponent(rng));
    ExpectSameDouble(LibcParse(text), ParseDecimal(text), text);
    if (HasFailure()) return;
  }
}

// Exact midpoints between neighbouring doubles, and values a hair either
// side, are where a sloppy parser rounds the wrong way.
TEST(DecimalParse, MatchesStrtodOnAndAroundMidpoints) {
  std::mt19937_64 rng(7);
  char buf[1200];
  for (int n = 0; n < 5000; ++n) {
    const uint64_t bits = rng() & 0x7FEFFFFFFFFFFFFFull;  // finite, positive
    const double low = FromBits(bits);
    const double high = FromBits(bits + 1);
    if (std::isinf(high)) continue;
    // Exact expansions of both neighbours and of the midpoint (exact in
    // x87 long double), the midpoint plus a tiny tail, and a cut-short one.
    std::snprintf(buf, sizeof buf, "%.1100e", low);
    std::string low_text = buf;
    std::snprintf(buf, sizeof buf, "%.1100e", high);
    std::string high_text = buf;
    for (const std::string& text : {low_text, high_text}) {
      ExpectSameDouble(LibcParse(text), ParseDecimal(text), text);
    }
    const long double mid = (static_cast<long double>(low) + high) / 2;
    std::snprintf(buf, sizeof buf, "%.1100Le", mid);
    std::string mid_text = buf;
    ExpectSameDouble(LibcParse(mid_text), ParseDecimal(mid_text), mid_text);
    const size_t e = mid_text.find('e');
    std::string above = mid_text.substr(0, e) + "1" + mid_text.substr(e);
    ExpectSameDouble(LibcParse(above), ParseDecimal(above), above);
    std::string short_mid = mid_text.substr(0, 25) + mid_text.substr(e);
    ExpectSameDouble(LibcParse(short_mid), ParseDecimal(short_mid), short_mid);
    if (HasFailure()) return;
  }
}

TEST(DecimalParse, HexIntegersRoundLikeStrtod) {
  EXPECT_EQ(ParseRadixInteger("ff", 4), 255.0);
  EXPECT_EQ(ParseRadixInteger("0", 4), 0.0);
  EXPECT_TRUE(std::isnan(ParseRadixInteger("", 4)));
  EXPECT_TRUE(std::isnan(ParseRadixInteger("1g", 4)));
  // 2^53 + 1 ties to 2^53; 2^53 + 3 ties to 2^53 + 4.
  EXPECT_EQ(ParseRadixInteger("20000000000001", 4), 9007199254740992.0);
  EXPECT_EQ(ParseRadixInteger("20000000000003", 4), 9007199254740996.0);
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> length(1, 300);
  const char* hex = "0123456789abcdefABCDEF";
  for (int n = 0; n < 50000; ++n) {
    std::string digits;
    const int count = length(rng);
    for (int i = 0; i < count; ++i) digits.push_back(hex[rng() % 22]);
    if (n % 4 == 0 && count > 16) {  // long runs of zeros after a tie bit
      for (int i = 14; i < count; ++i) digits[static_cast<size_t>(i)] = '0';
      digits[14] = '8';
    }
    ExpectSameDouble(LibcParse("0x" + digits), ParseRadixInteger(digits, 4), digits);
    if (HasFailure()) return;
  }
}

// Binary and octal digits, rewritten as hexadecimal for strtod: the same
// bits, so the same correctly rounded double.
std::string BitsAsHex(const std::string& bits) {
  std::string padded(static_cast<size_t>((4 - bits.size() % 4) % 4), '0');
  padded += bits;
  std::string hex;
  for (size_t i = 0; i < padded.size(); i += 4) {
    hex.push_back("0123456789abcdef"[std::stoi(padded.substr(i, 4), nullptr, 2)]);
  }
  return hex;
}

TEST(DecimalParse, BinaryAndOctalIntegersRoundLikeStrtod) {
  EXPECT_EQ(ParseRadixInteger("101", 1), 5.0);
  EXPECT_EQ(ParseRadixInteger("777", 3), 511.0);
  EXPECT_TRUE(std::isnan(ParseRadixInteger("102", 1)));
  EXPECT_TRUE(std::isnan(ParseRadixInteger("8", 3)));
  EXPECT_TRUE(std::isnan(ParseRadixInteger("", 1)));
  // 2^53 + 1 ties to 2^53; 2^53 + 3 ties to 2^53 + 4.
  EXPECT_EQ(ParseRadixInteger("1" + std::string(52, '0') + "1", 1),
            9007199254740992.0);
  EXPECT_EQ(ParseRadixInteger("1" + std::string(51, '0') + "11", 1),
            9007199254740996.0);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> length(1, 250);
  const char* octal_bits[] = {"000", "001", "010", "011",
                              "100", "101", "110", "111"};
  for (int n = 0; n < 20000; ++n) {
    std::string binary, octal, bits;
    const int count = length(rng);
    for (int i = 0; i < count; ++i) binary.push_back(rng() % 2 ? '1' : '0');
    for (int i = 0; i < count; ++i) {
      const uint64_t digit = rng() % 8;
      octal.push_back(static_cast<char>('0' + digit));
      bits += octal_bits[digit];
    }
    ExpectSameDouble(LibcParse("0x" + BitsAsHex(binary)),
                     ParseRadixInteger(binary, 1), binary);
    ExpectSameDouble(LibcParse("0x" + BitsAsHex(bits)),
                     ParseRadixInteger(octal, 3), octal);
    if (HasFailure()) return;
  }
}

TEST(ShortestDigits, MatchesPrintfAndStrtodOnRandomDoubles) {
  std::mt19937_64 rng(42);
  std::string digits, expected_digits;
  int point = 0, expected_point = 0;
  for (int n = 0; n < 40000; ++n) {
    uint64_t bits = rng() & 0x7FFFFFFFFFFFFFFFull;
    if (n % 4 == 1) bits &= 0x000FFFFFFFFFFFFFull;  // subnormals
    if (n % 4 == 2) bits &= 0xFFFFFFFFF0000000ull;  // short decimal forms
    const double d = FromBits(bits);
    if (!std::isfinite(d) || d == 0) continue;
    ShortestDigits(d, &digits, &point);
    LibcShortest(d, &expected_digits, &expected_point);
    ASSERT_EQ(expected_digits, digits) << "bits " << bits;
    ASSERT_EQ(expected_point, point) << "bits " << bits;
  }
}

TEST(ShortestDigits, FormatJsNumberRoundTripsThroughTheJsonParser) {
  std::mt19937_64 rng(5);
  for (int n = 0; n < 50000; ++n) {
    const double d = FromBits(rng());
    if (!std::isfinite(d)) continue;
    const std::string text = FormatJsNumber(d);
    Result<Value> parsed = ParseJson(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed->as_number(), d) << text;
  }
  // Integers print without exponent or fraction, as JavaScript does.
  EXPECT_EQ(FormatJsNumber(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(FormatJsNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(FormatJsNumber(2e-7), "2e-7");
  EXPECT_EQ(FormatJsNumber(-1.5e300), "-1.5e+300");
}

TEST(AppendUnsigned, WritesDecimalDigits) {
  std::string out;
  AppendUnsigned(0, &out);
  AppendUnsigned(18446744073709551615ull, &out);
  EXPECT_EQ(out, "018446744073709551615");
}

}  // namespace
}  // namespace tessera::decimal
