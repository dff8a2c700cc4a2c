#include "test_support.h"
#include "tessera/cbor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tessera {
namespace {

std::string FromHex(std::string_view hex) {
  std::string bytes;
  auto nibble = [](char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(
        static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return bytes;
}

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}


Status DecodeError(std::string_view hex,
                   const CborDecodeOptions& options = {}) {
  Result<Value> decoded = DecodeCbor(FromHex(hex), options);
  EXPECT_FALSE(decoded.ok()) << hex << " decoded to " << decoded->Dump();
  return decoded.ok() ? Status::Ok() : decoded.status();
}

// RFC 8949 Appendix A examples inside the JSON data model, with the value
// each denotes written as JSON.
struct Example {
  const char* hex;
  const char* json;
};
const Example kAppendixA[] = {
    {"00", "0"},
    {"01", "1"},
    {"0a", "10"},
    {"17", "23"},
    {"1818", "24"},
    {"1819", "25"},
    {"1864", "100"},
    {"1903e8", "1000"},
    {"1a000f4240", "1000000"},
    {"1b000000e8d4a51000", "1000000000000"},
    {"1bffffffffffffffff", "18446744073709551615"},
    {"20", "-1"},
    {"29", "-10"},
    {"3863", "-100"},
    {"3903e7", "-1000"},
    {"3bffffffffffffffff", "-18446744073709551616"},
    {"f90000", "0.0"},
    {"f93c00", "1.0"},
    {"fb3ff199999999999a", "1.1"},
    {"f93e00", "1.5"},
    {"f97bff", "65504.0"},
    {"fa47c35000", "100000.0"},
    {"fa7f7fffff", "3.4028234663852886e+38"},
    {"fb7e37e43c8800759c", "1.0e+300"},
    {"f90001", "5.960464477539063e-8"},
    {"f90400", "0.00006103515625"},
    {"f9c400", "-4.0"},
    {"fbc010666666666666", "-4.1"},
    {"f4", "false"},
    {"f5", "true"},
    {"f6", "null"},
    {"60", "\"\""},
    {"6161", "\"a\""},
    {"6449455446", "\"IETF\""},
    {"62225c", "\"\\\"\\\\\""},
    {"62c3bc", "\"\\u00fc\""},
    {"63e6b0b4", "\"\\u6c34\""},
    {"64f0908591", "\"\\ud800\\udd51\""},
    {"80", "[]"},
    {"83010203", "[1,2,3]"},
    {"8301820203820405", "[1,[2,3],[4,5]]"},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]"},
    {"a0", "{}"},
    {"a26161016162820203", "{\"a\":1,\"b\":[2,3]}"},
    {"826161a161626163", "[\"a\",{\"b\":\"c\"}]"},
    {"a56161614161626142616361436164614461656145",
     "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"d\":\"D\",\"e\":\"E\"}"},
    {"7f657374726561646d696e67ff", "\"streaming\""},
    {"9fff", "[]"},
    {"9f018202039f0405ffff", "[1,[2,3],[4,5]]"},
    {"9f01820203820405ff", "[1,[2,3],[4,5]]"},
    {"83018202039f0405ff", "[1,[2,3],[4,5]]"},
    {"83019f0203ff820405", "[1,[2,3],[4,5]]"},
    {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
     "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]"},
    {"bf61610161629f0203ffff", "{\"a\":1,\"b\":[2,3]}"},
    {"826161bf61626163ff", "[\"a\",{\"b\":\"c\"}]"},
    {"bf6346756ef563416d7421ff", "{\"Fun\":true,\"Amt\":-2}"},
};

TEST(CborDecode, ReadsRfc8949AppendixAExamplesInTheJsonModel) {
  for (const Example& example : kAppendixA) {
    Result<Value> decoded = DecodeCbor(FromHex(example.hex));
    ASSERT_TRUE(decoded.ok())
        << example.hex << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, Json(example.json)) << example.hex;
  }
}

