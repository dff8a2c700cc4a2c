#include "tessera/signal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "tessera/cbor.h"
#include "test_support.h"

namespace tessera {
namespace {

std::string ReadFile(const std::string& path) {
  std::string text;
  if (FILE* file = std::fopen(path.c_str(), "rb")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
      text.append(buffer, n);
    }
    std::fclose(file);
  }
  return text;
}

// docs/examples/signal.json, parsed: a valid signal every rule test mutates.
Value Example() {
  static const Value example =
      Json(ReadFile(TESSERA_SOURCE_DIR "/docs/examples/signal.json"));
  return example;
}

#define EXPECT_PROBLEM(signal, path, words)                      \
  do {                                                           \
    const Problems found = ValidateSignal(signal);               \
    EXPECT_TRUE(HasProblem(found, path, words))                  \
        << "expected " << path << ": ..." << words << "... in\n" \
        << FormatProblems(found);                                \
  } while (0)

Value Consent(std::initializer_list<const char*> purposes) {
  Value granted = Value::MakeArray();
  for (const char* purpose : purposes) granted.push_back(Value(purpose));
  Value consent = Value::MakeObject();
  consent.set("granted", std::move(granted));
  consent.set("policy", Value("2024-06"));
  return consent;
}

SignalHeader Header() {
  SignalHeader header;
  header.id = "sig_0123456789abcdef";
  header.site = "demo";
  header.visitor_id = "visitor_0123456789ab";
  header.seq = 3;
  header.consent =
      Consent({"necessary", "analytics", "personalization", "marketing"});
  header.segments = {"returning_visitor"};
  header.cluster = "c1";
  header.context = Json(R"({"dev":"desktop","lang":"en-GB"})");
  return header;
}

// Header() with only "necessary" granted, so no memberships either.
SignalHeader NecessaryOnlyHeader() {
  SignalHeader header = Header();
  header.consent = Consent({"necessary"});
  header.segments.clear();
  header.cluster.clear();
  return header;
}

constexpr int64_t kNow = 1717408920000;

// ---- the documented example ------------------------------------------------

TEST(SignalExample, DocsExampleIsValidAndConsented) {
  const Value example = Example();
  ASSERT_TRUE(example.is_object()) << "docs/examples/signal.json not loaded";
  const Problems problems = ValidateSignal(example);
  EXPECT_TRUE(problems.empty()) << FormatProblems(problems);
  EXPECT_TRUE(CheckSignalConsent(example).ok());
  EXPECT_TRUE(CheckSignal(example).ok());
  EXPECT_EQ(example.find("site")->as_string(), "demo");
  const std::string& id = example.find("id")->as_string();
  EXPECT_GE(id.size(), 16u);
  EXPECT_LE(id.size(), 64u);
}

TEST(SignalExample, CborIsSmallerThanCompactJson) {
  const Value example = Example();
  const std::string json = EncodeSignal(example, SignalFormat::kJson);
  const std::string cbor = EncodeSignal(example, SignalFormat::kCbor);
  // The sizes quoted in docs/signal.md.
  std::printf("example signal: %zu bytes JSON, %zu bytes CBOR\n", json.size(),
              cbor.size());
  EXPECT_LT(cbor.size(), json.size());
  Result<Value> back = DecodeSignal(cbor, SignalFormat::kCbor);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Dump(), json);
}

// ---- the accumulator -------------------------------------------------------

TEST(SignalAccumulator, BuildsEveryRecordedSection) {
  SignalAccumulator accumulator;
  ASSERT_TRUE(accumulator.RecordEvent("page_view", 0, kNow - 5000, 9).ok());
  ASSERT_TRUE(accumulator.RecordEvent("page_view", 0, kNow - 4000, 9).ok());
  ASSERT_TRUE(
      accumulator.RecordEvent("purchase_complete", 59.5, kNow, 10).ok());
  ASSERT_TRUE(accumulator.RecordEvent("purchase_complete", 0.5, kNow, -1).ok());
  ASSERT_TRUE(accumulator.RecordWindowCounts("page_view", 12, 30, 55).ok());
  ASSERT_TRUE(accumulator.RecordExposure("hero-test", 1, "bold").ok());
  ASSERT_TRUE(accumulator.RecordImpression("hero", "spring").ok());
  ASSERT_TRUE(accumulator.RecordImpression("hero", "spring").ok());
  ASSERT_TRUE(accumulator.RecordImpression("hero", "default").ok());
  ASSERT_TRUE(accumulator.RecordClick("hero", "spring").ok());

  SignalHeader header = Header();
  header.marketing = true;
  const Value signal = accumulator.Build(header, kNow);
  EXPECT_EQ(signal.Dump(),
            Json(R"({"v":1,"id":"sig_0123456789abcdef","site":"demo",
                "vid":"visitor_0123456789ab","seq":3,
                "from":1717408915000,"to":1717408920000,
                "consent":{"granted":["necessary","analytics",
                  "personalization","marketing"],"policy":"2024-06"},
                "mkt":true,
                "agg":{"page_view":{"n":2,"n24h":12,"n7d":30,"n30d":55},
                       "purchase_complete":{"n":2,"sum":60}},
                "seg":["returning_visitor"],"cl":"c1",
                "exp":[{"key":"hero-test","var":1,"variant":"bold"}],
                "imp":{"hero":{"spring":2,"default":1}},
                "clk":{"hero":{"spring":1}},
                "hours":{"9":2,"10":1},
                "ctx":{"dev":"desktop","lang":"en-GB"}})")
                .Dump());
  EXPECT_TRUE(ValidateSignal(signal).empty())
      << FormatProblems(ValidateSignal(signal));
  EXPECT_TRUE(CheckSignalConsent(signal).ok());
}

