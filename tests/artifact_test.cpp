#include "test_support.h"
#include "tessera/artifact.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {

std::string ReadFile(const std::string& path) {
  std::string text;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    text.append(buffer, n);
  }
  std::fclose(f);
  return text;
}

std::string ExampleText() {
  std::string text = ReadFile(std::string(TESSERA_SOURCE_DIR) +
                              "/docs/examples/artifact.json");
  EXPECT_FALSE(text.empty()) << "docs/examples/artifact.json not found";
  return text;
}



// The smallest valid artifact, with `extra` members spliced in.
std::string Minimal(const std::string& extra = "") {
  return R"({"schema_version": 1, "version": "v1", "site": "demo")" +
         (extra.empty() ? std::string() : ", " + extra) + "}";
}

Problems ProblemsOf(const std::string& text) {
  StdRegexMatcher regex;
  return ValidateArtifact(Json(text), &regex);
}

TEST(ArtifactExample, ParsesClean) {
  StdRegexMatcher regex;
  std::string text = ExampleText();
  EXPECT_EQ(FormatProblems(ValidateArtifact(Json(text), &regex)), "");
  Result<Artifact> artifact = ParseArtifact(text, &regex);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->schema_version, 1);
  EXPECT_EQ(artifact->version, "2026-11-23T10:00:00Z#42");
  EXPECT_EQ(artifact->site, "demo");
  EXPECT_EQ(artifact->generated_at, "2026-11-23T10:00:00Z");
  EXPECT_EQ(artifact->segments.size(), 6u);
  ASSERT_EQ(artifact->clusters.size(), 1u);
  EXPECT_EQ(artifact->clusters[0].centroids.size(), 4u);
  EXPECT_EQ(artifact->clusters[0].centroids[1].label, "Bargain Hunters");
  ASSERT_EQ(artifact->slots.size(), 2u);
  ASSERT_NE(artifact->FindSlot("hero"), nullptr);
  EXPECT_EQ(artifact->FindSlot("hero")->variants.size(), 3u);
  EXPECT_EQ(artifact->FindSlot("missing"), nullptr);
  ASSERT_NE(artifact->FindExperiment("banner-copy-2026-11"), nullptr);
  EXPECT_EQ(artifact->FindExperiment("banner-copy-2026-11")->holdout, 0.05);
  EXPECT_EQ(artifact->saved_groups.find("beta-testers")->size(), 2u);
  EXPECT_EQ(artifact->consent.mode, ConsentMode::kOptIn);
  EXPECT_EQ(artifact->consent.version, "2026-01");
  EXPECT_TRUE(artifact->consent.honor_gpc);
  EXPECT_EQ(artifact->consent_defaults.marketing, false);
  EXPECT_FALSE(artifact->consent_defaults.analytics.has_value());
  EXPECT_EQ(artifact->signals.endpoint, "/v1/signals");
  EXPECT_EQ(artifact->signals.flush_interval_ms, 300000);
  EXPECT_EQ(artifact->signals.max_batch_bytes, 60000);
  EXPECT_EQ(artifact->signals.format, SignalFormat::kCbor);
}

