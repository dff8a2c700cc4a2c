#include "tessera/engine.h"

#include <gtest/gtest.h>

#include <string>

#include "tessera/engine_json.h"
#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {

constexpr int64_t kNow = 1'764'000'000'000;  // 2025-11-24
constexpr int64_t kDay = 24LL * 60 * 60 * 1000;

const char* kArtifact = R"({
  "schema_version": 1, "version": "test-1", "site": "demo",
  "segments": [
    {"id": "recent_buyers", "name": "Recent Buyers", "priority": 10,
     "condition": {"event.purchase_complete.days_since_last":
                   {"$exists": true, "$lte": 7}}},
    {"id": "engaged", "name": "Engaged Visitors", "priority": 5,
     "condition": {"event.page_view.count_24h": {"$gt": 5}}},
    {"id": "high_value", "name": "High-Value", "priority": 20,
     "condition": {"traits.predicted_clv": {"$gt": 500}}}
  ],
  "slots": [
    {"id": "hero", "default": "standard", "variants": [
      {"id": "vip", "condition": {"segments": {"$in": ["high_value"]}},
       "template": "<h2>Exclusive VIP Discount</h2>"},
      {"id": "welcome", "condition": {"traits.subscriber": true},
       "template": "<h2>Welcome Offer</h2>"},
      {"id": "standard", "template": "<h2>Standard Promotion</h2>"}]},
    {"id": "banner", "default": "a", "experiment": "banner-test", "variants": [
      {"id": "a", "template": "A"}, {"id": "b", "template": "B"}]}
  ],
  "experiments": [
    {"key": "banner-test", "variations": ["a", "b"], "weights": [0.5, 0.5]}
  ]
})";

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : engine_(Options(), kNow, &regex_) {
    EXPECT_TRUE(engine_.LoadArtifact(kArtifact, kNow).ok());
  }

  static EngineOptions Options() {
    EngineOptions options;
    options.site = "demo";
    options.visitor_id = "visitor_0123456789abcdef";
    return options;  // opt-in policy by default
  }

  // An artifact with no segments or slots whose signals are capped at
  // `max_batch_bytes` (signals.maxBatchBytes).
  void CapSignalsAt(int max_batch_bytes) {
    const std::string artifact =
        R"({"schema_version": 1, "version": "s", "site": "demo", )"
        R"("signals": {"maxBatchBytes": )" +
        IntegerText(max_batch_bytes) + "}}";
    EXPECT_TRUE(engine_.LoadArtifact(artifact, kNow).ok());
  }

  void GrantAll() {
    ConsentUpdate update;
    update.analytics = true;
    update.personalization = true;
    update.marketing = true;
    engine_.SetConsent(update, kNow);
  }

  StdRegexMatcher regex_;
  Engine engine_;
};

TEST_F(EngineTest, NothingIsRecordedStoredOrSentBeforeConsent) {
  Result<Event> tracked = engine_.Track("page_view", Value(), Value(), kNow);
  ASSERT_FALSE(tracked.ok());
  EXPECT_EQ(tracked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_.SaveProfile(), "");
  Result<std::string> signal =
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kJson, kNow);
  ASSERT_TRUE(signal.ok());
  EXPECT_EQ(*signal, "");
  Result<Decision> hero = engine_.Decide("hero", kNow);
  ASSERT_TRUE(hero.ok());
  EXPECT_EQ(hero->source, "default");
  EXPECT_EQ(hero->html, "<h2>Standard Promotion</h2>");
}

TEST_F(EngineTest, RecentPurchaseMakesARecentBuyer) {
  GrantAll();
  EXPECT_TRUE(engine_.Segments(kNow).empty()) << "never bought: no segment";
  Value purchase = Value::MakeObject();
  purchase.set("value", 42.5);
  purchase.set("currency", "eur");
  ASSERT_TRUE(engine_
                  .Track("Purchase Complete", purchase,
                         Value(static_cast<double>(kNow - 3 * kDay)), kNow)
                  .ok());
  std::vector<std::string> segments = engine_.Segments(kNow);
  EXPECT_NE(std::find(segments.begin(), segments.end(), "recent_buyers"),
            segments.end());
  // Eight days later the purchase is too old.
  segments = engine_.Segments(kNow + 5 * kDay);
  EXPECT_EQ(std::find(segments.begin(), segments.end(), "recent_buyers"),
            segments.end());
}

