// The JSON tape (core/src/json_tape.h, private to the core): reads what
// ParseJson reads, as views into the text, and declines what it does not
// represent, so its callers can fall back to ParseJson.
#include "json_tape.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "tessera/json.h"
#include "test_support.h"

namespace tessera {
namespace {

constexpr size_t kDepth = 16;

TEST(JsonTape, ReadsObjectsArraysAndScalarsAsViewsIntoTheText) {
  const std::string text =
      R"({"a": 1, "b": [true, false, null, "x"], "c": {"d": -2.5e1}})";
  JsonTape tape;
  ASSERT_TRUE(tape.Parse(text, kDepth));
  const TapeNode& root = tape.root();
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.size(), 3u);
  ASSERT_NE(root.find("a"), nullptr);
  EXPECT_EQ(root.find("a")->as_number(), 1);
  EXPECT_EQ(root.find("zz"), nullptr);
  const TapeNode* b = root.find("b");
  ASSERT_TRUE(b && b->is_array());
  EXPECT_EQ(b->size(), 4u);
  std::string types;
  for (const TapeNode& item : b->as_array()) {
    types += item.is_bool()     ? (item.as_bool() ? "T" : "F")
             : item.is_null()   ? "N"
             : item.is_string() ? std::string(item.as_string())
                                : "?";
  }
  EXPECT_EQ(types, "TFNx");
  // Strings point into the text rather than into copies.
  auto last = b->as_array().begin();
  for (int i = 0; i < 3; ++i) ++last;
  EXPECT_EQ((*last).as_string().data(), text.data() + text.find("x\""));
  const TapeNode* d = root.find("c")->find("d");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->as_number(), -25);
  std::string keys;
  for (const TapeMember member : root.as_object()) keys += member.key;
  EXPECT_EQ(keys, "abc");
}

TEST(JsonTape, CompactTextDropsOnlyTheWhitespaceBetweenTokens) {
  const std::string text = " {\n \"k\" : [ 1 , \"a b\" ] ,\t\"m\":{} }\r\n";
  JsonTape tape;
  ASSERT_TRUE(tape.Parse(text, kDepth));
  EXPECT_EQ(tape.compact_text(), R"({"k":[1,"a b"],"m":{}})");
  const std::string compact = R"({"k":[1]})";
  ASSERT_TRUE(tape.Parse(compact, kDepth));
  EXPECT_EQ(tape.compact_text(), compact);
  EXPECT_EQ(tape.compact_text().data(), compact.data());  // no copy needed
}

TEST(JsonTape, DeclinesWhatItDoesNotRepresent) {
  JsonTape tape;
  // Valid JSON that ParseJson reads but the tape leaves to it.
  for (const char* text : {R"({"a":"x\"y"})", R"({"a\u0041":1})",
                           R"({"a":1,"a":2})", R"([{"k":1,"k":1}])"}) {
    EXPECT_TRUE(ParseJson(text).ok()) << text;
    EXPECT_FALSE(tape.Parse(text, kDepth)) << text;
  }
  // Deeper than asked.
  EXPECT_TRUE(tape.Parse("[[[1]]]", 3));
  EXPECT_FALSE(tape.Parse("[[[[1]]]]", 3));
  EXPECT_FALSE(tape.Parse(R"({"a":{"b":{"c":{}}}})", 3));
}

TEST(JsonTape, RefusesWhatParseJsonRefuses) {
  JsonTape tape;
  for (const std::string& text :
       {std::string(""), std::string("{"), std::string("{\"a\" 1}"),
        std::string("[1,]"), std::string("{\"a\":1,}"), std::string("01"),
        std::string("1."), std::string("1e"), std::string("-"),
        std::string("1e999"), std::string("tru"), std::string("nul"),
        std::string("\"a\nb\""), std::string("[1] x"), std::string("{1:2}"),
        std::string("\"\xC3\x28\""), std::string("\"\xED\xA0\x80\""),
        std::string("\"unterminated")}) {
    EXPECT_FALSE(ParseJson(text).ok()) << text;
    EXPECT_FALSE(tape.Parse(text, kDepth)) << text;
  }
}

TEST(JsonTape, NumbersAndLengthsMatchTheValueTree) {
  for (const char* text :
       {"[0, -0, 12, 1717408500000, 74.5, 0.1, 1e21, 1E-7, -3.25e2, "
        "123456789012345678, 9007199254740993, 0.30000000000000004]",
        R"({"s":"caf\u00e9","k":[{},[],{"x":null}],"t":true,"f":false})",
        "{\"caf\xC3\xA9\":\"\xF0\x9F\x98\x80\"}"}) {
    const Value value = Json(text);
    JsonTape tape;
    if (!tape.Parse(text, kDepth)) {
      // Only the escaped string may be declined; nothing else here.
      EXPECT_NE(std::string(text).find('\\'), std::string::npos) << text;
      continue;
    }
    EXPECT_EQ(JsonLength(tape.root()), JsonLength(value)) << text;
    EXPECT_EQ(JsonLength(tape.root()), value.Dump().size()) << text;
    if (value.is_array()) {
      size_t i = 0;
      for (const TapeNode& item : tape.root().as_array()) {
        const double expected = value.as_array()[i++].as_number();
        EXPECT_EQ(item.as_number(), expected) << text << " item " << i;
        EXPECT_EQ(std::signbit(item.as_number()), std::signbit(expected));
      }
    }
  }
}

TEST(JsonTape, EqualityIsValueEquality) {
  JsonTape a, b;
  const std::string left = R"({"x":[1,{"p":"q","r":2}],"y":null})";
  const std::string right = R"({"y":null,"x":[1.0,{"r":2,"p":"q"}]})";
  const std::string other = R"({"y":null,"x":[1,{"r":2,"p":"Q"}]})";
  ASSERT_TRUE(a.Parse(left, kDepth));
  ASSERT_TRUE(b.Parse(right, kDepth));
  EXPECT_TRUE(a.root() == b.root());
  ASSERT_TRUE(b.Parse(other, kDepth));
  EXPECT_FALSE(a.root() == b.root());
  EXPECT_EQ(Json(left) == Json(other), a.root() == b.root());
}

}  // namespace
}  // namespace tessera