TEST(ArtifactExample, DrivesSegmentsAndTheHeroSlot) {
  StdRegexMatcher regex;
  Result<Artifact> artifact = ParseArtifact(ExampleText(), &regex);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  SegmentEvaluator evaluator(artifact->segments, artifact->clusters);
  const Slot* hero = artifact->FindSlot("hero");
  ASSERT_NE(hero, nullptr);

  Value vip = Json(R"({"id": "v_8f3a91c2d4e5f607",
      "traits": {"predicted_clv": 820, "newsletter_subscribed": true},
      "event": {"purchase_complete": {"count_90d": 5, "sum_value_90d": 700,
                                      "days_since_last": 3, "count_all": 9},
                "page_view": {"count_30d": 30}}})");
  SegmentResult segments =
      evaluator.Evaluate(&vip, artifact->saved_groups, &regex);
  EXPECT_TRUE(segments.Has("high-value"));
  EXPECT_TRUE(segments.Has("recent-buyers"));
  EXPECT_TRUE(segments.Has("beta-testers"));
  // Exclusive "lifecycle" group: high-value outranks new-subscriber.
  EXPECT_FALSE(segments.Has("new-subscriber"));
  ASSERT_NE(segments.cluster(), nullptr);
  EXPECT_EQ(segments.cluster()->centroid, "loyal-big-spenders");
  Decision decision = ContentSelector::Decide(*hero, nullptr, vip,
                                              artifact->saved_groups, &regex);
  EXPECT_EQ(decision.variant_id, "vip");
  EXPECT_NE(decision.html.find("Exclusive VIP Discount"), std::string::npos);

  Value subscriber = Json(R"({"traits": {"newsletter_subscribed": true},
      "event": {"purchase_complete": {"count_all": 0}}})");
  segments = evaluator.Evaluate(&subscriber, artifact->saved_groups, &regex);
  EXPECT_TRUE(segments.Has("new-subscriber"));
  EXPECT_FALSE(segments.Has("recent-buyers"));
  EXPECT_EQ(segments.cluster()->centroid, "dormant");
  EXPECT_EQ(ContentSelector::Decide(*hero, nullptr, subscriber,
                                    artifact->saved_groups, &regex)
                .variant_id,
            "welcome");
}

TEST(ArtifactParse, MinimalArtifactGetsTheSafeDefaults) {
  Result<Artifact> artifact = ParseArtifact(
      R"({"schema_version": 1, "version": 42, "site": "demo"})", nullptr);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->version, "42");
  EXPECT_TRUE(artifact->segments.empty());
  EXPECT_TRUE(artifact->saved_groups.is_object());
  EXPECT_EQ(artifact->consent.mode, ConsentMode::kOptIn);
  EXPECT_TRUE(artifact->consent.honor_gpc);
  EXPECT_EQ(artifact->signals.endpoint, "/v1/signals");
  EXPECT_EQ(artifact->signals.format, SignalFormat::kCbor);
}

TEST(ArtifactParse, UnknownSchemaVersionIsUnsupported) {
  Result<Artifact> artifact = ParseArtifact(
      R"({"schema_version": 2, "version": "x", "site": "demo", "new": 1})",
      nullptr);
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(artifact.status().message().find("schema_version 2"),
            std::string::npos)
      << artifact.status().message();
  Problems problems = ProblemsOf(R"({"schema_version": 7})");
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "$.schema_version", "schema_version 7"));
}

TEST(ArtifactParse, MalformedJsonIsInvalidArgument) {
  Result<Artifact> artifact =
      ParseArtifact(R"({"schema_version": 1,)", nullptr);
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(artifact.status().message().find("not valid JSON"),
            std::string::npos);
}

TEST(ArtifactParse, RootMustBeAnObject) {
  Problems problems = ProblemsOf("[1, 2]");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(HasProblem(problems, "$", "must be an object"));
}