TEST(SignalAccumulator, OmitsEmptySectionsAndCoversNowWhenNothingHappened) {
  SignalAccumulator accumulator;
  SignalHeader header = Header();
  header.segments.clear();
  header.cluster.clear();
  header.context = Value();
  const Value signal = accumulator.Build(header, kNow);
  EXPECT_EQ(signal.size(), 8u);  // v id site vid seq from to consent
  EXPECT_EQ(signal.find("from")->as_number(), kNow);
  EXPECT_EQ(signal.find("to")->as_number(), kNow);
  EXPECT_EQ(signal.find("mkt"), nullptr);
  EXPECT_TRUE(ValidateSignal(signal).empty());
}

TEST(SignalAccumulator, WindowStartsAtTheEarliestEventButNeverAfterNow) {
  SignalAccumulator accumulator;
  ASSERT_TRUE(accumulator.RecordEvent("a", 0, kNow - 100, 0).ok());
  ASSERT_TRUE(accumulator.RecordEvent("a", 0, kNow - 900, 0).ok());
  ASSERT_TRUE(accumulator.RecordEvent("a", 0, kNow + 500, 0).ok());  // skew
  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(signal.find("from")->as_number(), kNow - 900);
  EXPECT_EQ(signal.find("to")->as_number(), kNow);

  SignalAccumulator future_only;
  ASSERT_TRUE(future_only.RecordEvent("a", 0, kNow + 500, 0).ok());
  EXPECT_EQ(future_only.Build(Header(), kNow).find("from")->as_number(), kNow);
}

TEST(SignalAccumulator, DeduplicatesExposuresWithinAFlush) {
  SignalAccumulator accumulator;
  ASSERT_TRUE(accumulator.RecordExposure("exp", 0, "control").ok());
  ASSERT_TRUE(accumulator.RecordExposure("exp", 0, "control").ok());
  ASSERT_TRUE(accumulator.RecordExposure("exp", 1, "").ok());
  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(
      signal.find("exp")->Dump(),
      R"([{"key":"exp","var":0,"variant":"control"},{"key":"exp","var":1}])");
  accumulator.Reset();
  ASSERT_TRUE(accumulator.RecordExposure("exp", 0, "control").ok());
  EXPECT_EQ(accumulator.Build(Header(), kNow).find("exp")->size(), 1u);
}

TEST(SignalAccumulator, EmptyUntilActivityAndAgainAfterReset) {
  SignalAccumulator accumulator;
  EXPECT_TRUE(accumulator.empty());
  ASSERT_TRUE(accumulator.RecordWindowCounts("page_view", 1, 2, 3).ok());
  EXPECT_TRUE(accumulator.empty());  // state, not activity
  ASSERT_TRUE(accumulator.RecordClick("hero", "a").ok());
  EXPECT_FALSE(accumulator.empty());
  accumulator.Reset();
  EXPECT_TRUE(accumulator.empty());
  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(signal.find("agg"), nullptr);
  EXPECT_EQ(signal.find("clk"), nullptr);
  EXPECT_EQ(signal.find("hours"), nullptr);
}

TEST(SignalAccumulator, RefusesBadRecordsSayingWhy) {
  SignalAccumulator accumulator;
  Status status = accumulator.RecordEvent("Page View", 0, kNow, 0);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("[a-z0-9_]"), std::string::npos);
  status = accumulator.RecordEvent("a", std::nan(""), kNow, 0);
  EXPECT_NE(status.message().find("finite"), std::string::npos);
  status = accumulator.RecordEvent("a", 1, kNow, 168);
  EXPECT_NE(status.message().find("hour_of_week"), std::string::npos);
  EXPECT_FALSE(accumulator.RecordEvent("", 1, kNow, 0).ok());
  EXPECT_FALSE(accumulator.RecordExposure("e", -1, "").ok());
  EXPECT_FALSE(accumulator.RecordExposure("e", 1024, "").ok());
  EXPECT_FALSE(accumulator.RecordExposure("", 0, "").ok());
  EXPECT_FALSE(accumulator.RecordImpression("hero", "").ok());
  EXPECT_FALSE(accumulator.RecordImpression("a\nb", "x").ok());
  // The privacy guard applies before anything is stored.
  EXPECT_FALSE(accumulator.RecordClick("hero", "jane@example.com").ok());
  EXPECT_FALSE(accumulator.RecordWindowCounts("a", -1, 0, 0).ok());
  EXPECT_TRUE(accumulator.empty());
  EXPECT_EQ(accumulator.dropped(), 0);
}

TEST(SignalAccumulator, DropsRecordsWhoseSumWouldOverflow) {
  SignalAccumulator accumulator;
  const double huge = std::numeric_limits<double>::max();
  ASSERT_TRUE(accumulator.RecordEvent("a", huge, kNow, 0).ok());
  EXPECT_EQ(accumulator.RecordEvent("a", huge, kNow, 0).code(),
            StatusCode::kOutOfRange);
  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(signal.find_path("agg.a.n")->as_number(), 1);
  EXPECT_EQ(signal.find("drop")->as_number(), 1);
  EXPECT_TRUE(ValidateSignal(signal).empty());
}

