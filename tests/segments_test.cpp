#include "test_support.h"
#include "tessera/segments.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "tessera/std_regex_matcher.h"

// Counts heap allocations so a test can check that evaluation cost does not
// grow with the number of rules. (GCC 12 misreads the malloc/free pairing of a
// replaced operator new as a mismatch once inlined.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static std::atomic<long> g_allocations{0};
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tessera {
namespace {


std::vector<RuleSegment> Segments(std::string_view text) {
  std::vector<RuleSegment> out;
  Problems problems;
  EXPECT_TRUE(ParseSegments(Json(text), "$.segments", nullptr, &out, &problems))
      << FormatProblems(problems);
  return out;
}

std::vector<ClusterModel> Clusters(std::string_view text) {
  std::vector<ClusterModel> out;
  Problems problems;
  EXPECT_TRUE(ParseClusters(Json(text), "$.clusters", &out, &problems))
      << FormatProblems(problems);
  return out;
}

Problems SegmentProblems(std::string_view text) {
  std::vector<RuleSegment> out;
  Problems problems;
  EXPECT_FALSE(
      ParseSegments(Json(text), "$.segments", nullptr, &out, &problems));
  return problems;
}

Problems ClusterProblems(const Value& json) {
  std::vector<ClusterModel> out;
  Problems problems;
  EXPECT_FALSE(ParseClusters(json, "$.clusters", &out, &problems));
  return problems;
}


std::vector<std::string> VisibleSegments(const Value& attributes) {
  std::vector<std::string> ids;
  const Value* segments = attributes.find("segments");
  if (segments == nullptr || !segments->is_array()) return ids;
  for (const Value& v : segments->as_array()) ids.push_back(v.as_string());
  return ids;
}

const char* kSeedSegments = R"([
  {"id": "recent-buyers", "name": "Recent Buyers",
   "condition": {"event.purchase_complete.days_since_last": {"$lte": 7}}},
  {"id": "engaged-visitors", "name": "Engaged Visitors",
   "condition": {"event.page_view.count_24h": {"$gt": 5}}},
  {"id": "high-value", "name": "High-Value",
   "condition": {"traits.predicted_clv": {"$gt": 500}}}
])";

SegmentResult EvaluateSeed(std::string_view attributes_json) {
  SegmentEvaluator evaluator(Segments(kSeedSegments), {});
  Value attributes = Json(attributes_json);
  return evaluator.Evaluate(&attributes, Value(), nullptr);
}

TEST(SegmentRules, RecentBuyersMatchPurchaseWithinSevenDays) {
  EXPECT_TRUE(
      EvaluateSeed(R"({"event":{"purchase_complete":{"days_since_last":7}}})")
          .Has("recent-buyers"));
  EXPECT_FALSE(
      EvaluateSeed(R"({"event":{"purchase_complete":{"days_since_last":8}}})")
          .Has("recent-buyers"));
}

// GrowthBook reads a missing path as null, and JavaScript's `null <= 7` is
// true: the bare seed condition also matches visitors who never bought.
// Artifacts therefore pair such comparisons with "$exists": true.
TEST(SegmentRules, BareUpperBoundMatchesAMissingAttributeAsGrowthBookDoes) {
  EXPECT_TRUE(EvaluateSeed(R"({})").Has("recent-buyers"));
  SegmentEvaluator guarded(Segments(R"([{"id": "recent-buyers", "condition":
      {"event.purchase_complete.days_since_last": {"$exists": true,
                                                   "$lte": 7}}}])"),
                           {});
  Value never_bought =
      Json(R"({"event":{"purchase_complete":{"count_90d":0}}})");
  EXPECT_FALSE(
      guarded.Evaluate(&never_bought, Value(), nullptr).Has("recent-buyers"));
  Value bought =
      Json(R"({"event":{"purchase_complete":{"days_since_last":2}}})");
  EXPECT_TRUE(guarded.Evaluate(&bought, Value(), nullptr).Has("recent-buyers"));
}