TEST(ArtifactValidation, TopLevelFieldsEachNameTheirPath) {
  Problems problems = ProblemsOf(R"({"schema_version": "1", "site": "de mo",
      "generated_at": 5, "customers": [], "segments": {}, "slots": 3,
      "experiments": "x", "savedGroups": [], "consent": true, "signals": 1})");
  EXPECT_TRUE(HasProblem(problems, "$.schema_version", "integer"));
  EXPECT_TRUE(HasProblem(problems, "$.version", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.site", "[A-Za-z0-9_.-]"));
  EXPECT_TRUE(HasProblem(problems, "$.generated_at", "string"));
  EXPECT_TRUE(HasProblem(problems, "$.customers", "unknown field"));
  EXPECT_TRUE(HasProblem(problems, "$.segments", "array"));
  EXPECT_TRUE(HasProblem(problems, "$.slots", "array"));
  EXPECT_TRUE(HasProblem(problems, "$.experiments", "array"));
  EXPECT_TRUE(HasProblem(problems, "$.savedGroups", "object"));
  EXPECT_TRUE(HasProblem(problems, "$.consent", "object"));
  EXPECT_TRUE(HasProblem(problems, "$.signals", "object"));
  EXPECT_EQ(problems.size(), 11u) << FormatProblems(problems);
}

TEST(ArtifactValidation, VersionMustBeAStringOrANonNegativeInteger) {
  EXPECT_TRUE(HasProblem(
      ProblemsOf(R"({"schema_version": 1, "version": 1.5, "site": "d"})"),
      "$.version", "non-negative integer"));
  EXPECT_TRUE(HasProblem(
      ProblemsOf(R"({"schema_version": 1, "version": -1, "site": "d"})"),
      "$.version"));
  EXPECT_TRUE(HasProblem(
      ProblemsOf(R"({"schema_version": 1, "version": "", "site": "d"})"),
      "$.version"));
}

TEST(ArtifactValidation, PartsReportUnderTheirOwnPaths) {
  Problems problems = ProblemsOf(Minimal(R"(
    "segments": [{"id": "a", "condition": {"x": {"$in": 1}}}],
    "clusters": [{"id": "m", "features": ["x"],
                  "centroids": [{"id": "c", "vector": [1, 2]}]}],
    "slots": [{"id": "s", "variants": [{"id": "v"}]}],
    "experiments": [{"key": "e", "variations": ["only-one"]}])"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[0].condition.x.$in"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].centroids[0].vector",
                         "has 2 entries"));
  EXPECT_TRUE(
      HasProblem(problems, "$.slots[0].variants[0].template", "required"));
  bool experiment_problem = false;
  for (const Problem& p : problems) {
    experiment_problem |= p.path.rfind("$.experiments[0]", 0) == 0;
  }
  EXPECT_TRUE(experiment_problem) << FormatProblems(problems);
}

TEST(ArtifactValidation, SlotsAndExperimentsAreCrossChecked) {
  Problems problems = ProblemsOf(Minimal(R"(
    "slots": [
      {"id": "hero", "variants": [{"id": "a", "template": "A"},
                                  {"id": "b", "template": "B"}],
       "experiment": "hero-test"},
      {"id": "banner", "variants": [{"id": "x", "template": "X"}],
       "experiment": "no-such-test"},
      {"id": "hero", "variants": [{"id": "a", "template": "A"}]}
    ],
    "experiments": [
      {"key": "hero-test", "variations": ["a", "c"]},
      {"key": "hero-test", "variations": ["a", "b"]}
    ])"));
  EXPECT_TRUE(HasProblem(problems, "$.experiments[0].variations[1]",
                         "\"c\" is not a variant of slot \"hero\""));
  EXPECT_TRUE(HasProblem(problems, "$.slots[1].experiment",
                         "\"no-such-test\", which $.experiments does not"));
  EXPECT_TRUE(HasProblem(problems, "$.slots[2].id",
                         "duplicate slot id \"hero\" (also at $.slots[0])"));
  EXPECT_TRUE(HasProblem(problems, "$.experiments[1].key",
                         "duplicate experiment key \"hero-test\""));
  EXPECT_EQ(problems.size(), 4u) << FormatProblems(problems);
}

TEST(ArtifactValidation, SavedGroupsHoldArraysOfScalars) {
  Problems problems = ProblemsOf(Minimal(
      R"("savedGroups": {"ok": ["a", 1], "bad": "a", "mixed": [1, {"a": 1}],
                         "": []})"));
  EXPECT_TRUE(HasProblem(problems, "$.savedGroups.bad", "array"));
  EXPECT_TRUE(
      HasProblem(problems, "$.savedGroups.mixed[1]", "string or a number"));
  EXPECT_TRUE(HasProblem(problems, "$.savedGroups[\"\"]", "empty"));
  EXPECT_EQ(problems.size(), 3u) << FormatProblems(problems);
}

TEST(ArtifactValidation, ConsentFieldsAreChecked) {
  Problems problems = ProblemsOf(Minimal(R"("consent": {"mode": "gdpr",
      "honorGpc": "yes", "tracking": 1,
      "purposes": {"analytics": "no", "necessary": true, "ads": false}})"));
  EXPECT_TRUE(HasProblem(problems, "$.consent.mode", "\"opt-in\" or"));
  EXPECT_TRUE(HasProblem(problems, "$.consent.policyVersion", "required"));
  EXPECT_TRUE(HasProblem(problems, "$.consent.honorGpc", "true or false"));
  EXPECT_TRUE(HasProblem(problems, "$.consent.tracking", "unknown field"));
  EXPECT_TRUE(
      HasProblem(problems, "$.consent.purposes.analytics", "true or false"));
  EXPECT_TRUE(
      HasProblem(problems, "$.consent.purposes.necessary", "always granted"));
  EXPECT_TRUE(
      HasProblem(problems, "$.consent.purposes.ads", "unknown purpose"));
  EXPECT_EQ(problems.size(), 7u) << FormatProblems(problems);
}

TEST(ArtifactValidation, OptInModeCannotGrantAPurposeByDefault) {
  Problems problems = ProblemsOf(Minimal(R"("consent": {"mode": "opt-in",
      "policyVersion": "2026-01", "purposes": {"analytics": true}})"));
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_TRUE(
      HasProblem(problems, "$.consent.purposes.analytics", "opt-in mode"));
  Result<Artifact> opt_out = ParseArtifact(
      Minimal(R"("consent": {"mode": "opt-out", "policyVersion": "ccpa-3",
          "policyId": "us", "honorGpc": false,
          "purposes": {"analytics": true, "marketing": false}})"),
      nullptr);
  ASSERT_TRUE(opt_out.ok()) << opt_out.status().message();
  EXPECT_EQ(opt_out->consent.mode, ConsentMode::kOptOut);
  EXPECT_EQ(opt_out->consent.id, "us");
  EXPECT_FALSE(opt_out->consent.honor_gpc);
  EXPECT_EQ(opt_out->consent_defaults.analytics, true);
  EXPECT_EQ(opt_out->consent_defaults.marketing, false);
  EXPECT_EQ(opt_out->consent_defaults.source, ConsentSource::kDefault);
}