// Prices add up as a till would: 0.01 + 2.09 is 2.1 in the signal, not the
// doubles' 2.0999999999999996 (which the server would add up further).
TEST(SignalAccumulator, SumsOfPricesAreExactInCents) {
  SignalAccumulator accumulator;
  ASSERT_TRUE(accumulator.RecordEvent("add_to_cart", 0.01, kNow, 0).ok());
  ASSERT_TRUE(accumulator.RecordEvent("add_to_cart", 2.09, kNow, 0).ok());
  for (double price : {64.13, 35.8, 0.07}) {
    ASSERT_TRUE(accumulator.RecordEvent("purchase", price, kNow, 0).ok());
  }
  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(signal.find_path("agg.add_to_cart.sum")->as_number(), 2.1);
  EXPECT_EQ(signal.find_path("agg.purchase.sum")->as_number(), 100);
}

TEST(SignalAccumulator, BoundsMemoryAndReportsWhatItDropped) {
  SignalAccumulator accumulator;
  for (size_t i = 0; i < kMaxSignalEventTypes; ++i) {
    ASSERT_TRUE(
        accumulator.RecordEvent("event_" + std::to_string(i), 1, kNow, 0).ok());
  }
  Status status = accumulator.RecordEvent("one_too_many", 1, kNow, 0);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("more than 64 event types"),
            std::string::npos);
  EXPECT_TRUE(accumulator.RecordEvent("event_0", 1, kNow, 0).ok());  // known

  for (size_t i = 0; i <= kMaxSignalExposures; ++i) {
    accumulator.RecordExposure("exp_" + std::to_string(i), 0, "");
  }
  for (size_t i = 0; i <= kMaxSignalSlots; ++i) {
    accumulator.RecordImpression("slot_" + std::to_string(i), "a");
  }
  for (size_t i = 0; i <= kMaxSignalVariantsPerSlot; ++i) {
    accumulator.RecordClick("slot", "variant_" + std::to_string(i));
  }
  EXPECT_EQ(accumulator.dropped(), 4);

  const Value signal = accumulator.Build(Header(), kNow);
  EXPECT_EQ(signal.find("agg")->size(), kMaxSignalEventTypes);
  EXPECT_EQ(signal.find_path("agg.event_0.n")->as_number(), 2);
  EXPECT_EQ(signal.find("exp")->size(), kMaxSignalExposures);
  EXPECT_EQ(signal.find("imp")->size(), kMaxSignalSlots);
  EXPECT_EQ(signal.find_path("clk.slot")->size(), kMaxSignalVariantsPerSlot);
  EXPECT_EQ(signal.find("drop")->as_number(), 4);
  EXPECT_TRUE(ValidateSignal(signal).empty())
      << FormatProblems(ValidateSignal(signal));
}

TEST(SignalAccumulator, LeavesOutHeaderSegmentsThatWouldBreakTheSchema) {
  SignalAccumulator accumulator;
  SignalHeader header = Header();
  header.segments = {"vip", "vip", "", "jane@example.com"};
  for (size_t i = 0; i < kMaxSignalSegments + 2; ++i) {
    header.segments.push_back("s" + std::to_string(i));
  }
  header.cluster = "bad\ncluster";
  const Value signal = accumulator.Build(header, kNow);
  ASSERT_NE(signal.find("seg"), nullptr);
  EXPECT_EQ(signal.find("seg")->size(), kMaxSignalSegments);
  EXPECT_EQ(signal.find("seg")->as_array()[0].as_string(), "vip");
  EXPECT_EQ(signal.find("cl"), nullptr);
  // The duplicate, the empty id, the email, 3 past the cap, the cluster.
  EXPECT_EQ(signal.find("drop")->as_number(), 7);
  EXPECT_TRUE(ValidateSignal(signal).empty())
      << FormatProblems(ValidateSignal(signal));
}

// ---- encode / decode -------------------------------------------------------

// ---- splitting a signal over its size cap
// ------------------------------------

// A signal with 40 event types, 20 slots' impressions and clicks, 10
// exposures and 30 engagement hours: several KB in either encoding.
Value LargeSignal() {
  SignalAccumulator accumulator;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "custom_event_number_" + std::to_string(i);
    EXPECT_TRUE(accumulator.RecordEvent(name, i, kNow - i * 3600000, i).ok());
  }
  for (int i = 0; i < 20; ++i) {
    const std::string slot = "slot_" + std::to_string(i);
    EXPECT_TRUE(accumulator.RecordImpression(slot, "variant_a").ok());
    EXPECT_TRUE(accumulator.RecordImpression(slot, "variant_b").ok());
    EXPECT_TRUE(accumulator.RecordClick(slot, "variant_a").ok());
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(
        accumulator.RecordExposure("experiment_" + std::to_string(i), 1, "b")
            .ok());
  }
  return accumulator.Build(Header(), kNow);
}

// Sum of every count in the record sections, by section.
std::map<std::string, double> RecordTotals(const std::vector<Value>& parts) {
  std::map<std::string, double> totals;
  for (const Value& part : parts) {
    if (const Value* agg = part.find("agg")) {
      for (const Member& m : agg->as_object())
        totals["agg.n"] += m.value.find("n")->as_number();
    }
    if (const Value* exp = part.find("exp")) totals["exp"] += exp->size();
    for (const char* section : {"imp", "clk"}) {
      if (const Value* slots = part.find(section)) {
        for (const Member& slot : slots->as_object()) {
          for (const Member& variant : slot.value.as_object())
            totals[section] += variant.value.as_number();
        }
      }
    }
    if (const Value* hours = part.find("hours")) {
      for (const Member& m : hours->as_object())
        totals["hours"] += m.value.as_number();
    }
  }
  return totals;
}