TEST(SegmentRules, EngagedVisitorsNeedMoreThanFiveVisitsInADay) {
  EXPECT_TRUE(EvaluateSeed(R"({"event":{"page_view":{"count_24h":6}}})")
                  .Has("engaged-visitors"));
  EXPECT_FALSE(EvaluateSeed(R"({"event":{"page_view":{"count_24h":5}}})")
                   .Has("engaged-visitors"));
}

TEST(SegmentRules, HighValueUsesTheServerPushedClvTrait) {
  EXPECT_TRUE(
      EvaluateSeed(R"({"traits":{"predicted_clv":500.01}})").Has("high-value"));
  EXPECT_FALSE(
      EvaluateSeed(R"({"traits":{"predicted_clv":500}})").Has("high-value"));
}

TEST(SegmentRules, FillsTheSegmentsAttributeAndTheResultAlike) {
  SegmentEvaluator evaluator(Segments(kSeedSegments), {});
  Value attributes = Json(R"({"segments":["stale"],"cluster":"stale",
      "event":{"page_view":{"count_24h":9},
               "purchase_complete":{"days_since_last":30}},
      "traits":{"predicted_clv":900}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  std::vector<std::string> expected = {"engaged-visitors", "high-value"};
  EXPECT_EQ(result.segments, expected);
  EXPECT_EQ(VisibleSegments(attributes), expected);
  EXPECT_EQ(result.cluster(), nullptr);
  EXPECT_EQ(attributes.find("cluster"), nullptr);
}

TEST(SegmentRules, HigherPriorityFirstThenIdOrder) {
  SegmentEvaluator evaluator(Segments(R"([
    {"id": "low", "condition": {}, "priority": -1},
    {"id": "b-default", "condition": {}},
    {"id": "top", "condition": {}, "priority": 10},
    {"id": "a-default", "condition": {}}
  ])"),
                             {});
  Value attributes;
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  std::vector<std::string> expected = {"top", "a-default", "b-default", "low"};
  EXPECT_EQ(result.segments, expected);
  ASSERT_EQ(evaluator.rules().size(), 4u);
  EXPECT_EQ(evaluator.rules()[0].id, "top");
}

TEST(SegmentRules, ARuleSeesOnlySegmentsMatchedBeforeIt) {
  SegmentEvaluator evaluator(Segments(R"([
    {"id": "vip-buyer", "condition": {"segments": {"$in": ["recent-buyers"]}},
     "priority": 1},
    {"id": "recent-buyers", "priority": 5,
     "condition": {"event.purchase_complete.days_since_last": {"$lte": 7}}},
    {"id": "too-early", "condition": {"segments": {"$in": ["recent-buyers"]}},
     "priority": 9}
  ])"),
                             {});
  Value attributes =
      Json(R"({"event":{"purchase_complete":{"days_since_last":1}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  std::vector<std::string> expected = {"recent-buyers", "vip-buyer"};
  EXPECT_EQ(result.segments, expected);
}

TEST(SegmentRules, ExclusiveGroupKeepsOnlyTheHighestPriorityMatch) {
  SegmentEvaluator evaluator(Segments(R"([
    {"id": "standard", "group": "tier", "condition": {}, "priority": 0},
    {"id": "vip", "group": "tier", "priority": 10,
     "condition": {"traits.predicted_clv": {"$gt": 500}}},
    {"id": "welcome", "group": "tier", "priority": 5,
     "condition": {"traits.new_subscriber": true}},
    {"id": "outside", "condition": {}}
  ])"),
                             {});
  Value vip = Json(R"({"traits":{"predicted_clv":900,"new_subscriber":true}})");
  EXPECT_EQ(evaluator.Evaluate(&vip, Value(), nullptr).segments,
            (std::vector<std::string>{"vip", "outside"}));
  Value welcome = Json(R"({"traits":{"new_subscriber":true}})");
  EXPECT_EQ(evaluator.Evaluate(&welcome, Value(), nullptr).segments,
            (std::vector<std::string>{"welcome", "outside"}));
  Value nobody = Json(R"({})");
  EXPECT_EQ(evaluator.Evaluate(&nobody, Value(), nullptr).segments,
            (std::vector<std::string>{"outside", "standard"}));
}