// Every signal carries the policy version (consent.policy), which the
// signal schema takes up to 64 bytes: a longer one would get every signal
// of the site refused, so the artifact cannot name one.
TEST(ArtifactValidation, PolicyVersionFitsInASignal) {
  const std::string fits(64, 'v');
  EXPECT_TRUE(ProblemsOf(Minimal(R"("consent": {"mode": "opt-in",
      "policyVersion": ")" + fits + R"("})")).empty());
  Problems problems = ProblemsOf(Minimal(R"("consent": {"mode": "opt-in",
      "policyVersion": ")" + fits + R"(v"})"));
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "$.consent.policyVersion", "64 bytes"));
  // Nor one that mentions an email address, which the signal's privacy
  // guard refuses wherever it stands (a server check, as the email guard).
  problems = ProblemsOf(Minimal(R"("consent": {"mode": "opt-in",
      "policyVersion": "2026-01, questions to dpo@shop.example"})"));
  ASSERT_EQ(problems.size(), 1u) << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "$.consent.policyVersion", "email"));
}

TEST(ArtifactValidation, SignalsFieldsAreChecked) {
  Problems problems = ProblemsOf(Minimal(R"("signals": {
      "endpoint": "//elsewhere.example/collect", "flushIntervalMs": 10,
      "maxBatchBytes": 70000, "format": "xml", "retries": 3})"));
  EXPECT_TRUE(HasProblem(problems, "$.signals.endpoint", "path"));
  EXPECT_TRUE(HasProblem(problems, "$.signals.flushIntervalMs",
                         "from 1000 to 3600000"));
  EXPECT_TRUE(
      HasProblem(problems, "$.signals.maxBatchBytes", "from 1024 to 65536"));
  EXPECT_TRUE(HasProblem(problems, "$.signals.format", "\"cbor\" or \"json\""));
  EXPECT_TRUE(HasProblem(problems, "$.signals.retries", "unknown field"));
  EXPECT_EQ(problems.size(), 5u) << FormatProblems(problems);

  Result<Artifact> absolute = ParseArtifact(
      Minimal(R"("signals": {"endpoint": "https://collect.example/v1/signals",
                             "format": "json", "flushIntervalMs": 1000})"),
      nullptr);
  ASSERT_TRUE(absolute.ok()) << absolute.status().message();
  EXPECT_EQ(absolute->signals.endpoint, "https://collect.example/v1/signals");
  EXPECT_EQ(absolute->signals.format, SignalFormat::kJson);
  EXPECT_EQ(absolute->signals.flush_interval_ms, 1000);
}