TEST_F(EngineTest, SixPageViewsInADayMakeAnEngagedVisitor) {
  GrantAll();
  for (int i = 0; i < 5; ++i) {
    engine_.Track("page_view", Value(), Value(), kNow - i * 3600 * 1000);
  }
  auto has_engaged = [&] {
    std::vector<std::string> s = engine_.Segments(kNow);
    return std::find(s.begin(), s.end(), "engaged") != s.end();
  };
  EXPECT_FALSE(has_engaged());
  engine_.Track("page_view", Value(), Value(), kNow);
  EXPECT_TRUE(has_engaged());
}

TEST_F(EngineTest, HeroSlotPicksVipThenWelcomeThenStandard) {
  GrantAll();
  EXPECT_EQ(engine_.Decide("hero", kNow)->variant_id, "standard");
  Value traits = Value::MakeObject();
  traits.set("subscriber", true);
  ASSERT_TRUE(engine_.Identify("user-1", traits, kNow).ok());
  EXPECT_EQ(engine_.Decide("hero", kNow)->html, "<h2>Welcome Offer</h2>");
  traits.set("predicted_clv", 900);
  ASSERT_TRUE(engine_.Identify("user-1", traits, kNow).ok());
  Result<Decision> vip = engine_.Decide("hero", kNow);
  EXPECT_EQ(vip->variant_id, "vip");
  EXPECT_EQ(vip->source, "rule");
}

TEST_F(EngineTest, UnknownSlotIsNotFound) {
  Result<Decision> missing = engine_.Decide("nope", kNow);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST_F(EngineTest, PreviewedSlotsShowTheirVariantAndCountNothing) {
  EngineOptions options = Options();
  options.previews = *ParseJson(R"({"hero":"vip","banner":"b","nowhere":"x"})");
  Engine previewing(options, kNow, &regex_);
  ASSERT_TRUE(previewing.LoadArtifact(kArtifact, kNow).ok());
  // Before consent: the variant, rendered with its own data only.
  Result<Decision> vip = previewing.Decide("hero", kNow);
  ASSERT_TRUE(vip.ok()) << vip.status().ToString();
  EXPECT_EQ(vip->source, "preview");
  EXPECT_EQ(vip->variant_id, "vip");
  EXPECT_EQ(vip->html, "<h2>Exclusive VIP Discount</h2>");

  ConsentUpdate all;
  all.analytics = all.personalization = all.marketing = true;
  previewing.SetConsent(all, kNow);
  previewing.Track("page_view", Value(), Value(), kNow);
  std::vector<Decision> decisions = previewing.DecideAll(kNow);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].variant_id, "vip");
  EXPECT_EQ(decisions[1].source, "preview");
  EXPECT_EQ(decisions[1].html, "B");
  EXPECT_FALSE(decisions[1].exposure.has_value());
  // The experiment's exposure is not recorded for a previewed slot.
  Result<std::string> signal =
      previewing.Flush("flush_0123456789abcdef", 1, SignalFormat::kJson, kNow);
  ASSERT_TRUE(signal.ok());
  EXPECT_NE(signal->find("page_view"), std::string::npos);
  EXPECT_EQ(signal->find("banner-test"), std::string::npos) << *signal;

  // A variant the slot lacks is ignored: the slot decides as usual.
  options.previews = *ParseJson(R"({"hero":"gold"})");
  Engine mistyped(options, kNow, &regex_);
  ASSERT_TRUE(mistyped.LoadArtifact(kArtifact, kNow).ok());
  EXPECT_EQ(mistyped.Decide("hero", kNow)->source, "default");
}

TEST_F(EngineTest, InvalidArtifactKeepsTheLastGoodOne) {
  Status bad =
      engine_.LoadArtifact(R"({"schema_version":1,"slots":"x"})", kNow);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(engine_.LoadArtifact("{not json", kNow).ok());
  EXPECT_TRUE(engine_.Decide("hero", kNow).ok());
  EXPECT_EQ(engine_.artifact()->slots.size(), 2u);
}