TEST(SegmentRules, ExclusiveGroupTieIsBrokenByIdWhateverTheListingOrder) {
  const char* forward = R"([
    {"id": "b", "group": "g", "condition": {}},
    {"id": "a", "group": "g", "condition": {}}])";
  const char* backward = R"([
    {"id": "a", "group": "g", "condition": {}},
    {"id": "b", "group": "g", "condition": {}}])";
  for (const char* text : {forward, backward}) {
    SegmentEvaluator evaluator(Segments(text), {});
    Value attributes;
    EXPECT_EQ(evaluator.Evaluate(&attributes, Value(), nullptr).segments,
              std::vector<std::string>{"a"});
  }
}

TEST(SegmentRules, ManyExclusiveGroupsEachKeepOneMember) {
  std::string text = "[";
  for (int g = 0; g < 70; ++g) {
    for (int m = 0; m < 2; ++m) {
      if (g + m > 0) text += ",";
      text += R"({"id":"s)" + std::to_string(g) + "-" + std::to_string(m) +
              R"(","group":"g)" + std::to_string(g) + R"(","condition":{}})";
    }
  }
  text += "]";
  SegmentEvaluator evaluator(Segments(text), {});
  Value attributes;
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  ASSERT_EQ(result.segments.size(), 70u);
  EXPECT_TRUE(result.Has("s69-0"));
  EXPECT_FALSE(result.Has("s69-1"));
}

TEST(SegmentRules, SavedGroupsReachTheConditions) {
  SegmentEvaluator evaluator(
      Segments(
          R"([{"id": "beta", "condition": {"id": {"$inGroup": "testers"}}}])"),
      {});
  Value saved_groups = Json(R"({"testers": ["v1", "v2"]})");
  Value in = Json(R"({"id": "v2"})");
  Value out = Json(R"({"id": "v3"})");
  EXPECT_TRUE(evaluator.Evaluate(&in, saved_groups, nullptr).Has("beta"));
  EXPECT_FALSE(evaluator.Evaluate(&out, saved_groups, nullptr).Has("beta"));
}

TEST(SegmentRules, NonObjectAttributesAreReplacedByAnObject) {
  SegmentEvaluator evaluator(Segments(R"([{"id": "all", "condition": {}}])"),
                             {});
  Value attributes = Value("not an object");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  EXPECT_TRUE(attributes.is_object());
  EXPECT_EQ(VisibleSegments(attributes), std::vector<std::string>{"all"});
  EXPECT_EQ(result.segments, std::vector<std::string>{"all"});
}

// Two features, normalized: purchases ~ N(2, 2), visits ~ N(10, 5).
const char* kClusterModel = R"([{
  "id": "rfm",
  "features": ["event.purchase_complete.count_90d",
               "event.page_view.count_30d"],
  "normalization": {"mean": [2, 10], "std": [2, 5]},
  "centroids": [
    {"id": "browsers", "label": "Window Shoppers", "segment": "cluster-browsers",
     "vector": [-1, 1]},
    {"id": "loyal", "label": "Loyal Customers", "segment": "cluster-loyal",
     "vector": [2, 1]},
    {"id": "dormant", "label": "Dormant", "vector": [-1, -2]}
  ],
  "maxDistance": 1.5
}])";