TEST(SignalSplit, PartsFitTheCapAndTogetherCountWhatTheSignalDid) {
  const Value signal = LargeSignal();
  for (SignalFormat format : {SignalFormat::kJson, SignalFormat::kCbor}) {
    const size_t cap = 700;
    ASSERT_GT(EncodeSignal(signal, format).size(), 3 * cap);
    const std::vector<Value> parts = SplitSignal(signal, format, cap);
    ASSERT_GE(parts.size(), 3u);
    EXPECT_EQ(RecordTotals(parts), RecordTotals({signal}));
    for (size_t i = 0; i < parts.size(); ++i) {
      EXPECT_LE(EncodeSignal(parts[i], format).size(), cap) << "part " << i;
      EXPECT_TRUE(ValidateSignal(parts[i]).empty())
          << FormatProblems(ValidateSignal(parts[i]));
      EXPECT_TRUE(CheckSignalConsent(parts[i]).ok());
      // The visitor's state is counted once: in the first part only.
      for (const char* once : {"seg", "cl", "ctx"}) {
        EXPECT_EQ(parts[i].find(once) != nullptr, i == 0) << once;
      }
      EXPECT_EQ(*parts[i].find("vid"), *signal.find("vid"));
      EXPECT_EQ(*parts[i].find("consent"), *signal.find("consent"));
    }
  }
}

TEST(SignalSplit, ASignalWithinTheCapIsOnePartAndARecordOverItTravelsAlone) {
  const Value signal = LargeSignal();
  const size_t whole = EncodeSignal(signal, SignalFormat::kJson).size();
  const std::vector<Value> one =
      SplitSignal(signal, SignalFormat::kJson, whole);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], signal);

  const std::vector<Value> tiny = SplitSignal(signal, SignalFormat::kJson, 10);
  EXPECT_EQ(RecordTotals(tiny), RecordTotals({signal}));
  for (size_t i = 1; i < tiny.size(); ++i) {
    size_t records = 0;
    for (const char* section : {"agg", "exp", "imp", "clk", "hours"}) {
      if (const Value* v = tiny[i].find(section)) records += v->size();
    }
    EXPECT_EQ(records, 1u) << "part " << i << ": one record each";
  }
}

TEST(SignalRoundTrip, AccumulatorToJsonAndCborAndBackValidates) {
  SignalAccumulator accumulator;
  ASSERT_TRUE(
      accumulator.RecordEvent("add_to_cart", 19.99, kNow - 60000, 40).ok());
  ASSERT_TRUE(accumulator.RecordEvent("add_to_cart", 0.01, kNow - 1, 40).ok());
  ASSERT_TRUE(accumulator.RecordExposure("checkout", 2, "one-page").ok());
  ASSERT_TRUE(accumulator.RecordImpression("pdp", "reco").ok());
  const Value built = accumulator.Build(Header(), kNow);
  for (SignalFormat format : {SignalFormat::kJson, SignalFormat::kCbor}) {
    const std::string body = EncodeSignal(built, format);
    Result<Value> decoded = DecodeSignal(body, format);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, built);
    EXPECT_EQ(decoded->Dump(), built.Dump());
    EXPECT_TRUE(ValidateSignal(*decoded).empty());
    EXPECT_TRUE(CheckSignal(*decoded).ok());
  }
  EXPECT_EQ(EncodeSignal(built, SignalFormat::kCbor), EncodeCbor(built));
}

TEST(SignalDecode, RefusesMalformedAndOversizedBodies) {
  Result<Value> decoded = DecodeSignal("{\"v\":1,", SignalFormat::kJson);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  decoded = DecodeSignal("\xa1\x61", SignalFormat::kCbor);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("byte offset"), std::string::npos);

  const std::string huge(kMaxSignalBytes + 1, ' ');
  decoded = DecodeSignal(huge, SignalFormat::kJson);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(decoded.status().message().find("65536"), std::string::npos);
  // Far deeper than any valid signal.
  decoded = DecodeSignal(std::string(20, '\x81') + "\x80", SignalFormat::kCbor);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange);
}

// ---- schema validation -----------------------------------------------------

TEST(SignalValidate, RootMustBeAnObject) {
  EXPECT_PROBLEM(Json("[]"), "$", "must be an object");
  EXPECT_PROBLEM(Value(), "$", "must be an object");
}

TEST(SignalValidate, RequiresEveryHeaderField) {
  for (const char* field :
       {"v", "id", "site", "vid", "seq", "from", "to", "consent"}) {
    Value signal = Example();
    ASSERT_TRUE(signal.erase(field));
    EXPECT_PROBLEM(signal, std::string("$.") + field, "is required");
  }
}

TEST(SignalValidate, RejectsUnknownFieldsAtEveryLevel) {
  Value signal = Example();
  signal.set("email_hash", Value("abc"));
  signal.find("consent")->set("extra", Value(1));
  signal.find("agg")->find("page_view")->set("avg", Value(1));
  signal.find("exp")->as_array()[0].set("name", Value("x"));
  signal.find("ctx")->set("url", Value("/x"));
  EXPECT_PROBLEM(signal, "$.email_hash", "unknown field");
  EXPECT_PROBLEM(signal, "$.consent.extra", "unknown field");
  EXPECT_PROBLEM(signal, "$.agg.page_view.avg", "unknown field");
  EXPECT_PROBLEM(signal, "$.exp[0].name", "unknown field");
  EXPECT_PROBLEM(signal, "$.ctx.url", "unknown field");
}

