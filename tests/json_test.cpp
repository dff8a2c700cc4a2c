#include "tessera/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tessera {
namespace {

Value Parsed(std::string_view text) {
  Result<Value> r = ParseJson(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " for " << text;
  return r.ok() ? r.value() : Value();
}

TEST(JsonParse, ReadsEveryValueType) {
  Value v = Parsed(R"({"n":null,"t":true,"f":false,"i":-12,"d":1.5e3,
                       "s":"x\ty","a":[1,[2]],"o":{"k":"v"}})");
  ASSERT_TRUE(v.is_object());
  EXPECT_TRUE(v.find("n")->is_null());
  EXPECT_TRUE(v.find("t")->as_bool());
  EXPECT_FALSE(v.find("f")->as_bool());
  EXPECT_EQ(v.find("i")->as_number(), -12);
  EXPECT_EQ(v.find("d")->as_number(), 1500);
  EXPECT_EQ(v.find("s")->as_string(), "x\ty");
  EXPECT_EQ(v.find("a")->size(), 2u);
  EXPECT_EQ(v.find_path("o.k")->as_string(), "v");
}

TEST(JsonParse, DecodesUnicodeEscapesIncludingSurrogatePairs) {
  EXPECT_EQ(Parsed(R"("\u00e9\u20ac\ud83d\ude00")").as_string(),
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(JsonParse, LastDuplicateKeyWinsAndOrderIsKept) {
  Value v = Parsed(R"({"b":1,"a":2,"b":3})");
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v.find("b")->as_number(), 3);
  EXPECT_EQ(v.Dump(), R"({"b":3,"a":2})");
  // Nested objects and arrays keep their own members apart.
  Value nested = Parsed(
      R"({"a":{"a":1,"b":[{"a":2,"a":3},[4,{"c":5}]],"a":6},"b":[],"a":{}})");
  EXPECT_EQ(nested.Dump(), R"({"a":{},"b":[]})");
  Value inner = Parsed(R"([{"x":1,"y":[{"x":2}],"x":3},{"x":4},[[],[5]]])");
  EXPECT_EQ(inner.Dump(), R"([{"x":3,"y":[{"x":2}]},{"x":4},[[],[5]]])");
}

// Past a few dozen members keys are found through a hash index instead of a
// scan (an object of n keys cost n^2 / 2 comparisons): duplicates are still
// found, in the first one's place, across the index's growth and with a
// nested object of many keys in between.
TEST(JsonParse, DuplicateKeysOfLargeObjectsAreFoundLikeSmallOnes) {
  std::string text = "{";
  std::string expected = "{";
  for (int i = 0; i < 1000; ++i) {
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    expected += "\"k" + std::to_string(i) + "\":" +
                std::to_string(i % 97 == 5 ? -i : i) + (i < 999 ? "," : "");
    if (i == 500) text += R"("inner":{"k1":1,"k2":2},)";
  }
  for (int i = 5; i < 1000; i += 97) {
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(-i) + ",";
  }
  text += R"("inner":{"k1":7})";
  text += "}";
  Value v = Parsed(text);
  EXPECT_EQ(v.size(), 1001u);
  EXPECT_EQ(v.find("k5")->as_number(), -5);
  EXPECT_EQ(v.find("k975")->as_number(), -975);
  EXPECT_EQ(v.find("inner")->Dump(), R"({"k1":7})");
  Value without_inner = Value::MakeObject();
  for (const Member& m : v.as_object()) {
    if (m.key != "inner") without_inner.set(m.key, m.value);
  }
  EXPECT_EQ(without_inner.Dump(), expected + "}");
}

TEST(JsonParse, ReadsIntegersOfEveryLengthExactly) {
  EXPECT_TRUE(std::signbit(Parsed("-0").as_number()));
  EXPECT_FALSE(std::signbit(Parsed("0").as_number()));
  EXPECT_EQ(Parsed("-7").as_number(), -7);
  EXPECT_EQ(Parsed("999999999999999").as_number(), 999999999999999.0);
  EXPECT_EQ(Parsed("-1234567890123456").as_number(), -1234567890123456.0);
  EXPECT_EQ(Parsed("9007199254740993").as_number(), 9007199254740992.0);
  EXPECT_EQ(Parsed("12345678901234567890123").as_number(),
            12345678901234567890123.0);
  EXPECT_EQ(Parsed("[10,2e1,30.0]").Dump(), "[10,20,30]");
  EXPECT_FALSE(ParseJson("012").ok());
  EXPECT_FALSE(ParseJson("-").ok());
}

TEST(JsonParse, RejectsMalformedTextWithTheByteOffset) {
  struct Case {
    const char* text;
    const char* fragment;
  };
  const Case cases[] = {
      {"", "unexpected end of input"},
      {"{", "expected a string key"},
      {"[1,]", "invalid value"},
      {"{\"a\" 1}", "expected ':'"},
      {"01", "unexpected text after"},
      {"1.", "digit after the decimal point"},
      {"1e", "digit in the exponent"},
      {"\"abc", "unterminated string"},
      {"\"a\nb\"", "control character"},
      {"\"\\x\"", "invalid escape"},
      {"\"\\ud800\"", "high surrogate"},
      {"\"\\udc00\"", "lone low surrogate"},
      {"tru", "invalid literal"},
      {"NaN", "invalid value"},
      {"1e999", "out of range"},
      {"[1] 2", "unexpected text after"},
  };
  for (const Case& c : cases) {
    Result<Value> r = ParseJson(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.fragment), std::string::npos)
        << c.text << " -> " << r.status().message();
    EXPECT_NE(r.status().message().find("at byte"), std::string::npos);
  }
}

TEST(JsonParse, RejectsInvalidUtf8) {
  Result<Value> r = ParseJson("\"\xC3\x28\"");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos);
}