TEST(SegmentClusters, AssignsTheNearestCentroidInNormalizedSpace) {
  SegmentEvaluator evaluator({}, Clusters(kClusterModel));
  // purchases 6 -> z 2; visits 15 -> z 1: exactly the "loyal" centroid.
  Value attributes = Json(R"({"event":{"purchase_complete":{"count_90d":6},
                                       "page_view":{"count_30d":15}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  ASSERT_NE(result.cluster(), nullptr);
  EXPECT_EQ(result.cluster()->model, "rfm");
  EXPECT_EQ(result.cluster()->centroid, "loyal");
  EXPECT_DOUBLE_EQ(result.cluster()->distance, 0);
  EXPECT_EQ(attributes.find("cluster")->as_string(), "loyal");
  EXPECT_EQ(result.segments, std::vector<std::string>{"cluster-loyal"});
  EXPECT_EQ(VisibleSegments(attributes),
            std::vector<std::string>{"cluster-loyal"});
}

TEST(SegmentClusters, ReportsTheEuclideanDistance) {
  SegmentEvaluator evaluator({}, Clusters(kClusterModel));
  // z = (0, 1.8): browsers at (-1, 1) is sqrt(1 + 0.64) away.
  Value attributes = Json(R"({"event":{"purchase_complete":{"count_90d":2},
                                       "page_view":{"count_30d":19}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  ASSERT_NE(result.cluster(), nullptr);
  EXPECT_EQ(result.cluster()->centroid, "browsers");
  EXPECT_NEAR(result.cluster()->distance, std::sqrt(1.64), 1e-12);
}

TEST(SegmentClusters, MissingFeaturesCountAsZero) {
  SegmentEvaluator evaluator({}, Clusters(kClusterModel));
  // Both features 0: z = (-1, -2), exactly the "dormant" centroid.
  Value attributes = Json(R"({"event":{"page_view":{"count_30d":"many"}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  ASSERT_NE(result.cluster(), nullptr);
  EXPECT_EQ(result.cluster()->centroid, "dormant");
  EXPECT_DOUBLE_EQ(result.cluster()->distance, 0);
  // "dormant" has no segment: a cluster, but no membership.
  EXPECT_TRUE(result.segments.empty());
}

TEST(SegmentClusters, BeyondMaxDistanceThereIsNoCluster) {
  SegmentEvaluator evaluator({}, Clusters(kClusterModel));
  Value attributes = Json(R"({"cluster": "old",
      "event":{"purchase_complete":{"count_90d":200}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  EXPECT_EQ(result.cluster(), nullptr);
  EXPECT_EQ(attributes.find("cluster"), nullptr);
  EXPECT_TRUE(result.segments.empty());
}

TEST(SegmentClusters, ZeroStandardDeviationIsTreatedAsOne) {
  SegmentEvaluator evaluator({}, Clusters(R"([{"id": "m", "features": ["x"],
      "normalization": {"mean": [1], "std": [0]},
      "centroids": [{"id": "near", "vector": [2]},
                    {"id": "far", "vector": [40]}]}])"));
  Value attributes = Json(R"({"x": 4})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  ASSERT_NE(result.cluster(), nullptr);
  EXPECT_EQ(result.cluster()->centroid, "near");
  EXPECT_DOUBLE_EQ(result.cluster()->distance, 1);
}

TEST(SegmentClusters, WithoutNormalizationFeaturesAreUsedAsIs) {
  std::vector<ClusterModel> models = Clusters(R"([{"id": "m",
      "features": ["x", "flag"],
      "centroids": [{"id": "a", "vector": [0, 0]},
                    {"id": "b", "vector": [3, 1]}]}])");
  SegmentEvaluator evaluator({}, models);
  Value attributes = Json(R"({"x": 3, "flag": true})");
  EXPECT_EQ(
      evaluator.Evaluate(&attributes, Value(), nullptr).cluster()->centroid,
      "b");
}

TEST(SegmentClusters, TiesGoToTheCentroidListedFirst) {
  SegmentEvaluator evaluator({}, Clusters(R"([{"id": "m", "features": ["x"],
      "centroids": [{"id": "left", "vector": [-1]},
                    {"id": "right", "vector": [1]}]}])"));
  Value attributes = Json(R"({"x": 0})");
  EXPECT_EQ(
      evaluator.Evaluate(&attributes, Value(), nullptr).cluster()->centroid,
      "left");
}

TEST(SegmentClusters, RulesCanUseTheClusterAndItsSegment) {
  SegmentEvaluator evaluator(Segments(R"([
    {"id": "loyal-by-cluster", "condition": {"cluster": "loyal"}},
    {"id": "loyal-by-segment", "condition": {"segments": {"$elemMatch": {"$eq": "cluster-loyal"}}}},
    {"id": "cluster-loyal", "condition": {}}
  ])"),
                             Clusters(kClusterModel));
  Value attributes = Json(R"({"event":{"purchase_complete":{"count_90d":6},
                                       "page_view":{"count_30d":15}}})");
  SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
  // The rule with the cluster's segment id does not add it a second time.
  std::vector<std::string> expected = {"cluster-loyal", "loyal-by-cluster",
                                       "loyal-by-segment"};
  EXPECT_EQ(result.segments, expected);
  EXPECT_EQ(VisibleSegments(attributes), expected);
}

