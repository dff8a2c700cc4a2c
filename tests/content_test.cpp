// Experiments (GrowthBook-compatible assignment, holdout, coverage) and
// content-slot decisions (rules, default, experiment, rendering, parsing).
#include "test_support.h"
#include "tessera/content.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tessera/experiment.h"
#include "tessera/json.h"
#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {


Value LoadCases(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cases/" + name,
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return Json(text.str());
}

Experiment MustParseExperiment(const std::string& text) {
  Experiment experiment;
  Problems problems;
  EXPECT_TRUE(ParseExperiment(Json(text), "$", &experiment, &problems))
      << FormatProblems(problems);
  return experiment;
}

Slot MustParseSlot(const std::string& text) {
  Slot slot;
  Problems problems;
  EXPECT_TRUE(ParseSlot(Json(text), "$", nullptr, &slot, &problems))
      << FormatProblems(problems);
  return slot;
}

Value Visitor(const std::string& id) {
  Value attributes = Value::MakeObject();
  attributes.set("id", id);
  return attributes;
}


Problems ExperimentProblems(const std::string& text) {
  Experiment experiment;
  Problems problems;
  EXPECT_FALSE(
      ParseExperiment(Json(text), "$.experiments[0]", &experiment, &problems));
  return problems;
}

Problems SlotProblems(const std::string& text) {
  Slot slot;
  Problems problems;
  EXPECT_FALSE(ParseSlot(Json(text), "$.slots[0]", nullptr, &slot, &problems));
  return problems;
}

// The issue's example: IF segment = High-Value THEN "Exclusive VIP Discount"
// ELSE IF New Subscriber THEN "Welcome Offer" ELSE "Standard Promotion".
// Membership is tested with $in: GrowthBook's implicit equality
// {"segments": "high_value"} compares String(["a","b"]) == "a,b" with the
// string, so it only matches a visitor whose sole segment is high_value (see
// ContentSelector.ImplicitEqualityOnSegmentsFollowsGrowthBook).
const char kHeroSlot[] = R"({
  "id": "hero",
  "variants": [
    {"id": "vip", "condition": {"segments": {"$in": ["high_value"]}},
     "template": "<h2>Exclusive VIP Discount</h2>"},
    {"id": "welcome", "condition": {"segments": {"$in": ["new_subscriber"]}},
     "template": "<h2>Welcome Offer</h2>"},
    {"id": "standard", "template": "<h2>Standard Promotion</h2>"}
  ],
  "default": "standard"
})";

Value WithSegments(const std::string& segments_json) {
  Value attributes = Visitor("visitor-1");
  attributes.set("segments", Json(segments_json));
  return attributes;
}

// --- Experiments -----------------------------------------------------------

TEST(Assign, MatchesGrowthBookOnEverySharedVector) {
  const Value cases = LoadCases("bucketing.json");
  const Value* experiments = cases.find("experiments");
  const Value* list = cases.find("cases");
  ASSERT_TRUE(experiments != nullptr && list != nullptr && list->is_array());
  ASSERT_GT(list->size(), 50u);
  for (const Value& c : list->as_array()) {
    const Value* json = experiments->find(c.find("experiment")->as_string());
    ASSERT_NE(json, nullptr) << c.Dump();
    Experiment experiment;
    Problems problems;
    ASSERT_TRUE(ParseExperiment(*json, "$", &experiment, &problems))
        << FormatProblems(problems);
    const ExperimentAssignment got = Assign(experiment, *c.find("attributes"));
    const Value& want = *c.find("expected");
    EXPECT_EQ(got.in_experiment, want.find("inExperiment")->as_bool())
        << c.Dump() << " reason " << got.reason;
    EXPECT_EQ(got.variation_index, want.find("variationIndex")->as_number())
        << c.Dump();
    EXPECT_EQ(got.variant_id, want.find("variantId")->as_string()) << c.Dump();
    if (want.find("bucket") != nullptr) {
      ASSERT_TRUE(got.bucket.has_value()) << c.Dump();
      EXPECT_EQ(*got.bucket, want.find("bucket")->as_number()) << c.Dump();
      EXPECT_EQ(got.hash_value, want.find("hashValue")->as_string())
          << c.Dump();
    }
  }
}