TEST_F(EngineTest, FlushBuildsAValidSignalOnceAndExposuresAreIncluded) {
  GrantAll();
  engine_.Track("page_view", Value(), Value(), kNow);
  Result<Decision> banner = engine_.Decide("banner", kNow);
  ASSERT_TRUE(banner.ok());
  ASSERT_TRUE(banner->exposure.has_value());
  engine_.RecordImpression("banner", banner->variant_id);

  Result<std::string> bytes =
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kCbor, kNow);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_FALSE(bytes->empty());
  Result<Value> signal = DecodeSignal(*bytes, SignalFormat::kCbor);
  ASSERT_TRUE(signal.ok()) << signal.status().ToString();
  EXPECT_TRUE(CheckSignal(*signal).ok()) << CheckSignal(*signal).ToString();
  EXPECT_EQ(signal->find("vid")->as_string(), "visitor_0123456789abcdef");
  const std::string text = signal->Dump();
  EXPECT_NE(text.find("banner-test"), std::string::npos);
  EXPECT_NE(text.find("page_view"), std::string::npos);

  Result<std::string> again =
      engine_.Flush("flush_1123456789abcdef", 2, SignalFormat::kCbor, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "") << "nothing new since the last flush";
}

TEST_F(EngineTest, WithdrawingConsentErasesTheProfileAndPendingSignal) {
  GrantAll();
  engine_.Track("page_view", Value(), Value(), kNow);
  ASSERT_NE(engine_.SaveProfile(), "");
  ConsentUpdate withdraw;
  withdraw.analytics = false;
  withdraw.personalization = false;
  ConsentChange change = engine_.SetConsent(withdraw, kNow);
  EXPECT_TRUE(change.changed);
  EXPECT_EQ(change.withdrawn.size(), 2u);
  EXPECT_EQ(engine_.SaveProfile(), "");
  GrantAll();
  EXPECT_EQ(engine_.Attributes(kNow)
                .find_path("event.page_view.count_all")
                ->as_number(),
            0);
  Result<std::string> signal =
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kJson, kNow);
  ASSERT_TRUE(signal.ok());
  EXPECT_EQ(*signal, "");
}

TEST_F(EngineTest, WithdrawingPersonalizationForgetsTheUserIdAndTraits) {
  GrantAll();
  Value traits = Value::MakeObject();
  traits.set("name", "Ada");
  ASSERT_TRUE(engine_.Identify("user-42", traits, kNow).ok());
  ASSERT_TRUE(engine_.Track("page_view", Value(), Value(), kNow).ok());
  engine_.SetConsent(
      ConsentUpdate{ConsentSource::kApi, std::nullopt, false, std::nullopt},
      kNow);

  // What the page would store now, read back under every purpose.
  Engine reloaded(Options(), kNow, &regex_);
  reloaded.SetConsent(ConsentUpdate{ConsentSource::kApi, true, true, true},
                      kNow);
  ASSERT_TRUE(reloaded.RestoreProfile(engine_.SaveProfile()).ok());
  const Value& attributes = reloaded.Attributes(kNow);
  EXPECT_TRUE(attributes.find("userId")->is_null());
  EXPECT_EQ(attributes.find_path("traits.name"), nullptr);
  EXPECT_EQ(attributes.find_path("event.page_view.count_all")->as_number(), 1)
      << "analytics still keeps the aggregates";
}

// A profile stored under personalization, read back on a page where a new
// policy no longer grants it (analytics still does): the page may keep the
// aggregates, not the user id and traits.
TEST_F(EngineTest, RestoringWithoutPersonalizationForgetsTheUserIdAndTraits) {
  GrantAll();
  Value traits = Value::MakeObject();
  traits.set("name", "Ada");
  ASSERT_TRUE(engine_.Identify("user-42", traits, kNow).ok());
  ASSERT_TRUE(engine_.Track("page_view", Value(), Value(), kNow).ok());

  Engine next(Options(), kNow, &regex_);
  next.SetConsent(ConsentUpdate{ConsentSource::kApi, true, false, false}, kNow);
  ASSERT_TRUE(next.RestoreProfile(engine_.SaveProfile()).ok());
  EXPECT_EQ(next.SaveProfile().find("Ada"), std::string::npos);
  EXPECT_EQ(next.SaveProfile().find("user-42"), std::string::npos);
  next.SetConsent(ConsentUpdate{ConsentSource::kApi, true, true, false}, kNow);
  const Value& attributes = next.Attributes(kNow);
  EXPECT_TRUE(attributes.find("userId")->is_null());
  EXPECT_EQ(attributes.find_path("traits.name"), nullptr);
  EXPECT_EQ(attributes.find_path("event.page_view.count_all")->as_number(), 1);
}