TEST(SegmentClusters, HandBuiltModelsWithLengthMismatchesAreIgnored) {
  ClusterModel model;
  model.id = "broken";
  model.features = {"x", "y"};
  model.mean = {0};
  model.std_dev = {1, 1};
  model.centroids.push_back(ClusterCentroid{"c", "", "s", {0, 0}});
  SegmentEvaluator evaluator({}, {model});
  EXPECT_TRUE(evaluator.clusters().empty());
  Value attributes;
  EXPECT_EQ(evaluator.Evaluate(&attributes, Value(), nullptr).cluster(),
            nullptr);
}

TEST(SegmentEvaluation, AllocationsDoNotGrowWithTheNumberOfRules) {
  auto rules = [](int count) {
    std::string text = "[";
    for (int i = 0; i < count; ++i) {
      if (i > 0) text += ",";
      text += R"({"id":"seg)" + std::to_string(i) +
              R"(","condition":{"event.page_view.count_24h":{"$gt":)" +
              std::to_string(i % 10) + "}}}";
    }
    return Segments(text + "]");
  };
  auto allocations = [](const SegmentEvaluator& evaluator) {
    Value attributes = Json(R"({"event":{"page_view":{"count_24h":5}}})");
    long before = g_allocations.load();
    SegmentResult result = evaluator.Evaluate(&attributes, Value(), nullptr);
    long after = g_allocations.load();
    EXPECT_FALSE(result.segments.empty());
    return after - before;
  };
  SegmentEvaluator few(rules(5), {});
  SegmentEvaluator many(rules(50), {});
  EXPECT_EQ(allocations(few), allocations(many));
}

// Reevaluate keeps attributes["segments"] in place: the same memberships
// again cost no allocation, a changed one rewrites the list from there, and
// a rule reading the memberships sees only those joined before it.
TEST(SegmentEvaluation, ReevaluationKeepsTheMembershipListInPlace) {
  SegmentEvaluator evaluator(Segments(R"([
    {"id": "first", "condition": {"x": {"$gt": 0}}, "priority": 3},
    {"id": "second", "condition": {"y": {"$gt": 0}}, "priority": 2},
    {"id": "after-first", "condition": {"segments": {"$elemMatch": {"$eq": "first"}},
                                        "segments.2": {"$exists": false}},
     "priority": 1}
  ])"), {});
  Value attributes = Json(R"({"x": 1, "y": 1})");
  SegmentMemo memo;
  const std::vector<uint8_t> all_stale(3, SegmentEvaluator::kStale);
  const std::vector<uint8_t> fresh = {SegmentEvaluator::kFresh,
                                      SegmentEvaluator::kFresh,
                                      SegmentEvaluator::kIfMemberships};
  evaluator.Reevaluate(&attributes, Value(), nullptr, &all_stale, &memo);
  const std::vector<std::string> all = {"first", "second", "after-first"};
  EXPECT_EQ(VisibleSegments(attributes), all);

  long before = g_allocations.load();
  evaluator.Reevaluate(&attributes, Value(), nullptr, &fresh, &memo);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(VisibleSegments(attributes), all);
  EXPECT_FALSE(memo.changed);

  // "second" leaves: the list is rewritten after "first", and the last rule
  // still sees exactly the memberships before it.
  attributes.set("y", Value(0));
  const std::vector<uint8_t> second_stale = {SegmentEvaluator::kFresh,
                                             SegmentEvaluator::kStale,
                                             SegmentEvaluator::kIfMemberships};
  evaluator.Reevaluate(&attributes, Value(), nullptr, &second_stale, &memo);
  EXPECT_EQ(VisibleSegments(attributes),
            (std::vector<std::string>{"first", "after-first"}));
  EXPECT_TRUE(memo.changed);
  Value fresh_attributes = Json(R"({"x": 1, "y": 0})");
  EXPECT_EQ(evaluator.Evaluate(&fresh_attributes, Value(), nullptr).segments,
            VisibleSegments(attributes));
}