TEST(Assign, SplitsTenThousandVisitorsInProportionToWeights) {
  const Experiment experiment = MustParseExperiment(
      R"({"key":"split","variations":["a","b","c"],"weights":[0.2,0.3,0.5]})");
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 10000; ++i) {
    const ExperimentAssignment a =
        Assign(experiment, Visitor("visitor-" + std::to_string(i)));
    ASSERT_TRUE(a.in_experiment);
    ASSERT_EQ(a.reason, "assigned");
    ASSERT_EQ(a.variant_id, experiment.variations[a.variation_index]);
    ++counts[a.variation_index];
  }
  // About 4 standard deviations of a binomial over 10,000 draws.
  EXPECT_NEAR(counts[0] / 10000.0, 0.2, 0.02);
  EXPECT_NEAR(counts[1] / 10000.0, 0.3, 0.02);
  EXPECT_NEAR(counts[2] / 10000.0, 0.5, 0.02);
}

TEST(Assign, IsDeterministicPerVisitor) {
  const Experiment experiment =
      MustParseExperiment(R"({"key":"stable","variations":["a","b"]})");
  for (int i = 0; i < 200; ++i) {
    const Value visitor = Visitor("v" + std::to_string(i));
    const ExperimentAssignment first = Assign(experiment, visitor);
    const ExperimentAssignment again = Assign(experiment, visitor);
    EXPECT_EQ(first.variation_index, again.variation_index);
    EXPECT_EQ(first.bucket, again.bucket);
  }
}

TEST(Assign, CoverageExcludesTheRestAndKeepsVariationsStable) {
  const Experiment full =
      MustParseExperiment(R"({"key":"cov","variations":["a","b"]})");
  Experiment partial = full;
  partial.coverage = 0.3;
  int included = 0;
  for (int i = 0; i < 10000; ++i) {
    const Value visitor = Visitor("visitor-" + std::to_string(i));
    const ExperimentAssignment a = Assign(partial, visitor);
    if (a.in_experiment) {
      ++included;
      // Raising coverage later never moves an included visitor.
      EXPECT_EQ(a.variation_index, Assign(full, visitor).variation_index);
    } else {
      EXPECT_EQ(a.reason, "not_in_coverage");
      EXPECT_EQ(a.variation_index, 0);
      EXPECT_TRUE(a.bucket.has_value());
    }
  }
  EXPECT_NEAR(included / 10000.0, 0.3, 0.02);
}

TEST(Assign, HoldoutKeepsItsShareOutWithoutMovingAnyoneElse) {
  const Experiment plain =
      MustParseExperiment(R"({"key":"hold","variations":["a","b"]})");
  const Experiment held = MustParseExperiment(
      R"({"key":"hold","variations":["a","b"],"holdout":0.1})");
  int in_holdout = 0;
  for (int i = 0; i < 10000; ++i) {
    const Value visitor = Visitor("visitor-" + std::to_string(i));
    const ExperimentAssignment a = Assign(held, visitor);
    if (a.in_holdout) {
      ++in_holdout;
      EXPECT_FALSE(a.in_experiment);
      EXPECT_EQ(a.reason, "holdout");
      EXPECT_EQ(a.variation_index, 0);
    } else {
      ASSERT_TRUE(a.in_experiment);
      EXPECT_EQ(a.variation_index, Assign(plain, visitor).variation_index);
    }
  }
  EXPECT_NEAR(in_holdout / 10000.0, 0.1, 0.015);
}