TEST(JsonParse, EnforcesDepthAndSizeLimits) {
  JsonParseOptions options;
  options.max_depth = 3;
  EXPECT_TRUE(ParseJson("[[[1]]]", options).ok());
  Result<Value> deep = ParseJson("[[[[1]]]]", options);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kOutOfRange);

  std::string very_deep(100000, '[');  // must not overflow the stack
  EXPECT_FALSE(ParseJson(very_deep).ok());

  options.max_bytes = 4;
  Result<Value> big = ParseJson("12345", options);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kOutOfRange);
}

TEST(JsonDump, MatchesJavaScriptJsonStringify) {
  Value v = Value::MakeObject();
  v.set("s", "q\"\\\n\x01/\xC3\xA9");
  v.set("n", 0.1);
  v.set("big", 1e21);
  v.set("small", 1.5e-7);
  v.set("int", 123456789012.0);
  v.set("neg0", -0.0);
  v.set("inf", std::numeric_limits<double>::infinity());
  v.set("a", Array{Value(), true, "x"});
  EXPECT_EQ(v.Dump(),
            "{\"s\":\"q\\\"\\\\\\n\\u0001/\xC3\xA9\",\"n\":0.1,\"big\":1e+21,"
            "\"small\":1.5e-7,\"int\":123456789012,\"neg0\":0,\"inf\":null,"
            "\"a\":[null,true,\"x\"]}");
}

TEST(JsonDump, AppendWritersMatchDumpAndKeepWhatWasThere) {
  std::string out = "prefix:";
  AppendJsonString("a\"b\\c\n\x1f\xc3\xa9", &out);
  out += ',';
  AppendJsonNumber(0.1, &out);
  out += ',';
  AppendJsonNumber(std::nan(""), &out);
  EXPECT_EQ(out, std::string("prefix:\"a\\\"b\\\\c\\n\\u001f\xc3\xa9\",0.1,null"));
  EXPECT_EQ(out.substr(7, out.find(',') - 7),
            Value("a\"b\\c\n\x1f\xc3\xa9").Dump());
}