TEST(CborDecode, KeepsTheSignOfNegativeZero) {
  Result<Value> decoded = DecodeCbor(FromHex("f98000"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->as_number(), 0);
  EXPECT_TRUE(std::signbit(decoded->as_number()));
}

TEST(CborEncode, WritesAppendixAExamplesInPreferredForm) {
  // Integral numbers are written as integers, so "1.0" and "100000.0" from
  // Appendix A appear as 01 and 1a000186a0 here.
  const Example kPreferred[] = {
      {"00", "0"},
      {"17", "23"},
      {"1818", "24"},
      {"1903e8", "1000"},
      {"1a000f4240", "1000000"},
      {"1b000000e8d4a51000", "1000000000000"},
      {"20", "-1"},
      {"3903e7", "-1000"},
      {"01", "1.0"},
      {"1a000186a0", "100000.0"},
      {"fb3ff199999999999a", "1.1"},
      {"f93e00", "1.5"},
      {"fa7f7fffff", "3.4028234663852886e+38"},
      {"fb7e37e43c8800759c", "1.0e+300"},
      {"f90001", "5.960464477539063e-8"},
      {"f90400", "0.00006103515625"},
      {"fbc010666666666666", "-4.1"},
      {"f4", "false"},
      {"f5", "true"},
      {"f6", "null"},
      {"60", "\"\""},
      {"6449455446", "\"IETF\""},
      {"62c3bc", "\"\\u00fc\""},
      {"64f0908591", "\"\\ud800\\udd51\""},
      {"8301820203820405", "[1,[2,3],[4,5]]"},
      {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
       "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]"},
      {"a26161016162820203", "{\"a\":1,\"b\":[2,3]}"},
      {"a56161614161626142616361436164614461656145",
       "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"d\":\"D\",\"e\":\"E\"}"},
  };
  for (const Example& example : kPreferred) {
    EXPECT_EQ(ToHex(EncodeCbor(Json(example.json))), example.hex)
        << example.json;
  }
}

TEST(CborEncode, WritesIntegersOnlyWithinTheSafeRange) {
  const double two_53 = 9007199254740992.0;
  EXPECT_EQ(ToHex(EncodeCbor(Value(two_53))), "1b0020000000000000");
  EXPECT_EQ(ToHex(EncodeCbor(Value(-two_53))), "3b001fffffffffffff");
  // 2^53 + 2 is integral but beyond the safe range: a float64.
  EXPECT_EQ(ToHex(EncodeCbor(Value(two_53 + 2))), "fb4340000000000001");
  // 2^60 fits a float32 exactly.
  EXPECT_EQ(ToHex(EncodeCbor(Value(std::ldexp(1.0, 60)))), "fa5d800000");
}

TEST(CborEncode, PicksTheShortestExactFloat) {
  EXPECT_EQ(ToHex(EncodeCbor(Value(0.5))), "f93800");
  EXPECT_EQ(ToHex(EncodeCbor(Value(-0.0))), "f98000");
  EXPECT_EQ(ToHex(EncodeCbor(Value(65504.5))), "fa477fe080");  // not half
  EXPECT_EQ(ToHex(EncodeCbor(Value(0.1))), "fb3fb999999999999a");
  EXPECT_EQ(ToHex(EncodeCbor(Value(std::ldexp(1.0, -149)))),  // float32 min
            "fa00000001");
  EXPECT_EQ(ToHex(EncodeCbor(Value(std::ldexp(1.0, -150)))),
            "fb3690000000000000");
  EXPECT_EQ(ToHex(EncodeCbor(Value(std::ldexp(3.0, -24)))), "f90003");
}

TEST(CborEncode, WritesNonFiniteNumbersAsHalfFloatsThatDecodeRefuses) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(ToHex(EncodeCbor(Value(std::nan("")))), "f97e00");
  EXPECT_EQ(ToHex(EncodeCbor(Value(inf))), "f97c00");
  EXPECT_EQ(ToHex(EncodeCbor(Value(-inf))), "f9fc00");
  for (const char* hex :
       {"f97e00", "f97c00", "f9fc00", "fa7fc00000", "fb7ff8000000000000"}) {
    Status status = DecodeError(hex);
    EXPECT_NE(status.message().find("NaN and infinities"), std::string::npos)
        << status.message();
  }
}