TEST(Assign, MissingHashAttributeKeepsVisitorOut) {
  const Experiment experiment = MustParseExperiment(
      R"({"key":"dev","variations":["a","b"],"hashAttribute":"deviceId"})");
  const ExperimentAssignment a = Assign(experiment, Visitor("user-1"));
  EXPECT_FALSE(a.in_experiment);
  EXPECT_EQ(a.reason, "no_hash_attribute");
  EXPECT_EQ(a.hash_attribute, "deviceId");
  EXPECT_EQ(a.variant_id, "a");
  EXPECT_FALSE(a.bucket.has_value());
  EXPECT_EQ(Assign(experiment, Value()).reason, "no_hash_attribute");
  EXPECT_EQ(Assign(experiment, Json(R"({"deviceId":""})")).reason,
            "no_hash_attribute");
  EXPECT_TRUE(Assign(experiment, Json(R"({"deviceId":"d-1"})")).in_experiment);
}

TEST(Assign, ReportsNamespaceAndMalformedExperiments) {
  Experiment experiment =
      MustParseExperiment(R"({"key":"ns","variations":["a","b"],
                              "namespace":["pricing",0,0.5]})");
  int outside = 0;
  for (int i = 0; i < 1000; ++i) {
    const ExperimentAssignment a =
        Assign(experiment, Visitor("visitor-" + std::to_string(i)));
    if (!a.in_experiment) {
      EXPECT_EQ(a.reason, "not_in_namespace");
      ++outside;
    }
  }
  EXPECT_NEAR(outside / 1000.0, 0.5, 0.07);

  experiment.namespace_range.reset();
  experiment.hash_version = 3;
  EXPECT_EQ(Assign(experiment, Visitor("u")).reason, "unknown_hash_version");
  experiment.hash_version = 2;
  experiment.variations = {"only"};
  const ExperimentAssignment single = Assign(experiment, Visitor("u"));
  EXPECT_EQ(single.reason, "too_few_variations");
  EXPECT_EQ(single.variant_id, "only");
}

TEST(Assign, EmptySeedHashesTheKey) {
  Experiment experiment =
      MustParseExperiment(R"({"key":"k1","variations":["a","b"]})");
  Experiment seeded = experiment;
  seeded.seed = "k1";
  EXPECT_EQ(Assign(experiment, Visitor("x")).bucket,
            Assign(seeded, Visitor("x")).bucket);
  EXPECT_EQ(Assign(experiment, Visitor("x")).bucket,
            GrowthBookHash("k1", "x", 2));
}