// JSON.stringify's escaping, one byte at a time, as a reference.
std::string EscapedByteByByte(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

TEST(JsonDump, EscapesEveryByteAtEveryPositionOfAWord) {
  // The writer skips clean text eight bytes at a time; each special byte
  // must be caught wherever it falls in a word, and bytes next to it (0x1f
  // and 0x20, 0x21 and 0x23, 0x5b and 0x5d, UTF-8 lead and continuation
  // bytes) must be left alone.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t position = 0; position < 20; ++position) {
      std::string text(20, 'x');
      text[position] = static_cast<char>(byte);
      std::string out;
      AppendJsonString(text, &out);
      ASSERT_EQ(out, EscapedByteByByte(text))
          << "byte " << byte << " at " << position;
    }
  }
}

TEST(JsonDump, LongDocumentsGrowTheirTextCorrectly) {
  // Many pieces and long runs, past any initial capacity: the writer grows
  // its string while writing and must neither drop nor repeat bytes.
  Value doc = Value::MakeArray();
  std::string expected = "[";
  for (int i = 0; i < 500; ++i) {
    std::string text(static_cast<size_t>(i % 40), static_cast<char>('a' + i % 26));
    text += "\t\"";
    doc.push_back(text);
    doc.push_back(i);
    if (i > 0) expected += ',';
    expected += "\"" + std::string(static_cast<size_t>(i % 40),
                                    static_cast<char>('a' + i % 26)) +
                "\\t\\\"\"," + std::to_string(i);
  }
  expected += "]";
  EXPECT_EQ(doc.Dump(), expected);
  EXPECT_EQ(doc.Dump().size(), JsonLength(doc));
}

// IntegerText stands in for std::to_string across the core: the same
// digits over every integer type's whole range.
TEST(JsonNumber, IntegerTextMatchesToStringOverEachTypesRange) {
  EXPECT_EQ(IntegerText(0), "0");
  EXPECT_EQ(IntegerText(-7), "-7");
  EXPECT_EQ(IntegerText(std::numeric_limits<int>::min()),
            std::to_string(std::numeric_limits<int>::min()));
  EXPECT_EQ(IntegerText(std::numeric_limits<int64_t>::min()),
            "-9223372036854775808");
  EXPECT_EQ(IntegerText(std::numeric_limits<int64_t>::max()),
            "9223372036854775807");
  EXPECT_EQ(IntegerText(std::numeric_limits<uint64_t>::max()),
            "18446744073709551615");
  EXPECT_EQ(IntegerText(size_t{9007199254740993}), "9007199254740993");
  EXPECT_EQ(IntegerText(uint8_t{255}), "255");
  for (int64_t n = -1000; n <= 1000; n += 7) {
    EXPECT_EQ(IntegerText(n), std::to_string(n));
  }
}