TEST_F(EngineTest, IdentifyNeedsPersonalization) {
  engine_.SetConsent(ConsentUpdate{ConsentSource::kApi, true, false, false},
                     kNow);
  Value traits = Value::MakeObject();
  traits.set("name", "Ada");
  Status identified = engine_.Identify("user-42", traits, kNow);
  EXPECT_EQ(identified.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(identified.message().find("personalization"), std::string::npos);
  EXPECT_EQ(engine_.SaveProfile().find("Ada"), std::string::npos);
}

TEST_F(EngineTest, ProfileSurvivesSaveAndRestoreAndRejectsCorruption) {
  GrantAll();
  engine_.Track("add_to_cart", Value(), Value(), kNow);
  std::string saved = engine_.SaveProfile();

  Engine other(Options(), kNow, &regex_);
  other.SetConsent(ConsentUpdate{ConsentSource::kApi, true, true, false}, kNow);
  ASSERT_TRUE(other.RestoreProfile(saved).ok());
  EXPECT_EQ(other.Attributes(kNow)
                .find_path("event.add_to_cart.count_24h")
                ->as_number(),
            1);

  std::string corrupted = saved;
  corrupted[corrupted.size() / 2] ^= 0x5A;
  Status status = other.RestoreProfile(corrupted);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(other.Attributes(kNow)
                .find_path("event.add_to_cart.count_24h")
                ->as_number(),
            1)
      << "a corrupted restore keeps the profile";
}

TEST_F(EngineTest, ForgetErasesAndStartsANewVisitor) {
  GrantAll();
  engine_.Track("page_view", Value(), Value(), kNow);
  engine_.Forget("visitor_fedcba9876543210");
  const Value& attributes = engine_.Attributes(kNow);
  EXPECT_EQ(attributes.find("id")->as_string(), "visitor_fedcba9876543210");
  EXPECT_EQ(attributes.find_path("event.page_view.count_all")->as_number(), 0);
}

TEST_F(EngineTest, ConsentRecordRoundTrips) {
  GrantAll();
  Engine other(Options(), kNow, &regex_);
  ASSERT_TRUE(other.RestoreConsent(engine_.ConsentRecord(), kNow).ok());
  EXPECT_TRUE(other.consent().IsGranted(Purpose::kMarketing));
  Status bad = other.RestoreConsent("{\"v\":\"x\"}", kNow);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(other.RestoreConsent("not json", kNow).ok());
}

TEST_F(EngineTest, RestoringAnotherTabsWithdrawalDropsWhatItCovered) {
  GrantAll();
  ASSERT_TRUE(engine_.Track("page_view", Value(), Value(), kNow).ok());
  // Another tab withdraws analytics and keeps personalization.
  Engine other_tab(Options(), kNow, &regex_);
  other_tab.SetConsent(
      ConsentUpdate{ConsentSource::kApi, false, true, std::nullopt}, kNow);

  ASSERT_TRUE(engine_.RestoreConsent(other_tab.ConsentRecord(), kNow).ok());
  EXPECT_FALSE(engine_.consent().IsGranted(Purpose::kAnalytics));
  GrantAll();
  Result<std::string> signal =
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kJson, kNow);
  ASSERT_TRUE(signal.ok());
  EXPECT_EQ(*signal, "")
      << "aggregates gathered under the withdrawn analytics are not sent "
         "after a new grant";
  EXPECT_EQ(engine_.Attributes(kNow)
                .find_path("event.page_view.count_all")
                ->as_number(),
            1)
      << "the profile, kept under personalization, stays";
}

