// Runs the shared GrowthBook vectors (tests/cases/hashing.json, whose expected
// values come from the GrowthBook JS SDK) against tessera's hashing module.
#include "tessera/hashing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tessera/json.h"

namespace tessera {
namespace {

Value LoadCases() {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cases/hashing.json",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Result<Value> parsed = ParseJson(text.str());
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : Value();
}

const Value& Cases() {
  static const Value cases = LoadCases();
  return cases;
}

const Array& Section(const char* name) {
  static const Array empty;
  const Value* section = Cases().find(name);
  EXPECT_TRUE(section != nullptr && section->is_array()) << name;
  return section != nullptr && section->is_array() ? section->as_array()
                                                   : empty;
}

std::vector<double> Numbers(const Value& array) {
  std::vector<double> out;
  if (!array.is_array()) return out;
  for (const Value& v : array.as_array()) out.push_back(v.as_number());
  return out;
}

std::vector<BucketRange> Ranges(const Value& array) {
  std::vector<BucketRange> out;
  for (const Value& r : array.as_array()) {
    out.push_back({r.as_array()[0].as_number(), r.as_array()[1].as_number()});
  }
  return out;
}

TEST(GrowthBookHash, MatchesEverySharedVector) {
  const Array& vectors = Section("hash");
  ASSERT_GE(vectors.size(), 60u);
  for (const Value& v : vectors) {
    const Array& c = v.as_array();
    const std::string& seed = c[0].as_string();
    const std::string& value = c[1].as_string();
    const int version = static_cast<int>(c[2].as_number());
    const std::optional<double> got = GrowthBookHash(seed, value, version);
    if (c[3].is_null()) {
      EXPECT_FALSE(got.has_value()) << v.Dump();
    } else {
      ASSERT_TRUE(got.has_value()) << v.Dump();
      // Same IEEE operations in the same order as JavaScript: exact.
      EXPECT_EQ(*got, c[3].as_number()) << v.Dump();
    }
  }
}

TEST(GrowthBookHash, VectorsCoverUnicodeEmptyAndUnknownVersions) {
  bool non_ascii = false, empty_value = false, unknown_version = false;
  for (const Value& v : Section("hash")) {
    const Array& c = v.as_array();
    for (char ch : c[0].as_string() + c[1].as_string()) {
      if (static_cast<unsigned char>(ch) >= 0x80) non_ascii = true;
    }
    if (c[1].as_string().empty()) empty_value = true;
    if (c[3].is_null()) unknown_version = true;
  }
  EXPECT_TRUE(non_ascii);
  EXPECT_TRUE(empty_value);
  EXPECT_TRUE(unknown_version);
}

TEST(GetBucketRanges, MatchesEverySharedVector) {
  const Array& vectors = Section("bucketRanges");
  ASSERT_FALSE(vectors.empty());
  for (const Value& v : vectors) {
    const Array& c = v.as_array();
    const std::vector<BucketRange> got = GetBucketRanges(
        static_cast<int>(c[0].as_number()), c[1].as_number(), Numbers(c[2]));
    const std::vector<BucketRange> want = Ranges(c[3]);
    ASSERT_EQ(got.size(), want.size()) << v.Dump();
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].start, want[i].start) << v.Dump() << " range " << i;
      EXPECT_EQ(got[i].end, want[i].end) << v.Dump() << " range " << i;
    }
  }
}

TEST(ChooseVariation, MatchesEverySharedVector) {
  const Array& vectors = Section("chooseVariation");
  ASSERT_FALSE(vectors.empty());
  for (const Value& v : vectors) {
    const Array& c = v.as_array();
    EXPECT_EQ(ChooseVariation(c[0].as_number(), Ranges(c[1])),
              static_cast<int>(c[2].as_number()))
        << v.Dump();
  }
}