TEST(JsonNumber, FormatsLikeNumberToString) {
  EXPECT_EQ(FormatJsNumber(1), "1");
  EXPECT_EQ(FormatJsNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatJsNumber(1.21), "1.21");
  EXPECT_EQ(FormatJsNumber(0.000001), "0.000001");
  EXPECT_EQ(FormatJsNumber(0.0000001), "1e-7");
  EXPECT_EQ(FormatJsNumber(1e20), "100000000000000000000");
  EXPECT_EQ(FormatJsNumber(1e21), "1e+21");
  EXPECT_EQ(FormatJsNumber(123e25), "1.23e+27");
  EXPECT_EQ(FormatJsNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatJsNumber(5e-324), "5e-324");
  EXPECT_EQ(FormatJsNumber(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatJsNumber(std::nan("")), "NaN");
}

TEST(JsonRoundTrip, DumpThenParseGivesAnEqualValue) {
  const char* docs[] = {
      R"({"a":[1,2.5,-3e-9,{"b":null}],"c":"\u2028 \ud83d\ude00","d":{}})",
      R"([[],{},"",0,true])",
  };
  for (const char* doc : docs) {
    Value first = Parsed(doc);
    Value second = Parsed(first.Dump());
    EXPECT_EQ(first, second);
    EXPECT_EQ(first.Dump(), second.Dump());
  }
}

TEST(JsonValue, EqualityIgnoresObjectMemberOrder) {
  EXPECT_EQ(Parsed(R"({"a":1,"b":2})"), Parsed(R"({"b":2,"a":1})"));
  EXPECT_NE(Parsed(R"([1,2])"), Parsed(R"([2,1])"));
  EXPECT_NE(Parsed("1"), Parsed("\"1\""));
}

TEST(JsonValue, FindPathWalksObjectsAndArrayIndexes) {
  Value v = Parsed(R"({"a":{"b":[10,{"c":"deep"}]}})");
  EXPECT_EQ(v.find_path("a.b.0")->as_number(), 10);
  EXPECT_EQ(v.find_path("a.b.1.c")->as_string(), "deep");
  EXPECT_EQ(v.find_path("a.b.2"), nullptr);
  EXPECT_EQ(v.find_path("a.b.01"), nullptr);
  EXPECT_EQ(v.find_path("a.x"), nullptr);
  EXPECT_EQ(v.find_path("a.b.0.z"), nullptr);
}

TEST(JsonValue, MutatorsBuildDocuments) {
  Value v;
  v.set("x", Value()).set("y", 2);  // returns the member; null -> object
  v.set("n", 1).set("ignored", 2);  // setting a key on a number: no-op
  v.set("list", Value()).push_back("a");
  EXPECT_EQ(v.Dump(), R"({"x":{"y":2},"n":1,"list":["a"]})");
  EXPECT_TRUE(v.erase("x"));
  EXPECT_FALSE(v.erase("x"));
  EXPECT_EQ(v.Dump(), R"({"n":1,"list":["a"]})");
  EXPECT_EQ(Value(3).string_or("no"), "no");
  EXPECT_EQ(Value("s").number_or(7), 7);
}

TEST(JsonLength, CountsExactlyWhatDumpWrites) {
  const char* const kDocuments[] = {
      "null", "true", "false", "0", "-0", "7", "-7", "9", "10", "99", "100",
      "-1234567890", "9007199254740991", "9007199254740992", "1e21", "1e300",
      "-1.5e-7", "0.1", "0.30000000000000004", "123.456", "5e-324",
      R"("")", R"("plain")", R"("q\"b\\s\/")", R"("\b\f\n\r\t")",
      R"("\u0001\u001f\u007f")", R"("\u00e9\u20ac\ud83d\ude00")", "[]", "{}",
      "[1]", "[1,[2,[]],{}]", R"({"a":1})", R"({"":""})",
      R"({"k\n":"v\u0000","list":[null,true,false,-0.5],"o":{"x":{}}})",
      R"({"v":1,"agg":{"page_view":{"n":6,"sum":74.5}},"seg":["a","b"],
          "hours":{"9":4,"10":5}})"};
  for (const char* text : kDocuments) {
    Value v = Parsed(text);
    EXPECT_EQ(JsonLength(v), v.Dump().size()) << text;
  }
  // Values built in code: non-finite numbers are written as null.
  Value built = Value::MakeObject();
  built.set("nan", Value(std::nan("")));
  built.set("inf", Value(-std::numeric_limits<double>::infinity()));
  built.set("max", Value(std::numeric_limits<double>::max()));
  built.set("big", Value(static_cast<int64_t>(-4503599627370496)));
  built.set(std::string("nul\0key", 7), Value(std::string(3, '\x1e')));
  EXPECT_EQ(JsonLength(built), built.Dump().size()) << built.Dump();
  EXPECT_EQ(JsonLength(built), 113u) << built.Dump();
  // Many numbers, whole and fractional, of every magnitude and sign.
  Value numbers = Value::MakeArray();
  for (int i = -3000; i <= 3000; i += 7) {
    numbers.push_back(Value(i / 1000.0));
    numbers.push_back(Value(i * 0.37));
    numbers.push_back(Value(i / 3.0));
    numbers.push_back(Value(i * 1e-4));
    numbers.push_back(Value(i * 123456.789));
    numbers.push_back(Value(i * 1e12 + 0.5));
  }
  for (double d : {0.001, 0.000999, 0.0015, 9.95, 99.99, 0.99999999,
                   1.00000001, 1125899906842.623, 4503599627370495.5,
                   1e-6, 1e-7, 1e20, 123e18}) {
    numbers.push_back(Value(d));
    numbers.push_back(Value(-d));
  }
  for (const Value& n : numbers.as_array()) {
    EXPECT_EQ(JsonLength(n), n.Dump().size()) << n.Dump();
  }
  EXPECT_EQ(JsonLength(numbers), numbers.Dump().size());
}