// The signal carries the context's device and language only when its schema
// takes them; anything else a site sets stays for its conditions.
TEST_F(EngineTest, TheSignalCarriesOnlyTheContextItsSchemaTakes) {
  GrantAll();
  auto flush_context = [&](const char* device, const char* language) {
    Context context;
    context.device = device;
    context.language = language;
    engine_.SetContext(context);
    EXPECT_TRUE(engine_.Track("page_view", Value(), Value(), kNow).ok());
    Result<std::string> bytes = engine_.Flush(
        "flush_0123456789abcdef", 1, SignalFormat::kJson, kNow);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    Result<Value> signal = DecodeSignal(*bytes, SignalFormat::kJson);
    EXPECT_TRUE(signal.ok());
    EXPECT_TRUE(ValidateSignal(*signal).empty())
        << FormatProblems(ValidateSignal(*signal));
    const Value* ctx = signal->find("ctx");
    return ctx ? ctx->Dump() : std::string("none");
  };
  EXPECT_EQ(flush_context("mobile", "fr-FR"),
            R"({"dev":"mobile","lang":"fr-FR"})");
  EXPECT_EQ(flush_context("phone", "fr-FR"), R"({"lang":"fr-FR"})");
  EXPECT_EQ(flush_context("tablet", "en_US"), R"({"dev":"tablet"})");
  EXPECT_EQ(flush_context("smart fridge", "x"), "none");
}

// An engine whose artifact caps signals at 1024 bytes, holding 40 event
// types since its last flush: several KB of signal.
class EngineSignals : public EngineTest {
 protected:
  EngineSignals() {
    CapSignalsAt(1024);
    GrantAll();
    for (int i = 0; i < 40; ++i) {
      EXPECT_TRUE(engine_
                      .Track("custom_event_number_" + IntegerText(i), Value(),
                             Value(), kNow)
                      .ok());
    }
  }
};

TEST_F(EngineSignals, ASignalOverTheArtifactsCapComesOutInParts) {
  std::vector<Value> parts;
  for (int call = 1; call <= 100; ++call) {
    const std::string id = "flush_0123456789ab_" + IntegerText(call);
    Result<std::string> bytes =
        engine_.Flush(id, call, SignalFormat::kCbor, kNow);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    if (bytes->empty()) break;
    EXPECT_LE(bytes->size(), 1024u);
    Result<Value> part = DecodeSignal(*bytes, SignalFormat::kCbor);
    ASSERT_TRUE(part.ok());
    EXPECT_TRUE(ValidateSignal(*part).empty())
        << FormatProblems(ValidateSignal(*part));
    EXPECT_EQ(part->find("id")->as_string(), id);
    EXPECT_EQ(part->find("seq")->as_number(), call);
    parts.push_back(*std::move(part));
  }
  ASSERT_GE(parts.size(), 2u);
  double events = 0;
  for (const Value& part : parts) {
    for (const Member& m : part.find("agg")->as_object())
      events += m.value.find("n")->as_number();
  }
  EXPECT_EQ(events, 40) << "every event counted once across the parts";
}

TEST_F(EngineSignals, WithdrawingAnalyticsDropsTheUnsentParts) {
  ASSERT_FALSE(
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kCbor, kNow)
          ->empty());
  engine_.SetConsent(
      ConsentUpdate{ConsentSource::kApi, false, std::nullopt, std::nullopt},
      kNow);
  engine_.SetConsent(
      ConsentUpdate{ConsentSource::kApi, true, std::nullopt, std::nullopt},
      kNow);
  EXPECT_EQ(
      *engine_.Flush("flush_0123456789abcdee", 2, SignalFormat::kCbor, kNow),
      "");
}

TEST_F(EngineSignals, WithdrawingMarketingDropsTheUnsentPartsFlaggedForEmail) {
  ASSERT_FALSE(
      engine_.Flush("flush_0123456789abcdef", 1, SignalFormat::kCbor, kNow)
          ->empty());
  engine_.SetConsent(
      ConsentUpdate{ConsentSource::kApi, std::nullopt, std::nullopt, false},
      kNow);
  Result<std::string> next =
      engine_.Flush("flush_0123456789abcdee", 2, SignalFormat::kCbor, kNow);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, "") << "no part built with mkt is sent after the withdrawal";
}