TEST(ParseExperiment, FillsDefaults) {
  const Experiment e =
      MustParseExperiment(R"({"key":"k","variations":["a","b"]})");
  EXPECT_EQ(e.key, "k");
  EXPECT_EQ(e.variations, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(e.weights.empty());
  EXPECT_EQ(e.coverage, 1);
  EXPECT_EQ(e.hash_attribute, "id");
  EXPECT_EQ(e.effective_seed(), "k");
  EXPECT_EQ(e.hash_version, 2);
  EXPECT_FALSE(e.namespace_range.has_value());
  EXPECT_FALSE(e.has_holdout());
}

TEST(ParseExperiment, ReadsEveryField) {
  const Experiment e = MustParseExperiment(R"({
    "key":"hero-test","variations":["standard","vip"],"weights":[0.25,0.75],
    "coverage":0.8,"hashAttribute":"deviceId","seed":"s","hashVersion":1,
    "namespace":["pricing",0.1,0.6],"holdout":0.05})");
  EXPECT_EQ(e.weights, (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(e.coverage, 0.8);
  EXPECT_EQ(e.hash_attribute, "deviceId");
  EXPECT_EQ(e.effective_seed(), "s");
  EXPECT_EQ(e.hash_version, 1);
  ASSERT_TRUE(e.namespace_range.has_value());
  EXPECT_EQ(e.namespace_range->id, "pricing");
  EXPECT_EQ(e.namespace_range->start, 0.1);
  EXPECT_EQ(e.namespace_range->end, 0.6);
  EXPECT_EQ(e.holdout, 0.05);
}

TEST(ParseExperiment, ReportsEveryProblemWithItsPath) {
  const std::string p = "$.experiments[0]";
  EXPECT_TRUE(HasProblem(ExperimentProblems("[]"), p, "must be an object"));

  Problems problems = ExperimentProblems(R"({"variations":["a","b"]})");
  EXPECT_TRUE(HasProblem(problems, p + ".key", "is required"));

  problems = ExperimentProblems(R"({"key":"","variations":["a"]})");
  EXPECT_TRUE(HasProblem(problems, p + ".key", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, p + ".variations", "at least 2"));

  problems = ExperimentProblems(R"({"key":"k"})");
  EXPECT_TRUE(HasProblem(problems, p + ".variations", "is required"));

  problems = ExperimentProblems(R"({"key":"k","variations":["a",3,"a"]})");
  EXPECT_TRUE(HasProblem(problems, p + ".variations[1]", "non-empty string"));
  EXPECT_TRUE(
      HasProblem(problems, p + ".variations[2]", "duplicate variation \"a\""));

  problems = ExperimentProblems(
      R"({"key":"k","variations":["a","b"],"weights":[0.5,0.3,0.2]})");
  EXPECT_TRUE(HasProblem(problems, p + ".weights", "3 weights for 2"));

  problems = ExperimentProblems(
      R"({"key":"k","variations":["a","b"],"weights":[0.5,0.6]})");
  EXPECT_TRUE(HasProblem(problems, p + ".weights", "must add up to 1"));

  problems = ExperimentProblems(
      R"({"key":"k","variations":["a","b"],"weights":[1.5,"x"]})");
  EXPECT_TRUE(HasProblem(problems, p + ".weights[0]", "from 0 to 1"));
  EXPECT_TRUE(HasProblem(problems, p + ".weights[1]", "from 0 to 1"));

  problems = ExperimentProblems(
      R"({"key":"k","variations":["a","b"],"coverage":1.2,"holdout":1,
          "hashVersion":3,"hashAttribute":"","seed":7,
          "namespace":["ns",0.6,0.2],"hashAtribute":"id"})");
  EXPECT_TRUE(HasProblem(problems, p + ".coverage", "from 0 to 1"));
  EXPECT_TRUE(HasProblem(problems, p + ".holdout", "not including"));
  EXPECT_TRUE(
      HasProblem(problems, p + ".hashVersion", "unknown hash version 3"));
  EXPECT_TRUE(HasProblem(problems, p + ".hashAttribute", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, p + ".seed", "must be a string"));
  EXPECT_TRUE(HasProblem(problems, p + ".namespace", "start <= end"));
  EXPECT_TRUE(HasProblem(problems, p + ".hashAtribute", "unknown field"));

  problems = ExperimentProblems(
      R"({"key":"k","variations":["a","b"],"coverage":-0.1,
          "namespace":"pricing"})");
  EXPECT_TRUE(HasProblem(problems, p + ".coverage", "from 0 to 1"));
  EXPECT_TRUE(HasProblem(problems, p + ".namespace", "must be [namespace id"));
}

// --- Content selection -----------------------------------------------------

TEST(ContentSelector, IssueExampleHighValueGetsVipDiscount) {
  const Slot slot = MustParseSlot(kHeroSlot);
  const Decision d = ContentSelector::Decide(
      slot, nullptr, WithSegments(R"(["loyal","high_value"])"), Value(),
      nullptr);
  EXPECT_EQ(d.slot_id, "hero");
  EXPECT_EQ(d.variant_id, "vip");
  EXPECT_EQ(d.source, "rule");
  EXPECT_EQ(d.html, "<h2>Exclusive VIP Discount</h2>");
  EXPECT_TRUE(d.render_status.ok());
  EXPECT_FALSE(d.exposure.has_value());
}

TEST(ContentSelector, IssueExampleFirstMatchingRuleWins) {
  const Slot slot = MustParseSlot(kHeroSlot);
  const Decision d = ContentSelector::Decide(
      slot, nullptr, WithSegments(R"(["new_subscriber","high_value"])"),
      Value(), nullptr);
  EXPECT_EQ(d.variant_id, "vip");
}