TEST(SignalValidate, RejectsOtherSchemaVersions) {
  Value signal = Example();
  signal.set("v", Value(2));
  EXPECT_PROBLEM(signal, "$.v", "unsupported schema version 2");
  signal.set("v", Value("1"));
  EXPECT_PROBLEM(signal, "$.v", "must be the number 1");
}

TEST(SignalValidate, ChecksIdAndVisitorIdCharsetAndLength) {
  for (const char* field : {"id", "vid"}) {
    const std::string path = std::string("$.") + field;
    for (Value bad : {Value(std::string(15, 'a')), Value(std::string(65, 'a')),
                      Value("abcdefgh.ijklmnop"), Value("abcdefgh ijklmnop"),
                      Value(1234567890123456.0)}) {
      Value signal = Example();
      signal.set(field, bad);
      EXPECT_PROBLEM(signal, path, "16-64 chars of [A-Za-z0-9_-]");
    }
    Value signal = Example();
    signal.set(field, Value(std::string(16, 'Z')));
    EXPECT_TRUE(ValidateSignal(signal).empty());
    signal.set(field, Value(std::string(64, '-')));
    EXPECT_TRUE(ValidateSignal(signal).empty());
  }
}

TEST(SignalValidate, ChecksSiteName) {
  for (Value bad : {Value(""), Value("demo site"), Value("dém"), Value(7),
                    Value(std::string(65, 's'))}) {
    Value signal = Example();
    signal.set("site", bad);
    EXPECT_PROBLEM(signal, "$.site", "1-64 chars");
  }
}

TEST(SignalValidate, CountsMustBeNonNegativeSafeIntegers) {
  const struct {
    const char* dotted;
    const char* path;
  } kCounts[] = {{"seq", "$.seq"},
                 {"from", "$.from"},
                 {"agg.page_view.n", "$.agg.page_view.n"},
                 {"agg.page_view.n7d", "$.agg.page_view.n7d"},
                 {"imp.home_hero.spring_sale", "$.imp.home_hero.spring_sale"},
                 {"clk.home_hero.spring_sale", "$.clk.home_hero.spring_sale"},
                 {"hours.9", "$.hours.9"}};
  for (const auto& count : kCounts) {
    for (Value bad : {Value(-1), Value(1.5), Value("3"), Value(1e17)}) {
      Value signal = Example();
      // Walk to the parent object and replace the member.
      Value* parent = &signal;
      std::string rest = count.dotted;
      for (size_t dot; (dot = rest.find('.')) != std::string::npos;) {
        parent = parent->find(rest.substr(0, dot));
        ASSERT_NE(parent, nullptr) << count.dotted;
        rest = rest.substr(dot + 1);
      }
      parent->set(rest, bad);
      EXPECT_PROBLEM(signal, count.path, "non-negative integer");
    }
  }
  Value signal = Example();
  signal.set("drop", Value(-3));
  EXPECT_PROBLEM(signal, "$.drop", "non-negative integer");
}

TEST(SignalValidate, SumsMustBeFiniteNumbers) {
  for (Value bad :
       {Value(std::nan("")), Value(std::numeric_limits<double>::infinity()),
        Value("74.5")}) {
    Value signal = Example();
    signal.find("agg")->find("add_to_cart")->set("sum", bad);
    EXPECT_PROBLEM(signal, "$.agg.add_to_cart.sum", "finite number");
  }
  Value signal = Example();
  signal.find("agg")->find("add_to_cart")->set("sum", Value(-12.25));  // refund
  EXPECT_TRUE(ValidateSignal(signal).empty());
}

TEST(SignalValidate, AggregatesNeedACountAndASnakeCaseType) {
  Value signal = Example();
  signal.find("agg")->find("page_view")->erase("n");
  signal.find("agg")->set("Page View", Json(R"({"n":1})"));
  signal.find("agg")->set("scroll", Value(3));
  EXPECT_PROBLEM(signal, "$.agg.page_view.n", "is required");
  EXPECT_PROBLEM(signal, "$.agg[\"Page View\"]", "[a-z0-9_]");
  EXPECT_PROBLEM(signal, "$.agg.scroll", "must be an object");
}

TEST(SignalValidate, TimeRangeMustBeOrdered) {
  Value signal = Example();
  signal.set("from", Value(kNow + 1));
  signal.set("to", Value(kNow));
  EXPECT_PROBLEM(signal, "$.from", "not be later than to");
}