TEST_F(EngineTest, NoSignalRequestIsOver60KiBWhateverTheArtifactAllows) {
  CapSignalsAt(65536);
  GrantAll();
  // Every slot and variant the caps allow, with 100-byte labels: about
  // 100 KB of impressions and clicks.
  for (int slot = 0; slot < 32; ++slot) {
    for (int variant = 0; variant < 16; ++variant) {
      const std::string s = std::string(96, 's') + IntegerText(1000 + slot);
      const std::string v = std::string(96, 'v') + IntegerText(1000 + variant);
      engine_.RecordImpression(s, v);
      engine_.RecordClick(s, v);
    }
  }
  size_t parts = 0;
  for (int call = 1; call <= 100; ++call) {
    Result<std::string> bytes =
        engine_.Flush("flush_0123456789ab_" + IntegerText(call), call,
                      SignalFormat::kJson, kNow);
    ASSERT_TRUE(bytes.ok());
    if (bytes->empty()) break;
    EXPECT_LE(bytes->size(), kMaxSignalRequestBytes);
    ++parts;
  }
  EXPECT_GE(parts, 2u);
}

TEST(EngineConsent, ArtifactPolicyAppliesUnlessThePageChoseOne) {
  StdRegexMatcher regex;
  const char* opt_out = R"({"schema_version": 1, "version": "p", "site": "demo",
    "consent": {"mode": "opt-out", "policyVersion": "ccpa-1",
                "purposes": {"marketing": false}}})";
  EngineOptions options;
  options.site = "demo";
  options.visitor_id = "visitor_0123456789abcdef";
  Engine adopting(options, kNow, &regex);
  EXPECT_FALSE(adopting.consent().IsGranted(Purpose::kAnalytics));
  ASSERT_TRUE(adopting.LoadArtifact(opt_out, kNow).ok());
  EXPECT_TRUE(adopting.consent().IsGranted(Purpose::kAnalytics));
  EXPECT_FALSE(adopting.consent().IsGranted(Purpose::kMarketing));
  EXPECT_EQ(adopting.consent().Snapshot().policy_version, "ccpa-1");

  ConsentUpdate accept_all{ConsentSource::kApi, true, true, true};
  adopting.SetConsent(accept_all, kNow);
  ASSERT_TRUE(adopting.LoadArtifact(opt_out, kNow + 1).ok());
  EXPECT_TRUE(adopting.consent().IsGranted(Purpose::kMarketing))
      << "reloading the artifact must not undo the visitor's choice";

  options.consent_policy_from_page = true;  // opt-in chosen by the page
  Engine keeping(options, kNow, &regex);
  ASSERT_TRUE(keeping.LoadArtifact(opt_out, kNow).ok());
  EXPECT_FALSE(keeping.consent().IsGranted(Purpose::kAnalytics));
}

TEST(EngineConsent, RestoringKeepsTheArtifactPolicyWhenThePageSetNone) {
  StdRegexMatcher regex;
  const char* opt_out = R"({"schema_version": 1, "version": "p", "site": "demo",
    "consent": {"mode": "opt-out", "policyVersion": "ccpa-1"}})";
  EngineOptions options;
  options.site = "demo";
  options.visitor_id = "visitor_0123456789abcdef";
  Engine first(options, kNow, &regex);
  ASSERT_TRUE(first.LoadArtifact(opt_out, kNow).ok());
  ASSERT_TRUE(first.consent().IsGranted(Purpose::kAnalytics));

  // The next page: the stored state is restored before any artifact loads,
  // and must not fall back to the built-in opt-in default meanwhile.
  Engine next(options, kNow, &regex);
  ASSERT_TRUE(next.RestoreConsent(first.ConsentRecord(), kNow).ok());
  EXPECT_TRUE(next.consent().IsGranted(Purpose::kAnalytics));
  EXPECT_EQ(next.consent().Snapshot().policy_version, "ccpa-1");
}

TEST(EngineJson, ConsentUpdatesNameTheBadField) {
  Result<Value> bad = ParseJson(R"({"analytics":"yes"})");
  Result<ConsentUpdate> r = ConsentUpdateFromValue(*bad, ConsentSource::kApi);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("consent.analytics"), std::string::npos);
  Result<Value> unknown = ParseJson(R"({"ads":true})");
  EXPECT_FALSE(ConsentUpdateFromValue(*unknown, ConsentSource::kApi).ok());
  Result<Value> good = ParseJson(R"({"analytics":true,"marketing":false})");
  Result<ConsentUpdate> ok = ConsentUpdateFromValue(*good, ConsentSource::kApi);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->analytics, true);
  EXPECT_EQ(ok->marketing, false);
  EXPECT_FALSE(ok->personalization.has_value());
}

