#include "test_support.h"
#include "tessera/condition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tessera/json.h"
#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {

std::string ReadFile(const std::string& path) {
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) {
    text.append(buffer, n);
  }
  std::fclose(f);
  return text;
}

Value LoadCases(const char* file) {
  Result<Value> parsed = ParseJson(
      ReadFile(std::string(TESSERA_TEST_DATA_DIR) + "/cases/" + file));
  return parsed.ok() ? *parsed : Value();
}

const Value& Vectors() {
  static const Value* vectors = new Value(LoadCases("conditions.json"));
  return *vectors;
}


const Value& Field(const Value& c, const char* key) {
  static const Value* null_value = new Value();
  const Value* v = c.find(key);
  return v ? *v : *null_value;
}

TEST(ConditionVectors, FileHasTheAgreedShape) {
  const Value& v = Vectors();
  ASSERT_TRUE(v.is_object()) << "tests/cases/conditions.json did not parse";
  EXPECT_EQ(Field(v, "version").number_or(0), 1);
  ASSERT_TRUE(Field(v, "cases").is_array());
  ASSERT_TRUE(Field(v, "invalid").is_array());
  EXPECT_GE(Field(v, "cases").size(), 150u);
  for (const Value& c : Field(v, "cases").as_array()) {
    EXPECT_TRUE(Field(c, "name").is_string());
    EXPECT_TRUE(Field(c, "condition").is_object() ||
                Field(c, "malformed").bool_or(false));
    EXPECT_TRUE(Field(c, "expected").is_bool());
  }
}

TEST(ConditionVectors, EvalConditionGivesGrowthBooksAnswer) {
  StdRegexMatcher regex;
  for (const Value& c : Field(Vectors(), "cases").as_array()) {
    SCOPED_TRACE(Field(c, "name").string_or("?"));
    EXPECT_EQ(EvalCondition(Field(c, "attributes"), Field(c, "condition"),
                            Field(c, "savedGroups"), &regex),
              Field(c, "expected").as_bool())
        << Field(c, "condition").Dump() << " on "
        << Field(c, "attributes").Dump();
  }
}

TEST(ConditionVectors, CompiledConditionGivesGrowthBooksAnswer) {
  StdRegexMatcher regex;
  for (const Value& c : Field(Vectors(), "cases").as_array()) {
    SCOPED_TRACE(Field(c, "name").string_or("?"));
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(Field(c, "condition"), &regex);
    if (Field(c, "malformed").bool_or(false)) {
      EXPECT_FALSE(compiled.ok())
          << "a malformed condition compiled: " << Field(c, "condition").Dump();
      continue;
    }
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    EXPECT_EQ(compiled->Evaluate(Field(c, "attributes"),
                                 Field(c, "savedGroups"), &regex),
              Field(c, "expected").as_bool())
        << Field(c, "condition").Dump() << " on "
        << Field(c, "attributes").Dump();
  }
}

TEST(ConditionVectors, CompileNamesThePathOfEachInvalidPart) {
  StdRegexMatcher regex;
  for (const Value& c : Field(Vectors(), "invalid").as_array()) {
    SCOPED_TRACE(Field(c, "name").string_or("?"));
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(Field(c, "condition"), &regex);
    ASSERT_FALSE(compiled.ok()) << Field(c, "condition").Dump();
    EXPECT_EQ(compiled.status().code(), StatusCode::kInvalidArgument);
    const std::string prefix = Field(c, "path").as_string() + ": ";
    EXPECT_EQ(compiled.status().message().substr(0, prefix.size()), prefix)
        << compiled.status().message();
    EXPECT_GT(compiled.status().message().size(), prefix.size());
  }
}

TEST(ConditionVectors, InvalidConditionsStillEvaluateLikeGrowthBook) {
  // EvalCondition has no errors: it answers for malformed input too.
  StdRegexMatcher regex;
  for (const Value& c : Field(Vectors(), "invalid").as_array()) {
    SCOPED_TRACE(Field(c, "name").string_or("?"));
    EXPECT_EQ(EvalCondition(Field(c, "attributes"), Field(c, "condition"),
                            Value(), &regex),
              Field(c, "expected").as_bool());
  }
}

