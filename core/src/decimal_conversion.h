// Exact conversions between doubles and decimal text, written for the core so
// that neither strtod nor printf (and the long-double arithmetic they pull in)
// ends up in the WebAssembly build. Both are exact: parsing rounds to nearest,
// ties to even, like strtod; the shortest digits are those JavaScript's
// Number.prototype.toString prints. The common cases are answered in
// decimal_conversion.cpp; the rare ones (RoundDecimal, ParseRadixInteger,
// ShortestDigits) natively by big-integer arithmetic (decimal_exact.cpp),
// in the browser by the host's Number (decimal_host.cpp), which saves the
// SDK that code. Private to core/.
#ifndef TESSERA_CORE_DECIMAL_CONVERSION_H_
#define TESSERA_CORE_DECIMAL_CONVERSION_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::decimal {

// The double nearest to `text`, which must match
//   [+-]? digits? ( '.' digits? )? ( [eE] [+-]? digits )?
// with at least one mantissa digit (callers validate their own grammar
// first). Too large gives +-infinity, too small +-0, as strtod does.
// Text outside that grammar gives NaN.
double ParseDecimal(std::string_view text);

// The double nearest to digits * 10^exponent, for significant `digits`
// ('0'-'9', at least one, no leading or trailing zeros, at most 781): the
// slow path of ParseDecimal, for what its exact fast path cannot answer.
double RoundDecimal(const std::string& digits, int64_t exponent);

// The double nearest to the integer that `digits` write in base
// 2^bits_per_digit (1: binary, 3: octal, 4: hexadecimal; at least one digit,
// '0'-'9', 'a'-'f' or 'A'-'F' as the base allows); NaN for any other
// character. Correctly rounded however long, as JavaScript's Number("0b...")
// is.
double ParseRadixInteger(std::string_view digits, int bits_per_digit);

// The value of a digit '0'-'9', 'a'-'f' or 'A'-'F'; 16 for anything else.
inline int DigitValue(char c) {
  return (c >= '0' && c <= '9')   ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                  : 16;
}

// The shortest decimal digits that read back as `d` (finite, > 0), the
// closest to `d` among them (ties to even): `digits` without leading or
// trailing zeros, and `point` such that d ~ 0.d1d2...dn * 10^point.
void ShortestDigits(double d, std::string* digits, int* point);

// Appends the decimal form of `value` to `out` (no sign, no padding).
void AppendUnsigned(uint64_t value, std::string* out);

}  // namespace tessera::decimal

#endif  // TESSERA_CORE_DECIMAL_CONVERSION_H_