// ---- Parsing problems ----

TEST(SegmentParsing, RejectsANonArray) {
  Problems problems = SegmentProblems(R"({"id": "x"})");
  EXPECT_TRUE(HasProblem(problems, "$.segments", "array"));
}

TEST(SegmentParsing, NamesEveryProblemWithItsPath) {
  Problems problems = SegmentProblems(R"([
    "not an object",
    {"name": "no id", "condition": {}},
    {"id": "", "condition": {}},
    {"id": "a", "condition": {}, "priority": "high", "group": ""},
    {"id": "a", "condition": {}},
    {"id": "b"},
    {"id": "c", "condition": [1]},
    {"id": "d", "condition": {}, "priorty": 3, "name": 7}
  ])");
  EXPECT_TRUE(HasProblem(problems, "$.segments[0]", "must be an object"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[1].id", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[2].id", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[3].priority", "finite number"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[3].group", "non-empty string"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[4].id",
                         "duplicate segment id \"a\" (also at $.segments[3])"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[5].condition", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[6].condition", "object"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[7].priorty", "unknown field"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[7].name", "string"));
  EXPECT_EQ(problems.size(), 10u) << FormatProblems(problems);
}

TEST(SegmentParsing, ReportsConditionCompileErrorsUnderTheConditionPath) {
  Problems problems = SegmentProblems(R"([
    {"id": "ok", "condition": {}},
    {"id": "bad", "condition": {"traits.tier": {"$in": "gold"}}}
  ])");
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_EQ(problems[0].path, "$.segments[1].condition[\"traits.tier\"].$in");
  EXPECT_NE(problems[0].message.find("array"), std::string::npos)
      << problems[0].message;
}

TEST(SegmentParsing, RejectsAnInvalidRegexWhenAMatcherIsGiven) {
  Value json = Json(R"([{"id": "r", "condition":
                         {"context.path": {"$regex": "(unclosed"}}}])");
  std::vector<RuleSegment> out;
  Problems problems;
  EXPECT_TRUE(ParseSegments(json, "$.segments", nullptr, &out, &problems));
  StdRegexMatcher regex;
  out.clear();
  EXPECT_FALSE(ParseSegments(json, "$.segments", &regex, &out, &problems));
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_EQ(problems[0].path.rfind("$.segments[0].condition", 0), 0u)
      << problems[0].path;
}

TEST(SegmentRules, RegexConditionsUseTheGivenMatcher) {
  SegmentEvaluator evaluator(Segments(R"([{"id": "shoes", "condition":
      {"context.path": {"$regex": "^/shoes/"}}}])"),
                             {});
  StdRegexMatcher regex;
  Value attributes = Json(R"({"context": {"path": "/shoes/red"}})");
  EXPECT_TRUE(evaluator.Evaluate(&attributes, Value(), &regex).Has("shoes"));
  EXPECT_FALSE(evaluator.Evaluate(&attributes, Value(), nullptr).Has("shoes"));
}

TEST(SegmentParsing, KeepsTheValidEntriesWhenOthersFail) {
  std::vector<RuleSegment> out;
  Problems problems;
  EXPECT_FALSE(ParseSegments(
      Json(R"([{"id": "good", "name": "Good", "description": "fine",
                "condition": {"x": 1}, "priority": 2.5, "group": "g"},
               {"id": 3, "condition": {}}])"),
      "$.segments", nullptr, &out, &problems));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "good");
  EXPECT_EQ(out[0].name, "Good");
  EXPECT_EQ(out[0].priority, 2.5);
  EXPECT_EQ(out[0].group, "g");
  EXPECT_EQ(out[0].condition.source(), Json(R"({"x": 1})"));
}