TEST(ArtifactValidation, ConditionReferencesMustExist) {
  Problems problems = ProblemsOf(Minimal(R"(
    "segments": [
      {"id": "a", "condition": {"segments": {"$in": ["ghost"]}}},
      {"id": "b", "condition": {"cluster": "nowhere"}},
      {"id": "c", "condition": {"id": {"$inGroup": "missing-group"}}},
      {"id": "d", "condition": {"$or": [{"segments": {"$all": ["d"]}}]}},
      {"id": "e", "condition": {"segments": {"$elemMatch": {"$eq": "f"}}}},
      {"id": "f", "condition": {}, "priority": -1},
      {"id": "g", "condition": {"segments": {"$regex": "^gh"},
                                "cluster": {"$exists": true}}}
    ],
    "clusters": [{"id": "m", "features": ["x"],
                  "centroids": [{"id": "c1", "segment": "a", "vector": [0]}]}],
    "slots": [{"id": "s", "variants": [
      {"id": "v", "template": "V", "condition": {
         "$and": [{"segments": "phantom"}, {"cluster": {"$in": ["c1", "c9"]}}]}}]}]
  )"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[0].condition",
                         "segment \"ghost\", which no segment"));
  EXPECT_TRUE(
      HasProblem(problems, "$.segments[1].condition", "cluster \"nowhere\""));
  EXPECT_TRUE(HasProblem(problems, "$.segments[2].condition",
                         "saved group \"missing-group\""));
  EXPECT_TRUE(
      HasProblem(problems, "$.segments[3].condition", "its own segment \"d\""));
  EXPECT_TRUE(HasProblem(problems, "$.segments[4].condition",
                         "segment \"f\" ($.segments[5]), which is evaluated "
                         "after this one"));
  EXPECT_TRUE(HasProblem(problems, "$.clusters[0].centroids[0].segment",
                         "\"a\" is also the id of rule segment $.segments[0]"));
  EXPECT_TRUE(HasProblem(problems, "$.slots[0].variants[0].condition",
                         "segment \"phantom\""));
  EXPECT_TRUE(HasProblem(problems, "$.slots[0].variants[0].condition",
                         "cluster \"c9\""));
  EXPECT_EQ(problems.size(), 8u) << FormatProblems(problems);
}