TEST(CborRoundTrip, KeepsValuesAndMemberOrder) {
  const char* kDocuments[] = {
      R"({"zeta":1,"alpha":[true,false,null],"mid":{"y":-2.5,"x":"t\u00e9"}})",
      R"([0,-1,1e300,-1e-300,123456789.125,4294967296,-4294967297,"",[],{}])",
      R"({"b":1,"a":2})",
  };
  for (const char* text : kDocuments) {
    const Value original = Json(text);
    Result<Value> decoded = DecodeCbor(EncodeCbor(original));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, original);
    EXPECT_EQ(decoded->Dump(), original.Dump());  // same member order
  }
}

TEST(CborDecode, AcceptsSelfDescribeTagAnywhere) {
  Result<Value> decoded = DecodeCbor(FromHex("d9d9f7d9d9f782d9d9f701a0"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Json("[1,{}]"));
}

TEST(CborDecode, RefusesOtherTagsNamingThem) {
  Status status = DecodeError("c074323031332d30332d32315432303a30343a30305a");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("unsupported tag 0"), std::string::npos);
  EXPECT_NE(status.message().find("byte offset 0"), std::string::npos);
  status =
      DecodeError("8201d82076687474703a2f2f7777772e6578616d706c652e636f6d");
  EXPECT_NE(status.message().find("unsupported tag 32 "), std::string::npos);
  EXPECT_NE(status.message().find("byte offset 2"), std::string::npos);
}

TEST(CborDecode, RefusesByteStringsWithTheirOffset) {
  Status status = DecodeError("820140");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("byte strings are not supported"),
            std::string::npos);
  EXPECT_NE(status.message().find("byte offset 2"), std::string::npos);
  DecodeError("5f42010243030405ff");  // indefinite byte string
}

