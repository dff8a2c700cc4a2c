#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "tessera/cbor.h"

namespace tessera {
namespace {

constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorNegative = 1;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kMajorSimple = 7;

// Beyond 2^53 not every integer is a double, so such numbers stay floats:
// an integer encoding would suggest a precision the value never had.
constexpr double kMaxSafeInteger = 9007199254740992.0;

void AppendBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// The initial byte and argument in their shortest form (RFC 8949 §3).
void AppendHead(uint8_t major, uint64_t argument, std::string* out) {
  const uint8_t type_bits = static_cast<uint8_t>(major << 5);
  if (argument < 24) {
    out->push_back(static_cast<char>(type_bits | argument));
  } else if (argument <= 0xff) {
    out->push_back(static_cast<char>(type_bits | 24));
    AppendBigEndian(argument, 1, out);
  } else if (argument <= 0xffff) {
    out->push_back(static_cast<char>(type_bits | 25));
    AppendBigEndian(argument, 2, out);
  } else if (argument <= 0xffffffffu) {
    out->push_back(static_cast<char>(type_bits | 26));
    AppendBigEndian(argument, 4, out);
  } else {
    out->push_back(static_cast<char>(type_bits | 27));
    AppendBigEndian(argument, 8, out);
  }
}

// Whether finite `d` is exactly a binary16 value; if so its bits. Read from
// the double's own bits rather than with std::frexp/std::ldexp, which would
// bring libm's versions into the browser build.
bool ExactHalf(double d, uint16_t* bits) {
  const uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  const double magnitude = std::fabs(d);
  if (magnitude == 0) {
    *bits = sign;
    return true;
  }
  uint64_t double_bits = 0;
  std::memcpy(&double_bits, &magnitude, sizeof double_bits);
  // magnitude = 1.fraction * 2^unbiased for a normal double; a subnormal
  // double (unbiased -1023) is far below any binary16 value.
  const int unbiased = static_cast<int>(double_bits >> 52) - 1023;
  const uint64_t fraction = double_bits & ((uint64_t{1} << 52) - 1);
  if (unbiased > 15) return false;
  if (unbiased >= -14) {
    // Normal: the 10 leading fraction bits, and no others set.
    if ((fraction & ((uint64_t{1} << 42) - 1)) != 0) return false;
    *bits = static_cast<uint16_t>(sign | ((unbiased + 15) << 10) |
                                  static_cast<uint16_t>(fraction >> 42));
    return true;
  }
  // Subnormal: a multiple of 2^-24 below 2^-14 (the product is exact).
  const double units = magnitude * 16777216.0;
  if (units != std::floor(units) || units >= 1024) return false;
  *bits = static_cast<uint16_t>(sign | static_cast<uint16_t>(units));
  return true;
}

void AppendNumber(double d, std::string* out) {
  const uint8_t float_head = kMajorSimple << 5;
  if (std::isnan(d)) {
    out->push_back(static_cast<char>(float_head | 25));
    AppendBigEndian(0x7e00, 2, out);
    return;
  }
  if (std::isinf(d)) {
    out->push_back(static_cast<char>(float_head | 25));
    AppendBigEndian(d > 0 ? 0x7c00 : 0xfc00, 2, out);
    return;
  }
  const bool negative_zero = d == 0 && std::signbit(d);
  if (!negative_zero && d == std::floor(d) && std::fabs(d) <= kMaxSafeInteger) {
    if (d >= 0) {
      AppendHead(kMajorUnsigned, static_cast<uint64_t>(d), out);
    } else {
      AppendHead(kMajorNegative, static_cast<uint64_t>(-1 - d), out);
    }
    return;
  }
  uint16_t half = 0;
  if (ExactHalf(d, &half)) {
    out->push_back(static_cast<char>(float_head | 25));
    AppendBigEndian(half, 2, out);
    return;
  }
  // The range test keeps the narrowing conversion defined.
  if (std::fabs(d) <= FLT_MAX) {
    const float single = static_cast<float>(d);
    if (static_cast<double>(single) == d) {
      uint32_t bits = 0;
      std::memcpy(&bits, &single, sizeof bits);
      out->push_back(static_cast<char>(float_head | 26));
      AppendBigEndian(bits, 4, out);
      return;
    }
  }
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  out->push_back(static_cast<char>(float_head | 27));
  AppendBigEndian(bits, 8, out);
}

void AppendText(const std::string& text, std::string* out) {
  AppendHead(kMajorText, text.size(), out);
  out->append(text);
}

void AppendValue(const Value& value, std::string* out) {
  switch (value.type()) {
    case Value::Type::kNull:
      out->push_back(static_cast<char>(0xf6));
      break;
    case Value::Type::kBool:
      out->push_back(static_cast<char>(value.as_bool() ? 0xf5 : 0xf4));
      break;
    case Value::Type::kNumber:
      AppendNumber(value.as_number(), out);
      break;
    case Value::Type::kString:
      AppendText(value.as_string(), out);
      break;
    case Value::Type::kArray:
      AppendHead(kMajorArray, value.as_array().size(), out);
      for (const Value& element : value.as_array()) AppendValue(element, out);
      break;
    case Value::Type::kObject:
      AppendHead(kMajorMap, value.as_object().size(), out);
      for (const Member& member : value.as_object()) {
        AppendText(member.key, out);
        AppendValue(member.value, out);
      }
      break;
  }
}

}  // namespace

std::string EncodeCbor(const Value& value) {
  std::string out;
  AppendValue(value, &out);
  return out;
}

}  // namespace tessera