// Odd random inputs with GrowthBook's answers
// (tests/peers/random-conditions.mjs).
TEST(ConditionVectors, BothFormsMatchGrowthBookOnRandomVectors) {
  const Value vectors = LoadCases("conditions_random.json");
  ASSERT_TRUE(Field(vectors, "cases").is_array());
  ASSERT_GE(Field(vectors, "cases").size(), 1000u);
  const Value& saved_groups = Field(vectors, "savedGroups");
  StdRegexMatcher regex;
  size_t compiled_count = 0;
  for (const Value& c : Field(vectors, "cases").as_array()) {
    const Value& condition = Field(c, "condition");
    const Value& attributes = Field(c, "attributes");
    const bool expected = Field(c, "expected").as_bool();
    EXPECT_EQ(EvalCondition(attributes, condition, saved_groups, &regex),
              expected)
        << condition.Dump() << " on " << attributes.Dump();
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(condition, &regex);
    if (!compiled.ok()) continue;
    ++compiled_count;
    EXPECT_EQ(compiled->Evaluate(attributes, saved_groups, &regex), expected)
        << condition.Dump() << " on " << attributes.Dump();
  }
  EXPECT_GT(compiled_count, 200u);  // many are malformed on purpose
}

TEST(CompiledCondition, DefaultMatchesEverythingLikeTheEmptyCondition) {
  CompiledCondition everything;
  EXPECT_TRUE(everything.Evaluate(Json(R"({"a":1})")));
  EXPECT_TRUE(everything.Evaluate(Value()));
  EXPECT_EQ(everything.source().Dump(), "{}");
}

TEST(CompiledCondition, KeepsItsSourceAndSurvivesCopies) {
  Value condition = Json(R"({"age":{"$gte":18}})");
  Result<CompiledCondition> compiled = CompiledCondition::Compile(condition);
  ASSERT_TRUE(compiled.ok());
  CompiledCondition copy = *compiled;
  CompiledCondition moved = std::move(*compiled);
  EXPECT_EQ(copy.source(), condition);
  EXPECT_TRUE(copy.Evaluate(Json(R"({"age":18})")));
  EXPECT_FALSE(moved.Evaluate(Json(R"({"age":17})")));
  CompiledCondition assigned;
  assigned = copy;
  EXPECT_FALSE(assigned.Evaluate(Json(R"({"age":1})")));
}