TEST(CborDecode, MapsUndefinedToNullAndRefusesOtherSimpleValues) {
  Result<Value> decoded = DecodeCbor(FromHex("f7"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->is_null());
  EXPECT_NE(DecodeError("f0").message().find("unsupported simple value 16"),
            std::string::npos);
  EXPECT_NE(DecodeError("f8ff").message().find("unsupported simple value 255"),
            std::string::npos);
}

TEST(CborDecode, RefusesNonTextMapKeys) {
  Status status = DecodeError("a201020304");  // {1: 2, 3: 4}
  EXPECT_NE(status.message().find("map key is not a text string"),
            std::string::npos);
  EXPECT_NE(status.message().find("byte offset 1"), std::string::npos);
}

TEST(CborDecode, RefusesDuplicateMapKeys) {
  Status status = DecodeError("a2616101616102");  // {"a":1,"a":2}
  EXPECT_NE(status.message().find("duplicate map key \"a\""),
            std::string::npos);
  EXPECT_NE(status.message().find("byte offset 4"), std::string::npos);
  // A map large enough to take the sorting path: keys "a".."t" then "c".
  std::string big = "b5";
  for (char key = 'a'; key <= 't'; ++key) {
    big += "61" + ToHex(std::string(1, key)) + "00";
  }
  big += "616300";
  status = DecodeError(big);
  EXPECT_NE(status.message().find("duplicate map key \"c\""),
            std::string::npos);
  EXPECT_NE(status.message().find("byte offset 61"), std::string::npos);
}

TEST(CborDecode, RefusesInvalidUtf8) {
  EXPECT_NE(DecodeError("62c328").message().find("not valid UTF-8"),
            std::string::npos);
  DecodeError("63eda080");      // an encoded surrogate
  DecodeError("62c0af");        // overlong
  DecodeError("7f61c361bcff");  // a character split across chunks
  DecodeError("a162c32801");    // invalid key
}

TEST(CborDecode, RefusesTrailingBytes) {
  Status status = DecodeError("0000");
  EXPECT_NE(status.message().find("trailing bytes"), std::string::npos);
  EXPECT_NE(status.message().find("byte offset 1"), std::string::npos);
}

TEST(CborDecode, RefusesTruncatedInput) {
  for (const char* hex : {"", "19", "1901", "6261", "8301", "a16161", "9f01",
                          "7f6161", "bf616101"}) {
    Status status = DecodeError(hex);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << hex;
    const std::string& message = status.message();
    EXPECT_TRUE(message.find("end of input") != std::string::npos ||
                message.find("exceeds the remaining input") !=
                    std::string::npos)
        << hex << ": " << message;
  }
}

TEST(CborDecode, RefusesMalformedHeads) {
  EXPECT_NE(DecodeError("1c").message().find("reserved"), std::string::npos);
  EXPECT_NE(DecodeError("ff").message().find("unexpected break"),
            std::string::npos);
  EXPECT_NE(DecodeError("1f").message().find("indefinite length"),
            std::string::npos);
  EXPECT_NE(DecodeError("7f01ff").message().find("chunk"), std::string::npos);
  EXPECT_NE(DecodeError("7f7f6161ffff").message().find("chunk"),
            std::string::npos);
}

TEST(CborDecode, RefusesDeclaredLengthsBeyondTheInputBeforeAllocating) {
  // Each declares 2^64 - 1 entries (or bytes) with nothing after it; an
  // allocation of that size would abort, so passing proves the order.
  for (const char* hex : {"9bffffffffffffffff", "bbffffffffffffffff",
                          "7bffffffffffffffff", "9a7fffffff01"}) {
    Status status = DecodeError(hex);
    EXPECT_NE(status.message().find("exceeds the remaining input"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("byte offset 0"), std::string::npos);
  }
  // A map needs two bytes per entry.
  EXPECT_NE(DecodeError("a2616101").message().find("exceeds"),
            std::string::npos);
}

TEST(CborDecode, EnforcesTheDepthLimit) {
  const std::string deepest_allowed = std::string(63, '\x81') + "\x80";
  EXPECT_TRUE(DecodeCbor(deepest_allowed).ok());
  const std::string too_deep = std::string(64, '\x81') + "\x80";
  Result<Value> decoded = DecodeCbor(too_deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(decoded.status().message().find("nesting deeper than 64"),
            std::string::npos);
  EXPECT_NE(decoded.status().message().find("byte offset 64"),
            std::string::npos);
  // Maps count too, and the limit is configurable.
  CborDecodeOptions options;
  options.max_depth = 2;
  EXPECT_TRUE(DecodeCbor(FromHex("a1616180"), options).ok());
  EXPECT_EQ(DecodeError("a1616181a0", options).code(), StatusCode::kOutOfRange);
}

TEST(CborDecode, EnforcesByteAndItemLimits) {
  CborDecodeOptions options;
  options.max_bytes = 4;
  Status status = DecodeError("6461626364", options);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("exceeds the limit of 4"), std::string::npos);

  options = CborDecodeOptions();
  options.max_items = 4;
  EXPECT_TRUE(DecodeCbor(FromHex("83010203"), options).ok());  // 4 items
  status = DecodeError("8401020304", options);  // declared: refused up front
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("more than 4 data items"), std::string::npos);
  status = DecodeError("9f01020304ff", options);  // indefinite: as they come
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("byte offset 4"), std::string::npos);
  EXPECT_EQ(DecodeError("a2616101616202", options).code(),  // keys count
            StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace tessera