TEST(ClusterParsing, NamesEveryProblemWithItsPath) {
  Value json = Json(R"([
    {"id": "m", "features": ["a", "b", "a"],
     "normalization": {"mean": [0, 0], "std": [1, -1, 1], "scale": 2},
     "centroids": [{"id": "c", "vector": [1, 2]},
                   {"id": "c", "vector": [1, "2", 3], "segment": ""},
                   {"vector": [0, 0, 0], "size": -4}],
     "maxDistance": -1},
    {"id": "m", "features": [], "centroids": []},
    {"id": "n"},
    7
  ])");
  Problems problems = ClusterProblems(json);
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].features[2]",
                         "duplicate feature \"a\""));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].normalization.mean",
                         "has 2 entries; the model has 3 features"));
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].normalization.std[1]", "negative"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].normalization.scale",
                         "unknown field"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].centroids[0].vector",
                         "has 2 entries"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].centroids[1].id",
                         "duplicate centroid id \"c\""));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].centroids[1].vector[1]",
                         "finite number"));
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].centroids[1].segment", "non-empty"));
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].centroids[2].id", "required"));
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].centroids[2].size", "non-negative"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].maxDistance", ">= 0"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[1].id",
                         "duplicate cluster model id \"m\""));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[1].features", "non-empty"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[1].centroids", "non-empty"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[2].features", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[2].centroids", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[3]", "must be an object"));
  EXPECT_EQ(problems.size(), 17u) << FormatProblems(problems);
}

TEST(ClusterParsing, RejectsNonFiniteNumbers) {
  Value json = Json(R"([{"id": "m", "features": ["x"],
      "normalization": {"mean": [0], "std": [1]},
      "centroids": [{"id": "c", "vector": [0]}]}])");
  Value& model = json.as_array()[0];
  model.find("normalization")->find("mean")->as_array()[0] =
      Value(std::numeric_limits<double>::quiet_NaN());
  model.find("centroids")->as_array()[0].find("vector")->as_array()[0] =
      Value(std::numeric_limits<double>::infinity());
  model.set("maxDistance", Value(std::numeric_limits<double>::infinity()));
  Problems problems = ClusterProblems(json);
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].normalization.mean[0]", "finite"));
  EXPECT_TRUE(
      HasProblem(problems, "$.clusters[0].centroids[0].vector[0]", "finite"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].maxDistance", "finite"));
  EXPECT_EQ(problems.size(), 3u) << FormatProblems(problems);
}

TEST(ClusterParsing, CapsTheNumberOfFeatures) {
  Value features = Value::MakeArray();
  Value vector = Value::MakeArray();
  for (size_t i = 0; i <= ClusterModel::kMaxFeatures; ++i) {
    features.push_back(Value("f" + std::to_string(i)));
    vector.push_back(Value(0));
  }
  Value model = Value::MakeObject();
  model.set("id", Value("big"));
  model.set("features", features);
  Value centroid = Value::MakeObject();
  centroid.set("id", Value("c"));
  centroid.set("vector", vector);
  Value centroids = Value::MakeArray();
  centroids.push_back(centroid);
  model.set("centroids", centroids);
  Value json = Value::MakeArray();
  json.push_back(model);
  Problems problems = ClusterProblems(json);
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].features", "at most 128"));
}

TEST(ClusterParsing, ReadsAValidModel) {
  std::vector<ClusterModel> models = Clusters(kClusterModel);
  ASSERT_EQ(models.size(), 1u);
  const ClusterModel& m = models[0];
  EXPECT_EQ(m.id, "rfm");
  EXPECT_EQ(m.features.size(), 2u);
  EXPECT_EQ(m.mean, (std::vector<double>{2, 10}));
  EXPECT_EQ(m.std_dev, (std::vector<double>{2, 5}));
  EXPECT_EQ(m.max_distance, 1.5);
  ASSERT_EQ(m.centroids.size(), 3u);
  EXPECT_EQ(m.centroids[0].label, "Window Shoppers");
  EXPECT_EQ(m.centroids[0].segment, "cluster-browsers");
  EXPECT_EQ(m.centroids[2].segment, "");
}

}  // namespace
}  // namespace tessera