TEST(SignalValidate, EnforcesSizeCaps) {
  Value signal = Example();
  for (size_t i = 0; i <= kMaxSignalEventTypes; ++i) {
    signal.find("agg")->set("e" + std::to_string(i), Json(R"({"n":1})"));
  }
  Value segments = Value::MakeArray();
  for (size_t i = 0; i <= kMaxSignalSegments; ++i) {
    segments.push_back(Value("s" + std::to_string(i)));
  }
  signal.set("seg", segments);
  Value exposures = Value::MakeArray();
  for (size_t i = 0; i <= kMaxSignalExposures; ++i) {
    Value exposure = Value::MakeObject();
    exposure.set("key", Value("x" + std::to_string(i)));
    exposure.set("var", Value(0));
    exposures.push_back(exposure);
  }
  signal.set("exp", exposures);
  Value variants = Value::MakeObject();
  for (size_t i = 0; i <= kMaxSignalVariantsPerSlot; ++i) {
    variants.set("v" + std::to_string(i), Value(1));
  }
  signal.find("imp")->set("home_hero", variants);
  for (size_t i = 0; i <= kMaxSignalSlots; ++i) {
    signal.find("clk")->set("slot" + std::to_string(i), Json(R"({"a":1})"));
  }
  Value purposes = Value::MakeArray();
  for (size_t i = 0; i <= kMaxSignalPurposes; ++i) {
    purposes.push_back(Value("p" + std::to_string(i)));
  }
  signal.find("consent")->set("granted", purposes);

  EXPECT_PROBLEM(signal, "$.agg", "event types, more than the limit of 64");
  EXPECT_PROBLEM(signal, "$.seg", "more than the limit of 64");
  EXPECT_PROBLEM(signal, "$.exp", "more than the limit of 32");
  EXPECT_PROBLEM(signal, "$.imp.home_hero", "more than the limit of 16");
  EXPECT_PROBLEM(signal, "$.clk", "more than the limit of 32");
  EXPECT_PROBLEM(signal, "$.consent.granted", "more than the limit of 16");
}

TEST(SignalValidate, RejectsSignalsLargerThanTheByteLimit) {
  // Within every count cap, but long labels make it big.
  Value signal = Example();
  Value slots = Value::MakeObject();
  for (size_t s = 0; s < kMaxSignalSlots; ++s) {
    Value variants = Value::MakeObject();
    for (size_t v = 0; v < kMaxSignalVariantsPerSlot; ++v) {
      variants.set(std::to_string(v) + std::string(125, 'v'), Value(1));
    }
    slots.set(std::to_string(s) + std::string(125, 's'), variants);
  }
  signal.set("imp", slots);
  EXPECT_PROBLEM(signal, "$", "over the 65536-byte limit");
}

TEST(SignalValidate, ChecksHourOfWeekKeys) {
  for (const char* bad : {"168", "-1", "01", "x", ""}) {
    Value signal = Example();
    signal.find("hours")->set(bad, Value(1));
    EXPECT_PROBLEM(signal, JoinPath("$.hours", std::string(bad)),
                   "hour of the week");
  }
  Value signal = Example();
  signal.find("hours")->set("0", Value(1));
  signal.find("hours")->set("167", Value(1));
  EXPECT_TRUE(ValidateSignal(signal).empty());
}

TEST(SignalValidate, ContextIsCoarseAndHasNoQueryStrings) {
  const struct {
    const char* field;
    Value value;
    const char* words;
  } kBad[] = {
      {"dev", Value("phone"), "one of desktop, mobile, tablet, other"},
      {"lang", Value("e"), "language tag"},
      {"lang", Value("en_GB!"), "language tag"},
      {"page", Value("/search?q=shoes"), "without host, query string"},
      {"page", Value("/a#top"), "fragment"},
      {"page", Value("https://demo.example/a"), "path"},
      {"page", Value("//demo.example/a"), "path"},
      {"page", Value("/" + std::string(256, 'a')), "256 bytes"},
  };
  for (const auto& bad : kBad) {
    Value signal = Example();
    signal.find("ctx")->set(bad.field, bad.value);
    EXPECT_PROBLEM(signal, std::string("$.ctx.") + bad.field, bad.words);
  }
}

TEST(SignalValidate, ChecksTheConsentSnapshot) {
  Value signal = Example();
  signal.find("consent")->erase("granted");
  signal.find("consent")->erase("policy");
  EXPECT_PROBLEM(signal, "$.consent.granted", "is required");
  EXPECT_PROBLEM(signal, "$.consent.policy", "is required");

  signal = Example();
  signal.find("consent")->set("granted", Value("analytics"));
  signal.find("consent")->set("policy", Json("{}"));
  EXPECT_PROBLEM(signal, "$.consent.granted", "must be an array");
  EXPECT_PROBLEM(signal, "$.consent.policy", "integer or a string");

  signal = Example();
  signal.find("consent")->set("granted",
                              Json(R"(["analytics","Analytics","analytics"])"));
  EXPECT_PROBLEM(signal, "$.consent.granted[1]", "[a-z0-9_]");
  EXPECT_PROBLEM(signal, "$.consent.granted[2]", "duplicates");

  signal = Example();
  signal.set("consent", Value("all"));
  EXPECT_PROBLEM(signal, "$.consent", "must be an object");

  // An unversioned policy ("") and integer versions are fine.
  signal = Example();
  signal.find("consent")->set("policy", Value(""));
  EXPECT_TRUE(ValidateSignal(signal).empty());
  signal.find("consent")->set("policy", Value(7));
  EXPECT_TRUE(ValidateSignal(signal).empty());
}

TEST(SignalValidate, ChecksExposures) {
  Value signal = Example();
  signal.set("exp", Json(R"([{"var":1},{"key":"k","var":-1},
      {"key":"k","var":1024},{"key":"k","var":2,"variant":""},
      {"key":"dup","var":0},{"key":"dup","var":0}, 5])"));
  EXPECT_PROBLEM(signal, "$.exp[0].key", "is required");
  EXPECT_PROBLEM(signal, "$.exp[1].var", "integer from 0 to 1023");
  EXPECT_PROBLEM(signal, "$.exp[2].var", "integer from 0 to 1023");
  EXPECT_PROBLEM(signal, "$.exp[3].variant", "1-128 bytes");
  EXPECT_PROBLEM(signal, "$.exp[5]", "duplicates an earlier exposure");
  EXPECT_PROBLEM(signal, "$.exp[6]", "must be an object");
  signal.set("exp", Json(R"({"key":"k"})"));
  EXPECT_PROBLEM(signal, "$.exp", "must be an array");
}