TEST(ContentSelector, IssueExampleNewSubscriberGetsWelcomeOffer) {
  const Slot slot = MustParseSlot(kHeroSlot);
  const Decision d = ContentSelector::Decide(
      slot, nullptr, WithSegments(R"(["new_subscriber"])"), Value(), nullptr);
  EXPECT_EQ(d.variant_id, "welcome");
  EXPECT_EQ(d.source, "rule");
  EXPECT_EQ(d.html, "<h2>Welcome Offer</h2>");
}

TEST(ContentSelector, IssueExampleEveryoneElseGetsStandardPromotion) {
  const Slot slot = MustParseSlot(kHeroSlot);
  for (const char* segments : {"[]", R"(["bargain_hunter"])"}) {
    const Decision d = ContentSelector::Decide(
        slot, nullptr, WithSegments(segments), Value(), nullptr);
    EXPECT_EQ(d.variant_id, "standard") << segments;
    EXPECT_EQ(d.source, "default");
    EXPECT_EQ(d.html, "<h2>Standard Promotion</h2>");
  }
  const Decision no_segments =
      ContentSelector::Decide(slot, nullptr, Visitor("v"), Value(), nullptr);
  EXPECT_EQ(no_segments.variant_id, "standard");
}

TEST(ContentSelector, ImplicitEqualityOnSegmentsFollowsGrowthBook) {
  // GrowthBook's evalCondition({segments: [...]}, {segments: "high_value"})
  // is true for ["high_value"] and false for ["loyal","high_value"].
  const Slot slot = MustParseSlot(R"({"id":"s","variants":[
      {"id":"vip","condition":{"segments":"high_value"},"template":"VIP"},
      {"id":"std","template":"Std"}],"default":"std"})");
  EXPECT_EQ(
      ContentSelector::Decide(slot, nullptr, WithSegments(R"(["high_value"])"),
                              Value(), nullptr)
          .variant_id,
      "vip");
  EXPECT_EQ(ContentSelector::Decide(slot, nullptr,
                                    WithSegments(R"(["loyal","high_value"])"),
                                    Value(), nullptr)
                .variant_id,
            "std");
}

TEST(ContentSelector, NoMatchAndNoDefaultDecidesNothing) {
  const Slot slot = MustParseSlot(R"({"id":"s","variants":[
      {"id":"vip","condition":{"segments":{"$in":["high_value"]}},
       "template":"x"},
      {"id":"exp-only","template":"y"}]})");
  const Decision d = ContentSelector::Decide(slot, nullptr, WithSegments("[]"),
                                             Value(), nullptr);
  EXPECT_EQ(d.source, "none");
  EXPECT_EQ(d.variant_id, "");
  EXPECT_EQ(d.html, "");
  EXPECT_TRUE(d.render_status.ok());
}

TEST(ContentSelector, RendersAttributesAndVariantDataEscaped) {
  const Slot slot = MustParseSlot(R"({"id":"s","variants":[
      {"id":"v","template":"Hi {{traits.first_name}}, {{discount}} off {{{note}}}",
       "data":{"discount":"20%","note":"<b>today</b>"}}],"default":"v"})");
  Value attributes = Json(R"({"traits":{"first_name":"<Ann>"},
                              "discount":"5%"})");
  const Decision d =
      ContentSelector::Decide(slot, nullptr, attributes, Value(), nullptr);
  EXPECT_TRUE(d.render_status.ok()) << d.render_status.ToString();
  // Variant data wins over an attribute of the same name.
  EXPECT_EQ(d.html, "Hi &lt;Ann&gt;, 20% off <b>today</b>");
}

TEST(ContentSelector, RenderFailureKeepsTheDecision) {
  const Slot slot = MustParseSlot(R"({"id":"s","variants":[
      {"id":"v","template":"{{#rows}}{{big}}{{/rows}}"}],"default":"v"})");
  Value attributes = Value::MakeObject();
  attributes.set("big", std::string(2000, 'x'));
  Value rows = Value::MakeArray();
  for (int i = 0; i < 1000; ++i) rows.push_back(i);  // 2 MB > 1 MB limit
  attributes.set("rows", rows);
  const Decision d =
      ContentSelector::Decide(slot, nullptr, attributes, Value(), nullptr);
  EXPECT_EQ(d.variant_id, "v");
  EXPECT_FALSE(d.render_status.ok());
  EXPECT_EQ(d.html, "");
}