TEST(ArtifactValidation, RulesMayUseClusterSegmentsAndEarlierRules) {
  Problems problems = ProblemsOf(Minimal(R"(
    "segments": [
      {"id": "late", "condition": {"segments": {"$in": ["early", "from-cluster"]}}},
      {"id": "early", "condition": {}, "priority": 5},
      {"id": "tie-b", "condition": {"segments": {"$nin": ["tie-a"]}}},
      {"id": "tie-a", "condition": {}}
    ],
    "clusters": [{"id": "m", "features": ["x"],
                  "centroids": [{"id": "c", "segment": "from-cluster",
                                 "vector": [0]}]}])"));
  EXPECT_TRUE(problems.empty()) << FormatProblems(problems);
}

TEST(ArtifactValidation, RejectsEmailAddressesAnywhere) {
  Problems problems = ProblemsOf(Minimal(R"(
    "savedGroups": {"vips": ["alice@example.com", "v_123"],
                    "bob.smith+shop@mail.example.org": []},
    "segments": [{"id": "s", "condition": {"traits.email": "carol@example.co.uk"}}],
    "slots": [{"id": "footer", "variants": [{"id": "v",
       "template": "Questions? Write to help@demo.example",
       "condition": {"traits.email": {"$regex": "@demo\\.example$"}}}]}])"));
  EXPECT_TRUE(HasProblem(problems, "$.savedGroups.vips[0]",
                         "looks like an email address"));
  EXPECT_TRUE(HasProblem(problems,
                         "$.savedGroups[\"bob.smith+shop@mail.example.org\"]",
                         "key looks like an email address"));
  EXPECT_TRUE(HasProblem(problems, "$.segments[0].condition[\"traits.email\"]",
                         "email address"));
  // Running text and patterns are not addresses.
  EXPECT_EQ(problems.size(), 3u) << FormatProblems(problems);
}

TEST(ArtifactValidation, RefusesAPatternThatMatchesOneEmailAddressOnly) {
  Problems problems = ProblemsOf(Minimal(R"(
    "segments": [
      {"id": "one", "condition": {"traits.email":
          {"$regex": "^ada\\.lovelace@shop\\.example$"}}},
      {"id": "dots", "condition": {"traits.email":
          {"$regex": "^ada.lovelace@shop.example$"}}},
      {"id": "domain", "condition": {"traits.email":
          {"$regex": "@shop\\.example$"}}},
      {"id": "class", "condition": {"traits.email":
          {"$regex": "^\\w+@shop\\.example$"}}}])"));
  EXPECT_TRUE(HasProblem(problems,
                         "$.segments[0].condition[\"traits.email\"].$regex",
                         "pattern matching one email address"))
      << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems,
                         "$.segments[1].condition[\"traits.email\"].$regex",
                         "pattern matching one email address"))
      << FormatProblems(problems);
  // Patterns for many addresses name nobody.
  EXPECT_EQ(problems.size(), 2u) << FormatProblems(problems);
}

TEST(ArtifactParse, StatusMessageListsEveryProblemWithItsPath) {
  Result<Artifact> artifact = ParseArtifact(
      R"({"schema_version": 1, "site": "demo", "extra": 1,
          "signals": {"format": "xml"}})",
      nullptr);
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = artifact.status().message();
  EXPECT_NE(message.find("artifact has 3 problems:"), std::string::npos)
      << message;
  EXPECT_NE(message.find("\n$.extra: unknown field"), std::string::npos);
  EXPECT_NE(message.find("\n$.version: is required"), std::string::npos);
  EXPECT_NE(message.find("\n$.signals.format: must be"), std::string::npos);
}

TEST(ArtifactHolder, StartsEmpty) {
  ArtifactHolder holder;
  EXPECT_EQ(holder.current(), nullptr);
}

TEST(ArtifactHolder, AnInvalidArtifactNeverReplacesTheLastGoodOne) {
  StdRegexMatcher regex;
  ArtifactHolder holder(&regex);
  ASSERT_TRUE(holder.Replace(ExampleText()).ok());
  const Artifact* good = holder.current();
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(good->version, "2026-11-23T10:00:00Z#42");

  Status bad = holder.Replace(Minimal(R"("segments": [{"id": "x"}])"));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("$.segments[0].condition"), std::string::npos);
  EXPECT_EQ(holder.current(), good);
  EXPECT_EQ(holder.current()->version, "2026-11-23T10:00:00Z#42");

  EXPECT_FALSE(holder.Replace("not json").ok());
  EXPECT_FALSE(holder.Replace(R"({"schema_version": 9})").ok());
  EXPECT_EQ(holder.current(), good);

  ASSERT_TRUE(holder.Replace(Minimal()).ok());
  ASSERT_NE(holder.current(), nullptr);
  EXPECT_EQ(holder.current()->version, "v1");
}

TEST(ArtifactHolder, InvalidRegexIsRejectedWithTheHoldersMatcher) {
  StdRegexMatcher regex;
  ArtifactHolder holder(&regex);
  Status status = holder.Replace(Minimal(
      R"("segments": [{"id": "r", "condition": {"path": {"$regex": "(x"}}}])"));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("$.segments[0].condition"), std::string::npos)
      << status.message();
  EXPECT_EQ(holder.current(), nullptr);
}

}  // namespace
}  // namespace tessera