TEST(SignalValidate, ChecksSegmentsAndCluster) {
  Value signal = Example();
  signal.set("seg", Json(R"(["a", 3, "a", ""])"));
  signal.set("cl", Value(2));
  EXPECT_PROBLEM(signal, "$.seg[1]", "1-128 bytes");
  EXPECT_PROBLEM(signal, "$.seg[2]", "duplicates");
  EXPECT_PROBLEM(signal, "$.seg[3]", "1-128 bytes");
  EXPECT_PROBLEM(signal, "$.cl", "1-128 bytes");
  signal.set("seg", Value("a"));
  EXPECT_PROBLEM(signal, "$.seg", "must be an array");
}

TEST(SignalValidate, ChecksMarketingFlagType) {
  Value signal = Example();
  signal.set("mkt", Value(1));
  EXPECT_PROBLEM(signal, "$.mkt", "boolean");
}

// ---- privacy guard ---------------------------------------------------------

TEST(SignalPrivacy, RecognisesEmailAddresses) {
  for (const char* text : {"jane@example.com", "John.Doe+news@Mail.Example.ORG",
                           "/account/jane%40example.com/orders",
                           "id=jane_doe@shop.co.uk.", "x@y.io"}) {
    EXPECT_TRUE(ContainsEmailAddress(text)) << text;
  }
  for (const char* text :
       {"@home", "jane@", "user@localhost", "a@b.c", "price @ 5.00", "50%40.5",
        "hero-copy-2024", "a@b..com", "a@.com"}) {
    EXPECT_FALSE(ContainsEmailAddress(text)) << text;
  }
}

// The label and email checks scan eight bytes at a time, with a short
// text padded and the last block overlapping: a marker or a control byte
// must be seen at every position of texts of every length around 8 and 16.
TEST(SignalPrivacy, LabelChecksSeeEveryPositionOfShortAndLongTexts) {
  for (size_t length = 1; length <= 20; ++length) {
    const std::string plain(length, 'k');
    EXPECT_TRUE(IsSignalLabel(plain)) << length;
    for (size_t at = 0; at < length; ++at) {
      for (char control : {'\x01', '\x1f', '\x7f'}) {
        std::string text = plain;
        text[at] = control;
        EXPECT_FALSE(IsSignalLabel(text)) << length << " " << at;
      }
      std::string spaced = plain;
      spaced[at] = ' ';  // 0x20 is text, not a control byte
      EXPECT_TRUE(IsSignalLabel(spaced)) << length << " " << at;
    }
    // "a@bc.de" placed at each offset that fits.
    for (size_t at = 0; at + 7 <= length; ++at) {
      std::string text = plain;
      text.replace(at, 7, "a@bc.de");
      EXPECT_TRUE(ContainsEmailAddress(text)) << text;
      EXPECT_FALSE(IsSignalLabel(text)) << text;
    }
  }
}

TEST(SignalPrivacy, RejectsEmailAddressesAnywhereInTheSignal) {
  Value signal = Example();
  signal.set("vid", Value("jane.doe@example.com"));
  signal.find("ctx")->set("page", Value("/u/jane%40example.com"));
  signal.set("seg", Json(R"(["bob@example.org"])"));
  signal.find("imp")->set("carol@example.net", Json(R"({"a":1})"));
  signal.find("consent")->set("policy", Value("v1 by dpo@example.com"));
  signal.set("note", Value("dan@example.com"));  // unknown field: both
  const Problems problems = ValidateSignal(signal);
  const char* kWords = "looks like an email address";
  EXPECT_TRUE(HasProblem(problems, "$.vid", kWords))
      << FormatProblems(problems);
  EXPECT_TRUE(HasProblem(problems, "$.ctx.page", kWords));
  EXPECT_TRUE(HasProblem(problems, "$.seg[0]", kWords));
  EXPECT_TRUE(HasProblem(problems, "$.imp[\"carol@example.net\"]", kWords));
  EXPECT_TRUE(HasProblem(problems, "$.consent.policy", kWords));
  EXPECT_TRUE(HasProblem(problems, "$.note", kWords));
  EXPECT_TRUE(HasProblem(problems, "$.note", "unknown field"));
  // An email-shaped label is reported once, as PII, not also as a bad label.
  EXPECT_FALSE(HasProblem(problems, "$.seg[0]", "1-128 bytes"));
  EXPECT_EQ(CheckSignal(signal).code(), StatusCode::kInvalidArgument);
}

// ---- consent rules ---------------------------------------------------------

TEST(SignalConsent, RefusesBehaviouralDataWithoutAnalytics) {
  Value signal = Example();
  signal.set("consent", Consent({"necessary", "personalization", "marketing"}));
  EXPECT_TRUE(ValidateSignal(signal).empty());  // the schema is fine
  Status status = CheckSignalConsent(signal);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("\"analytics\" is not granted"),
            std::string::npos);
  EXPECT_NE(status.message().find("agg, seg, cl, exp, imp, clk, hours"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(CheckSignal(signal).code(), StatusCode::kFailedPrecondition);

  // Each behavioural section alone is enough to need analytics.
  for (const char* section :
       {"agg", "seg", "cl", "exp", "imp", "clk", "hours"}) {
    SignalAccumulator empty;
    Value only = empty.Build(NecessaryOnlyHeader(), kNow);
    only.set(section,
             Example().find(section) ? *Example().find(section) : Value());
    EXPECT_TRUE(ValidateSignal(only).empty()) << section;
    EXPECT_EQ(CheckSignalConsent(only).code(), StatusCode::kFailedPrecondition)
        << section;
  }
}

TEST(SignalConsent, RefusesTheMarketingFlagWithoutMarketing) {
  Value signal = Example();
  signal.set("consent", Consent({"necessary", "analytics"}));
  Status status = CheckSignalConsent(signal);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("\"marketing\" is not granted"),
            std::string::npos);
  signal.set("mkt", Value(false));
  EXPECT_TRUE(CheckSignalConsent(signal).ok());
}