const char kExperimentSlot[] = R"({
  "id": "hero",
  "variants": [
    {"id": "vip", "condition": {"segments": {"$in": ["high_value"]}},
     "template": "VIP"},
    {"id": "standard", "template": "Standard"},
    {"id": "bold", "template": "Bold {{id}}"}
  ],
  "default": "standard",
  "experiment": "hero-test"
})";

TEST(ContentSelector, ExperimentPicksTheVariantAndRecordsExposure) {
  const Slot slot = MustParseSlot(kExperimentSlot);
  EXPECT_EQ(slot.experiment_key, "hero-test");
  const Experiment experiment = MustParseExperiment(
      R"({"key":"hero-test","variations":["standard","bold"]})");
  int bold = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "visitor-" + std::to_string(i);
    const ExperimentAssignment a = Assign(experiment, Visitor(id));
    // Even a high-value visitor is bucketed: the split is the experiment's.
    Value attributes = Visitor(id);
    attributes.set("segments", Json(R"(["high_value"])"));
    const Decision d = ContentSelector::Decide(slot, &experiment, attributes,
                                               Value(), nullptr);
    EXPECT_EQ(d.source, "experiment");
    EXPECT_EQ(d.variant_id, a.variant_id);
    ASSERT_TRUE(d.exposure.has_value());
    EXPECT_EQ(d.exposure->experiment_key, "hero-test");
    EXPECT_EQ(d.exposure->variation_index, a.variation_index);
    EXPECT_EQ(d.exposure->variant_id, a.variant_id);
    EXPECT_TRUE(d.exposure->in_experiment);
    EXPECT_EQ(d.exposure->hash_value, id);
    EXPECT_EQ(d.exposure->bucket, *a.bucket);
    if (d.variant_id == "bold") {
      ++bold;
      EXPECT_EQ(d.html, "Bold " + id);
    }
  }
  EXPECT_NEAR(bold / 1000.0, 0.5, 0.07);
}

TEST(ContentSelector, VisitorOutsideExperimentGetsOrdinaryContent) {
  const Slot slot = MustParseSlot(kExperimentSlot);
  const Experiment experiment = MustParseExperiment(
      R"({"key":"hero-test","variations":["standard","bold"],"coverage":0})");
  Value attributes = Visitor("visitor-1");
  attributes.set("segments", Json(R"(["high_value"])"));
  Decision d =
      ContentSelector::Decide(slot, &experiment, attributes, Value(), nullptr);
  EXPECT_EQ(d.source, "rule");
  EXPECT_EQ(d.variant_id, "vip");
  EXPECT_FALSE(d.exposure.has_value());

  // No hash attribute: not bucketed, and the experiment-only variant "bold"
  // (no condition) never shows as a rule.
  const Experiment full = MustParseExperiment(
      R"({"key":"hero-test","variations":["standard","bold"]})");
  d = ContentSelector::Decide(slot, &full, Json("{}"), Value(), nullptr);
  EXPECT_EQ(d.source, "default");
  EXPECT_EQ(d.variant_id, "standard");
  EXPECT_FALSE(d.exposure.has_value());
}

TEST(ContentSelector, HoldoutSeesOrdinaryContentAndIsReported) {
  const Slot slot = MustParseSlot(kExperimentSlot);
  const Experiment experiment = MustParseExperiment(
      R"({"key":"hero-test","variations":["standard","bold"],"holdout":0.2})");
  int held = 0;
  for (int i = 0; i < 1000; ++i) {
    const Value visitor = Visitor("visitor-" + std::to_string(i));
    const Decision d =
        ContentSelector::Decide(slot, &experiment, visitor, Value(), nullptr);
    ASSERT_TRUE(d.exposure.has_value());
    if (d.exposure->in_holdout) {
      ++held;
      EXPECT_FALSE(d.exposure->in_experiment);
      EXPECT_EQ(d.source, "default");
      EXPECT_EQ(d.variant_id, "standard");
    } else {
      EXPECT_EQ(d.source, "experiment");
    }
  }
  EXPECT_NEAR(held / 1000.0, 0.2, 0.05);
}