TEST(CompiledCondition, ErrorMessageSaysWhatWasExpected) {
  Result<CompiledCondition> compiled = CompiledCondition::Compile(
      Json(R"({"$or":[{"a":1},{"country":{"$in":"US"}}]})"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(),
            "$.$or[1].country.$in: expects an array");
}

TEST(CompiledCondition, WithoutMatcherInvalidPatternsCompileAndNeverMatch) {
  Value condition = Json(R"({"x":{"$regex":"("}})");
  Result<CompiledCondition> compiled = CompiledCondition::Compile(condition);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  StdRegexMatcher regex;
  EXPECT_FALSE(compiled->Evaluate(Json(R"({"x":"("})"), Value(), &regex));
  EXPECT_FALSE(CompiledCondition::Compile(condition, &regex).ok());
}

TEST(Condition, RegexWithoutMatcherIsFalseInBothForms) {
  Value condition = Json(R"({"u":{"$regex":"a"}})");
  Value attributes = Json(R"({"u":"a"})");
  EXPECT_FALSE(EvalCondition(attributes, condition));
  EXPECT_FALSE(CompiledCondition::Compile(condition)->Evaluate(attributes));
  StdRegexMatcher regex;
  EXPECT_TRUE(EvalCondition(attributes, condition, Value(), &regex));
  EXPECT_TRUE(CompiledCondition::Compile(condition)->Evaluate(attributes,
                                                              Value(), &regex));
}

TEST(Condition, NonFiniteNumbersStringifyAsNull) {
  // Derived attributes are computed in C++ and may be NaN or infinite, which
  // JSON.stringify writes as null.
  Value attributes = Value::MakeObject();
  Array values;
  values.push_back(Value(std::nan("")));
  values.push_back(Value(INFINITY));
  attributes.set("x", Value(values));
  Value condition = Json(R"({"x":[null,null]})");
  EXPECT_TRUE(EvalCondition(attributes, condition));
  EXPECT_TRUE(CompiledCondition::Compile(condition)->Evaluate(attributes));
  Value nan_text = Json(R"({"x.0":"NaN"})");
  EXPECT_TRUE(EvalCondition(attributes, nan_text));
  EXPECT_TRUE(CompiledCondition::Compile(nan_text)->Evaluate(attributes));
  Value infinity = Json(R"({"x.1":{"$gt":1e308}})");
  EXPECT_TRUE(EvalCondition(attributes, infinity));
  EXPECT_TRUE(CompiledCondition::Compile(infinity)->Evaluate(attributes));
}

TEST(Condition, SavedGroupsMayBeNull) {
  Value condition = Json(R"({"id":{"$notInGroup":"g"}})");
  EXPECT_TRUE(EvalCondition(Json(R"({"id":1})"), condition, Value()));
  EXPECT_TRUE(CompiledCondition::Compile(condition)->Evaluate(
      Json(R"({"id":1})"), Value()));
}

TEST(Condition, SavedGroupConditionIsReadAtEvaluationTime) {
  Result<CompiledCondition> compiled =
      CompiledCondition::Compile(Json(R"({"$savedGroup":{"id":"g"}})"));
  ASSERT_TRUE(compiled.ok());
  Value attributes = Json(R"({"plan":"pro"})");
  EXPECT_TRUE(compiled->Evaluate(
      attributes,
      Json(R"({"g":{"type":"condition","condition":{"plan":"pro"}}})")));
  EXPECT_FALSE(compiled->Evaluate(
      attributes,
      Json(R"({"g":{"type":"condition","condition":{"plan":"free"}}})")));
  // A group condition that makes GrowthBook throw is false even under $not.
  Result<CompiledCondition> negated = CompiledCondition::Compile(
      Json(R"({"$not":{"$savedGroup":{"id":"g"}}})"));
  ASSERT_TRUE(negated.ok());
  EXPECT_FALSE(negated->Evaluate(
      attributes,
      Json(R"({"g":{"type":"condition","condition":{"$or":null}}})")));
}

// A small deterministic generator of conditions and attributes over a shared
// vocabulary, so that paths often hit and operators meet every value type.
class RandomDocs {
 public:
  explicit RandomDocs(uint64_t seed) : state_(seed) {}

  Value Attributes() {
    Value a = Value::MakeObject();
    for (const char* key : {"a", "b", "c", "tags"}) {
      if (Next(4) != 0) a.set(key, Leaf(2));
    }
    return a;
  }

  Value Condition(int depth) {
    Value c = Value::MakeObject();
    int n = 1 + Next(2);
    for (int i = 0; i < n; ++i) {
      int pick = Next(depth > 0 ? 8 : 5);
      if (pick < 5) {
        c.set(Path(), ConditionValue(depth));
      } else if (pick == 5) {
        Value list = Value::MakeArray();
        for (int k = Next(3); k > 0; --k) list.push_back(Condition(depth - 1));
        const char* ops[] = {"$and", "$or", "$nor"};
        c.set(ops[Next(3)], list);
      } else if (pick == 6) {
        c.set("$not", Condition(depth - 1));
      } else {
        c.set("tags", Op("$elemMatch", Condition(depth - 1)));
      }
    }
    return c;
  }

 private:
  int Next(int n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state_ >> 33) % static_cast<uint64_t>(n));
  }

  std::string Path() {
    const char* paths[] = {"a",   "b",      "c",           "tags",
                           "a.x", "tags.0", "tags.length", "missing"};
    return paths[Next(8)];
  }

  Value Leaf(int depth) {
    switch (Next(depth > 0 ? 9 : 7)) {
      case 0:
        return Value();
      case 1:
        return Value(Next(2) == 1);
      case 2:
        return Value(Next(5) - 1);
      case 3:
        return Value(0.5);
      case 4: {
        const char* strings[] = {"",     "1",          "x",   "X",    "1.2.3",
                                 "v2",   "abc",        " 1 ", "0x10", "true",
                                 "null", "1.0.0-beta", "é"};
        return Value(strings[Next(13)]);
      }
      case 5:
        return Value("2");
      case 6:
        return Value("a,b");
      case 7: {
        Value arr = Value::MakeArray();
        for (int k = Next(4); k > 0; --k) arr.push_back(Leaf(depth - 1));
        return arr;
      }
      default: {
        Value obj = Value::MakeObject();
        if (Next(2)) obj.set("x", Leaf(depth - 1));
        return obj;
      }
    }
  }

  Value Op(const char* name, Value operand) {
    Value o = Value::MakeObject();
    o.set(name, std::move(operand));
    return o;
  }

  Value ConditionValue(int depth) {
    if (Next(3) == 0) return Leaf(1);
    const char* ops[] = {
        "$eq",  "$ne",  "$gt",   "$gte",  "$lt",     "$lte",  "$in",
        "$nin", "$ini", "$all",  "$size", "$exists", "$type", "$regex",
        "$veq", "$vgt", "$vlte", "$not",  "$alli",   "$nini", "$elemMatch"};
    std::string op = ops[Next(21)];
    Value operand;
    if (op == "$in" || op == "$nin" || op == "$ini" || op == "$nini" ||
        op == "$all" || op == "$alli") {
      operand = Value::MakeArray();
      for (int k = Next(4); k > 0; --k) operand.push_back(Leaf(0));
    } else if (op == "$not" || op == "$size" || op == "$elemMatch") {
      operand = depth > 0 ? ConditionValue(depth - 1) : Leaf(0);
    } else if (op == "$type") {
      const char* types[] = {"string", "number", "boolean",  "array",
                             "object", "null",   "undefined"};
      operand = Value(types[Next(7)]);
    } else if (op == "$regex") {
      const char* patterns[] = {"^a", "b$", "1", "x|y", "^$"};
      operand = Value(patterns[Next(5)]);
    } else {
      operand = Leaf(0);
    }
    return Op(op.c_str(), operand);
  }

  uint64_t state_;
};

TEST(Condition, CompiledAgreesWithEvalConditionOnRandomInputs) {
  StdRegexMatcher regex;
  RandomDocs docs(20240521);
  int compiled_count = 0;
  for (int i = 0; i < 4000; ++i) {
    Value condition = docs.Condition(2);
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(condition, &regex);
    if (!compiled.ok()) continue;
    ++compiled_count;
    for (int j = 0; j < 5; ++j) {
      Value attributes = docs.Attributes();
      ASSERT_EQ(compiled->Evaluate(attributes, Value(), &regex),
                EvalCondition(attributes, condition, Value(), &regex))
          << condition.Dump() << " on " << attributes.Dump();
    }
  }
  EXPECT_GT(compiled_count, 1000);  // the generator mostly makes valid ones
}

// A compiled condition remembers where it last found each key; objects with
// other layouts, and id lists of every size, must still give the
// interpreter's answers.
TEST(CompiledCondition, ReusedOnDifferentLayoutsAgreesWithEvalCondition) {
  const Value conditions[] = {
      Json(R"({"a.b": {"$gt": 1}, "seg": {"$in": ["s1"]}})"),
      Json(R"({"seg": {"$in": ["s10", "s2", "x", "s21"]}})"),
      Json(R"({"seg": {"$in": ["a","b","c","d","e","f","g","h","s3","s12"]}})"),
      Json(R"({"seg": {"$nin": ["s1", 1, true, null]}})"),
      Json(R"({"seg": {"$all": ["s1", "s12"]}})"),
      Json(R"({"seg": {"$all": ["1", "S1"]}})"),
      Json(R"({"seg": {"$alli": ["S1"]}})"),
      Json(R"({"a.b": {"$lte": "3"}, "a.c": {"$lt": 2}})"),
  };
  const Value attributes[] = {
      Json(R"({"a": {"b": 2, "c": 1}, "seg": ["s2", "s12", "s1"]})"),
      Json(R"({"seg": ["s21", "t1"], "a": {"c": 5, "b": 0}})"),
      Json(R"({"x": 1, "a": {"bb": 3, "b": "3"}, "seg": "s1"})"),
      Json(R"({"seg": [1, null, true, "S1", ["s1"], {"s1": 1}, "s12"]})"),
      Json(R"({"seg": ["", "s", "s3", "s11", "h"], "a": {"b": null}})"),
      Json(R"({"a": [{"b": 4}], "seg": []})"),
      Json(R"({"seg": [12, "1"], "a": {"b": 2.5, "c": -1}})"),
  };
  for (const Value& condition : conditions) {
    Result<CompiledCondition> compiled = CompiledCondition::Compile(condition);
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    for (int round = 0; round < 2; ++round) {
      for (const Value& attrs : attributes) {
        EXPECT_EQ(compiled->Evaluate(attrs), EvalCondition(attrs, condition))
            << condition.Dump() << " on " << attrs.Dump();
      }
    }
  }
}

}  // namespace
}  // namespace tessera