TEST(InNamespace, MatchesEverySharedVector) {
  const Array& vectors = Section("inNamespace");
  ASSERT_FALSE(vectors.empty());
  for (const Value& v : vectors) {
    const Array& c = v.as_array();
    const Array& ns = c[1].as_array();
    const NamespaceRange range{ns[0].as_string(), ns[1].as_number(),
                               ns[2].as_number()};
    EXPECT_EQ(InNamespace(c[0].as_string(), range), c[2].as_bool()) << v.Dump();
  }
}

TEST(GetEqualWeights, MatchesEverySharedVector) {
  const Array& vectors = Section("equalWeights");
  ASSERT_FALSE(vectors.empty());
  for (const Value& v : vectors) {
    const Array& c = v.as_array();
    EXPECT_EQ(GetEqualWeights(static_cast<int>(c[0].as_number())),
              Numbers(c[1]))
        << v.Dump();
  }
}

TEST(Fnv1a32, EmptyInputIsTheOffsetBasis) {
  EXPECT_EQ(Fnv1a32(""), 0x811c9dc5u);
}

TEST(Fnv1a32, HashesAsciiLikeReferenceFnv1a) {
  // Published FNV-1a 32 test values.
  EXPECT_EQ(Fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(Fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(Fnv1a32, HashesUtf16CodeUnitsNotUtf8Bytes) {
  // "é" is one UTF-16 unit (0x00E9) but two UTF-8 bytes.
  const uint32_t one_unit = (0x811c9dc5u ^ 0xE9u) * 16777619u;
  EXPECT_EQ(Fnv1a32("\xC3\xA9"), one_unit);
  // U+1F600 is the surrogate pair D83D DE00.
  const uint32_t pair =
      ((0x811c9dc5u ^ 0xD83Du) * 16777619u ^ 0xDE00u) * 16777619u;
  EXPECT_EQ(Fnv1a32("\xF0\x9F\x98\x80"), pair);
}

TEST(Fnv1a32, InvalidUtf8HashesAsReplacementCharacters) {
  const uint32_t replacement = (0x811c9dc5u ^ 0xFFFDu) * 16777619u;
  EXPECT_EQ(Fnv1a32("\xFF"), replacement);
  // A truncated sequence is one replacement, like TextDecoder's output.
  EXPECT_EQ(Fnv1a32("\xE2\x82"), replacement);
  // A broken sequence is replaced, and the byte that broke it is kept.
  EXPECT_EQ(Fnv1a32("\xC3"
                    "a"),
            (replacement ^ 'a') * 16777619u);
}

TEST(GrowthBookHash, HashesSeedAndValueAsSeparateStrings) {
  // A seed ending mid-sequence must not swallow the value's first bytes.
  EXPECT_NE(GrowthBookHash("\xC3", "\xA9", 2),
            GrowthBookHash("", "\xC3\xA9", 2));
  EXPECT_EQ(GrowthBookHash("ab", "c", 2), GrowthBookHash("a", "bc", 2));
  EXPECT_EQ(GrowthBookHash("c", "ab", 1), GrowthBookHash("bc", "a", 1));
}

TEST(GrowthBookHash, UnknownVersionGivesNothing) {
  EXPECT_FALSE(GrowthBookHash("s", "v", 0).has_value());
  EXPECT_FALSE(GrowthBookHash("s", "v", 3).has_value());
}

TEST(GetBucketRanges, ClampsCoverageAndFallsBackToEqualWeights) {
  const std::vector<BucketRange> r = GetBucketRanges(2, 7, {0.9, 0.9});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start, 0);
  EXPECT_EQ(r[0].end, 0.5);
  EXPECT_EQ(r[1].start, 0.5);
  EXPECT_EQ(r[1].end, 1);
}

TEST(ChooseVariation, OutsideCoverageIsMinusOne) {
  const std::vector<BucketRange> r = GetBucketRanges(2, 0.5, {});
  EXPECT_EQ(ChooseVariation(0.1, r), 0);
  EXPECT_EQ(ChooseVariation(0.3, r), -1);
  EXPECT_EQ(ChooseVariation(0.6, r), 1);
  EXPECT_EQ(ChooseVariation(0.8, r), -1);
}

}  // namespace
}  // namespace tessera