TEST(Utf8, AcceptsWellFormedAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  // Past the eight-byte ASCII blocks too.
  EXPECT_TRUE(IsValidUtf8("0123456789abcdef\xF0\x9F\x98\x80 and more text"));
  EXPECT_FALSE(IsValidUtf8("0123456789abcdef\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("0123456789abcdefghijklm\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("0123456789abcdefghijklmnopqrstu\xFF"));
}

// The byte-at-a-time definition the eight-byte scan must agree with.
size_t NaivePlainLength(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\' || c < 0x20) return i;
  }
  return text.size();
}

TEST(PlainJsonText, StopsAtTheFirstByteAStringMustEscape) {
  EXPECT_EQ(PlainJsonTextLength(""), 0u);
  EXPECT_EQ(PlainJsonTextLength("plain text, no escapes at all here"), 34u);
  const std::string utf8 = "caf\xC3\xA9 \xF0\x9F\x98\x80 UTF-8 is plain";
  EXPECT_EQ(PlainJsonTextLength(utf8), utf8.size());
  // Every special byte at every offset around the eight-byte blocks, after
  // plain bytes that sit just above and below the tested values.
  const std::string specials = std::string("\"\\\x1f\x01\n", 5) +
                               std::string(1, '\0');
  for (char special : specials) {
    for (size_t at = 0; at < 20; ++at) {
      std::string text(24, ' ');
      for (size_t i = 0; i < text.size(); ++i) {
        text[i] = "!#[]^ ~\x7f\x80"[i % 9];
      }
      text[at] = special;
      EXPECT_EQ(PlainJsonTextLength(text), at)
          << "byte " << static_cast<int>(special) << " at " << at;
    }
  }
}

TEST(PlainJsonText, AgreesWithTheByteLoopOnRandomText) {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    size_t length = (state >> 33) % 40;
    for (size_t i = 0; i < length; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      // Mostly plain bytes (so runs get long), sometimes anything.
      unsigned byte = static_cast<unsigned>(state >> 56);
      if ((state >> 40) % 16 != 0) byte = 0x20 + byte % 0x60;
      text.push_back(static_cast<char>(byte));
    }
    ASSERT_EQ(PlainJsonTextLength(text), NaivePlainLength(text)) << round;
  }
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

TEST(JsonValue, SetNumberReplacesAnyValueAndRewritesANumberInPlace) {
  Value text("seven");
  text.set_number(7);
  ASSERT_TRUE(text.is_number());
  EXPECT_EQ(text.as_number(), 7);
  EXPECT_EQ(text.Dump(), "7");

  Value object = Value::MakeObject();
  object.set("count", Value(1));
  Value* count = object.find("count");
  count->set_number(2.5);
  EXPECT_EQ(object.find("count"), count);  // the same member, rewritten
  EXPECT_EQ(object.Dump(), R"({"count":2.5})");

  Value list = Value::MakeArray();
  list.push_back(Value("a"));
  list.set_number(-0.0);
  EXPECT_TRUE(list.is_number());
  EXPECT_EQ(list.Dump(), "0");  // JSON.stringify(-0)
}

}  // namespace
}  // namespace tessera