TEST(SignalConsent, AllowsAConsentOnlySignalWithoutAnalytics) {
  // A flush that only reports the consent state (e.g. a withdrawal).
  SignalAccumulator accumulator;
  const Value signal = accumulator.Build(NecessaryOnlyHeader(), kNow);
  EXPECT_TRUE(CheckSignal(signal).ok()) << CheckSignal(signal).ToString();
}

TEST(SignalConsent, APagePathNeedsAnalytics) {
  SignalAccumulator accumulator;
  SignalHeader header = NecessaryOnlyHeader();
  header.context = Value::MakeObject();
  header.context.set("dev", "mobile");
  header.context.set("lang", "fr-FR");
  Value signal = accumulator.Build(header, kNow);
  EXPECT_TRUE(CheckSignal(signal).ok()) << "coarse context needs no purpose";

  Value context = *signal.find("ctx");
  context.set("page", "/account/orders");
  signal.set("ctx", context);
  EXPECT_TRUE(ValidateSignal(signal).empty());  // the schema is fine
  Status status = CheckSignalConsent(signal);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("ctx.page but \"analytics\" is not granted"),
            std::string::npos)
      << status.message();
}

TEST(SignalConsent, RefusesWhenThereIsNoSnapshot) {
  Value signal = Example();
  signal.erase("consent");
  EXPECT_EQ(CheckSignalConsent(signal).code(), StatusCode::kFailedPrecondition);
  // CheckSignal reports the missing snapshot as a schema error first.
  Status status = CheckSignal(signal);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("$.consent: is required"), std::string::npos);
}

// ---- the ingest fast path --------------------------------------------------

// What the full path stores for `body`, or "" when it does not accept it.
std::string FullPathBody(const std::string& body) {
  Result<Value> decoded = DecodeSignal(body, SignalFormat::kJson);
  if (!decoded.ok() || !CheckSignal(*decoded).ok()) return "";
  return StoredSignalJson(body, *decoded);
}

TEST(SignalFastPath, AcceptsTheDocsExampleAsTheFullPathStoresIt) {
  const std::string body =
      ReadFile(TESSERA_SOURCE_DIR "/docs/examples/signal.json");
  AcceptedSignal accepted;
  ASSERT_TRUE(TryAcceptJsonSignal(body, &accepted));
  EXPECT_EQ(accepted.site, "demo");
  EXPECT_EQ(accepted.id, "sig_5Qm8XcA2rT7kLw9EpZ3n");
  EXPECT_EQ(accepted.vid, "6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3");
  EXPECT_EQ(accepted.body, FullPathBody(body));
  EXPECT_EQ(accepted.body.find('\n'), std::string::npos);
  // The SDK's own compact form is accepted and stored as it came.
  const std::string compact = Example().Dump();
  ASSERT_TRUE(TryAcceptJsonSignal(compact, &accepted));
  EXPECT_EQ(accepted.body, compact);
}

TEST(SignalFastPath, LeavesValidSignalsItDoesNotReadToTheFullPath) {
  // An escaped string and a repeated key: valid, but not for the tape.
  Value escaped = Example();
  escaped.set("cl", "c\"2");
  const std::string repeated = R"({"v":1,"v":1,)" + Example().Dump().substr(1);
  for (const std::string& body : {escaped.Dump(), repeated}) {
    AcceptedSignal accepted;
    EXPECT_FALSE(TryAcceptJsonSignal(body, &accepted)) << body;
    EXPECT_NE(FullPathBody(body), "") << body;
  }
}

TEST(SignalFastPath, NeverAcceptsWhatTheFullPathRefuses) {
  Value no_id = Example();
  no_id.erase("id");
  Value unknown = Example();
  unknown.set("extra", 1);
  Value email = Example();
  email.set("cl", "someone@example.com");
  Value no_marketing = Example();
  no_marketing.set("consent", Consent({"necessary", "analytics"}));
  Value no_analytics = Example();
  no_analytics.set("consent", Consent({"necessary", "marketing"}));
  Value too_long = Example();
  too_long.set("drop", 0);
  std::string oversized = too_long.Dump();
  oversized.insert(oversized.size() - 1,
                   std::string(kMaxSignalBytes, ' '));  // valid JSON, too big
  for (const std::string& body :
       {no_id.Dump(), unknown.Dump(), email.Dump(), no_marketing.Dump(),
        no_analytics.Dump(), oversized, std::string("[]"),
        std::string("{\"v\":1"), std::string("\xff")}) {
    AcceptedSignal accepted;
    EXPECT_FALSE(TryAcceptJsonSignal(body, &accepted)) << body.substr(0, 80);
    EXPECT_EQ(FullPathBody(body), "") << body.substr(0, 80);
  }
}

}  // namespace
}  // namespace tessera