TEST(ContentSelector, VariationMissingFromSlotFallsBackToRules) {
  const Slot slot = MustParseSlot(kExperimentSlot);
  const Experiment experiment = MustParseExperiment(
      R"({"key":"hero-test","variations":["ghost","ghost2"]})");
  const Decision d = ContentSelector::Decide(slot, &experiment, Visitor("v"),
                                             Value(), nullptr);
  EXPECT_EQ(d.source, "default");
  EXPECT_FALSE(d.exposure.has_value());

  Problems problems;
  EXPECT_FALSE(
      CheckSlotExperiment(slot, experiment, "$.experiments[0]", &problems));
  EXPECT_TRUE(HasProblem(problems, "$.experiments[0].variations[0]",
                         "not a variant of slot \"hero\""));
  EXPECT_TRUE(HasProblem(problems, "$.experiments[0].variations[1]", "ghost2"));
  problems.clear();
  EXPECT_TRUE(CheckSlotExperiment(
      slot, MustParseExperiment(R"({"key":"k","variations":["vip","bold"]})"),
      "$", &problems));
}

TEST(ContentSelector, SavedGroupsReachConditions) {
  const Slot slot = MustParseSlot(R"({"id":"s","variants":[
      {"id":"beta","condition":{"id":{"$inGroup":"testers"}},"template":"B"},
      {"id":"base","template":"A"}],"default":"base"})");
  const Value groups = Json(R"({"testers":["u1","u2"]})");
  EXPECT_EQ(
      ContentSelector::Decide(slot, nullptr, Visitor("u2"), groups, nullptr)
          .variant_id,
      "beta");
  EXPECT_EQ(
      ContentSelector::Decide(slot, nullptr, Visitor("u3"), groups, nullptr)
          .variant_id,
      "base");
}

TEST(ContentSelector, RegexConditionsUseTheInjectedMatcher) {
  const StdRegexMatcher regex;
  Slot slot;
  Problems problems;
  ASSERT_TRUE(ParseSlot(Json(R"({"id":"s","variants":[
      {"id":"corp","condition":{"traits.email":{"$regex":"@acme\\.com$"}},
       "template":"Hello Acme"},
      {"id":"base","template":"Hello"}],"default":"base"})"),
                        "$", &regex, &slot, &problems))
      << FormatProblems(problems);
  const Value acme = Json(R"({"traits":{"email":"ann@acme.com"}})");
  const Value other = Json(R"({"traits":{"email":"bob@example.com"}})");
  EXPECT_EQ(ContentSelector::Decide(slot, nullptr, acme, Value(), &regex).html,
            "Hello Acme");
  EXPECT_EQ(ContentSelector::Decide(slot, nullptr, other, Value(), &regex).html,
            "Hello");
}

TEST(ParseSlot, ReportsInvalidRegexUnderTheConditionPath) {
  const StdRegexMatcher regex;
  Slot slot;
  Problems problems;
  EXPECT_FALSE(ParseSlot(Json(R"({"id":"s","variants":[
      {"id":"a","condition":{"name":{"$regex":"(unclosed"}},"template":"x"}]})"),
                         "$.slots[1]", &regex, &slot, &problems));
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  const std::string prefix = "$.slots[1].variants[0].condition";
  EXPECT_EQ(problems[0].path.compare(0, prefix.size(), prefix), 0)
      << problems[0].path;
}