TEST(EngineJson, OptionsAndContextAreChecked) {
  EXPECT_FALSE(EngineOptionsFromValue(*ParseJson("{}")).ok());
  EXPECT_FALSE(
      EngineOptionsFromValue(*ParseJson(R"({"site":"d","gpc":"no"})")).ok());
  Result<EngineOptions> options = EngineOptionsFromValue(*ParseJson(
      R"({"site":"demo","gpc":true,"consentPolicy":{"mode":"opt-out"}})"));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->global_privacy_control);
  EXPECT_EQ(options->consent_policy.mode, ConsentMode::kOptOut);
  EXPECT_TRUE(options->previews.is_null());
  // The page's policy version goes into every signal, as the artifact's.
  Result<EngineOptions> long_version = EngineOptionsFromValue(*ParseJson(
      R"({"site":"demo","consentPolicy":{"mode":"opt-in","policyVersion":")" +
      std::string(65, 'v') + R"("}})"));
  ASSERT_FALSE(long_version.ok());
  EXPECT_NE(long_version.status().message().find("64 bytes"),
            std::string::npos)
      << long_version.status().message();
  Result<EngineOptions> previewing = EngineOptionsFromValue(
      *ParseJson(R"({"site":"demo","preview":{"hero":"vip","banner":"b"}})"));
  ASSERT_TRUE(previewing.ok());
  EXPECT_EQ(previewing->previews.Dump(), R"({"hero":"vip","banner":"b"})");
  for (const char* bad : {R"({"site":"d","preview":"hero:vip"})",
                          R"({"site":"d","preview":{"hero":1}})"}) {
    Result<EngineOptions> refused = EngineOptionsFromValue(*ParseJson(bad));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("preview"), std::string::npos);
  }
  Result<Context> context = ContextFromValue(
      *ParseJson(R"({"device":"mobile","utcOffsetMinutes":90})"));
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->utc_offset_minutes, 90);
  EXPECT_FALSE(
      ContextFromValue(*ParseJson(R"({"utcOffsetMinutes":5000})")).ok());
}

TEST(EngineJson, ErrorsCarryAStableCodeAndMessage) {
  Value error = ErrorValue(Status::NotFound("no slot"));
  EXPECT_EQ(error.Dump(),
            R"({"ok":false,"error":{"code":"not_found","message":"no slot"}})");
}

TEST(EngineJson, DecisionTextIsWhatJsonStringifyWrites) {
  Decision rule;
  rule.slot_id = "hero";
  rule.variant_id = "vip";
  rule.source = "rule";
  rule.html = "<p class=\"x\">caf\xc3\xa9 \\ line\nbreak\ttab\x01</p>";
  EXPECT_EQ(DecisionJson(rule),
            R"({"ok":true,"slot":"hero","variant":"vip","source":"rule",)"
            R"("html":"<p class=\"x\">caf)"
            "\xc3\xa9"
            R"( \\ line\nbreak\ttab\u0001</p>"})");

  Decision held;
  held.slot_id = "banner";
  held.variant_id = "control";
  held.source = "default";
  held.render_status = Status::InvalidArgument("unclosed section \"x\"");
  Exposure e;
  e.experiment_key = "exp-1";
  e.variation_index = 1;
  e.variant_id = "b";
  e.in_holdout = true;
  e.hash_attribute = "id";
  e.bucket = 0.3125;
  held.exposure = e;
  const std::string held_json =
      R"({"ok":true,"slot":"banner","variant":"control","source":"default",)"
      R"("html":"","exposure":{"key":"exp-1","variation":1,"variant":"b",)"
      R"("inExperiment":false,"inHoldout":true,"hashAttribute":"id",)"
      R"("bucket":0.3125},"renderError":"unclosed section \"x\""})";
  EXPECT_EQ(DecisionJson(held), held_json);

  EXPECT_EQ(DecisionsJson({}), "[]");
  const std::string both = DecisionsJson({rule, held});
  EXPECT_EQ(both, "[" + DecisionJson(rule) + "," + held_json + "]");
  // Valid JSON that reads back to the same fields.
  Result<Value> parsed = ParseJson(both);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->as_array()[0].find("html")->as_string(), rule.html);
  EXPECT_EQ(parsed->as_array()[1].find_path("exposure.bucket")->as_number(),
            0.3125);
}

}  // namespace
}  // namespace tessera