TEST(ParseSlot, ReadsEveryField) {
  const Slot slot = MustParseSlot(kExperimentSlot);
  EXPECT_EQ(slot.id, "hero");
  ASSERT_EQ(slot.variants.size(), 3u);
  EXPECT_TRUE(slot.variants[0].has_condition);
  EXPECT_FALSE(slot.variants[1].has_condition);
  EXPECT_EQ(slot.variants[2].template_text, "Bold {{id}}");
  EXPECT_EQ(slot.default_variant, std::optional<std::string>("standard"));
  EXPECT_EQ(slot.FindVariant("bold"), &slot.variants[2]);
  EXPECT_EQ(slot.FindVariant("nope"), nullptr);
}

TEST(ParseSlot, ReportsEveryProblemWithItsPath) {
  const std::string p = "$.slots[0]";
  EXPECT_TRUE(HasProblem(SlotProblems("42"), p, "must be an object"));

  Problems problems =
      SlotProblems(R"({"variants":[{"id":"a","template":""}]})");
  EXPECT_TRUE(HasProblem(problems, p + ".id", "is required"));

  problems = SlotProblems(R"({"id":7})");
  EXPECT_TRUE(HasProblem(problems, p + ".id", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, p + ".variants", "is required"));

  EXPECT_TRUE(HasProblem(SlotProblems(R"({"id":"s","variants":{}})"),
                         p + ".variants", "must be an array"));
  EXPECT_TRUE(HasProblem(SlotProblems(R"({"id":"s","variants":[]})"),
                         p + ".variants", "at least one"));

  problems = SlotProblems(R"({"id":"s","variants":[
      {"id":"a","template":"x"},
      {"template":"y"},
      {"id":"a","template":"z"},
      "text",
      {"id":"b"},
      {"id":"c","template":5,"data":[1],"colour":"red"}],
      "default":"zzz","experiment":3,"extra":true})");
  EXPECT_TRUE(HasProblem(problems, p + ".variants[1].id", "is required"));
  EXPECT_TRUE(
      HasProblem(problems, p + ".variants[2].id",
                 "duplicate variant id \"a\" (also at " + p + ".variants[0])"));
  EXPECT_TRUE(HasProblem(problems, p + ".variants[3]", "must be an object"));
  EXPECT_TRUE(HasProblem(problems, p + ".variants[4].template", "is required"));
  EXPECT_TRUE(
      HasProblem(problems, p + ".variants[5].template", "must be a string"));
  EXPECT_TRUE(
      HasProblem(problems, p + ".variants[5].data", "must be an object"));
  EXPECT_TRUE(HasProblem(problems, p + ".variants[5].colour", "unknown field"));
  EXPECT_TRUE(HasProblem(problems, p + ".default",
                         "\"zzz\" is not the id of any variant"));
  EXPECT_TRUE(HasProblem(problems, p + ".experiment", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, p + ".extra", "unknown field"));
}

TEST(ParseSlot, ReportsBadTemplateUnderItsPath) {
  const Problems problems = SlotProblems(R"({"id":"s","variants":[
      {"id":"a","template":"ok"},
      {"id":"b","template":"{{#open}} never closed"}]})");
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_EQ(problems[0].path, "$.slots[0].variants[1].template");
  EXPECT_NE(problems[0].message.find("open"), std::string::npos)
      << problems[0].message;
}

TEST(ParseSlot, ReportsBadConditionUnderItsPath) {
  const Problems problems = SlotProblems(R"({"id":"s","variants":[
      {"id":"a","condition":{"age":{"$in":5}},"template":"x"},
      {"id":"b","condition":"not an object","template":"y"}]})");
  ASSERT_EQ(problems.size(), 2u) << FormatProblems(problems);
  const std::string first = "$.slots[0].variants[0].condition";
  const std::string second = "$.slots[0].variants[1].condition";
  EXPECT_EQ(problems[0].path.compare(0, first.size(), first), 0)
      << problems[0].path;
  EXPECT_NE(problems[0].path.find("age"), std::string::npos)
      << problems[0].path;
  EXPECT_FALSE(problems[0].message.empty());
  EXPECT_EQ(problems[1].path.compare(0, second.size(), second), 0)
      << problems[1].path;
}

}  // namespace
}  // namespace tessera
