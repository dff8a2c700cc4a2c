#include "test_support.h"
#include "tessera/consent.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera {
namespace {

constexpr int64_t kT0 = 1709296200000;


ConsentPolicy Policy(ConsentMode mode, std::string version = "v1",
                     bool honor_gpc = true) {
  ConsentPolicy policy;
  policy.id = "shop";
  policy.version = std::move(version);
  policy.mode = mode;
  policy.honor_gpc = honor_gpc;
  return policy;
}

ConsentUpdate Update(ConsentSource source, std::optional<bool> analytics,
                     std::optional<bool> personalization,
                     std::optional<bool> marketing) {
  ConsentUpdate update;
  update.source = source;
  update.analytics = analytics;
  update.personalization = personalization;
  update.marketing = marketing;
  return update;
}

using Purposes = std::vector<Purpose>;

// ---- purposes and operations ----------------------------------------------

TEST(ConsentPurposes, HaveStableNames) {
  EXPECT_STREQ(PurposeName(Purpose::kNecessary), "necessary");
  EXPECT_STREQ(PurposeName(Purpose::kAnalytics), "analytics");
  EXPECT_STREQ(PurposeName(Purpose::kPersonalization), "personalization");
  EXPECT_STREQ(PurposeName(Purpose::kMarketing), "marketing");
  EXPECT_STREQ(ConsentSourceName(ConsentSource::kApi), "api");
  EXPECT_STREQ(ConsentSourceName(ConsentSource::kTcf), "tcf");
  EXPECT_STREQ(ConsentSourceName(ConsentSource::kGcm), "gcm");
  EXPECT_STREQ(ConsentSourceName(ConsentSource::kGpc), "gpc");
  EXPECT_STREQ(ConsentSourceName(ConsentSource::kDefault), "default");
}

TEST(ConsentOperations, EachDeclaresThePurposeItNeeds) {
  EXPECT_EQ(RequiredPurpose(Operation::kTrack), Purpose::kAnalytics);
  EXPECT_EQ(RequiredPurpose(Operation::kSendSignal), Purpose::kAnalytics);
  EXPECT_EQ(RequiredPurpose(Operation::kStoreProfile),
            Purpose::kPersonalization);
  EXPECT_EQ(RequiredPurpose(Operation::kEvaluateSegments),
            Purpose::kPersonalization);
  EXPECT_EQ(RequiredPurpose(Operation::kRenderPersonalized),
            Purpose::kPersonalization);
  EXPECT_EQ(RequiredPurpose(Operation::kSendMarketingSignal),
            Purpose::kMarketing);
  EXPECT_STREQ(OperationName(Operation::kRenderPersonalized),
               "render_personalized");
}

// ---- defaults and checks ---------------------------------------------------

TEST(ConsentState, OptInRefusesEverythingButNecessary) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  EXPECT_TRUE(state.IsGranted(Purpose::kNecessary));
  EXPECT_FALSE(state.IsGranted(Purpose::kAnalytics));
  EXPECT_FALSE(state.IsGranted(Purpose::kPersonalization));
  EXPECT_FALSE(state.IsGranted(Purpose::kMarketing));
  Status status = state.Check(Operation::kTrack);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "operation \"track\" needs consent for purpose \"analytics\", "
            "which is not granted");
  EXPECT_EQ(state.Check(Operation::kEvaluateSegments).message(),
            "operation \"evaluate_segments\" needs consent for purpose "
            "\"personalization\", which is not granted");
}

TEST(ConsentState, OptOutGrantsEverythingUntilRefused) {
  ConsentState state(Policy(ConsentMode::kOptOut), kT0);
  for (Operation op :
       {Operation::kTrack, Operation::kStoreProfile,
        Operation::kEvaluateSegments, Operation::kRenderPersonalized,
        Operation::kSendSignal, Operation::kSendMarketingSignal}) {
    EXPECT_TRUE(state.Check(op).ok()) << OperationName(op);
  }
}

TEST(ConsentState, DefaultPolicyIsOptInAndHonoursGpc) {
  ConsentPolicy policy;
  EXPECT_EQ(policy.mode, ConsentMode::kOptIn);
  EXPECT_TRUE(policy.honor_gpc);
}

TEST(ConsentState, StartsWithADefaultRecord) {
  ConsentState state(Policy(ConsentMode::kOptOut, "2024-01"), kT0);
  ASSERT_EQ(state.history().size(), 1u);
  const ConsentRecord& record = state.history()[0];
  EXPECT_EQ(record.time_ms, kT0);
  EXPECT_EQ(record.source, ConsentSource::kDefault);
  EXPECT_EQ(record.policy_version, "2024-01");
  EXPECT_TRUE(record.analytics && record.personalization && record.marketing);
}

// ---- changes ---------------------------------------------------------------

TEST(ConsentSet, GrantsAndReportsWithdrawnPurposes) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  EXPECT_EQ(state.Set(Update(ConsentSource::kApi, true, true, true), kT0 + 1),
            Purposes{});
  EXPECT_TRUE(state.Check(Operation::kSendMarketingSignal).ok());
  Purposes withdrawn = state.Set(
      Update(ConsentSource::kApi, false, std::nullopt, false), kT0 + 2);
  EXPECT_EQ(withdrawn, (Purposes{Purpose::kAnalytics, Purpose::kMarketing}));
  EXPECT_FALSE(state.IsGranted(Purpose::kAnalytics));
  EXPECT_TRUE(state.IsGranted(Purpose::kPersonalization));  // left as is
  EXPECT_FALSE(state.IsGranted(Purpose::kMarketing));
  EXPECT_TRUE(state.IsGranted(Purpose::kNecessary));
}

TEST(ConsentSet, RefusingWhatWasNotGrantedWithdrawsNothing) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  EXPECT_EQ(state.Set(Update(ConsentSource::kApi, false, false, false), kT0),
            Purposes{});
}

TEST(ConsentSet, RecordsTimeSourceAndPolicyVersion) {
  ConsentState state(Policy(ConsentMode::kOptIn, "v7"), kT0);
  state.Set(Update(ConsentSource::kTcf, true, false, std::nullopt), kT0 + 5);
  ASSERT_EQ(state.history().size(), 2u);
  const ConsentRecord& record = state.history().back();
  EXPECT_EQ(record.time_ms, kT0 + 5);
  EXPECT_EQ(record.source, ConsentSource::kTcf);
  EXPECT_EQ(record.policy_version, "v7");
  EXPECT_TRUE(record.analytics);
  EXPECT_FALSE(record.personalization);
  EXPECT_FALSE(record.marketing);
}

TEST(ConsentSet, UnchangedStateRecordsNothing) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  state.Set(Update(ConsentSource::kApi, true, std::nullopt, std::nullopt), kT0);
  state.Set(Update(ConsentSource::kApi, true, std::nullopt, std::nullopt), kT0);
  state.Set(
      Update(ConsentSource::kGcm, std::nullopt, std::nullopt, std::nullopt),
      kT0);
  EXPECT_EQ(state.history().size(), 2u);
}

TEST(ConsentSet, ConfirmingADefaultIsRecordedAsAChoice) {
  // Same grants, but now the visitor chose them: that is worth a record.
  ConsentState state(Policy(ConsentMode::kOptOut), kT0);
  state.Set(Update(ConsentSource::kApi, true, true, true), kT0 + 1);
  ASSERT_EQ(state.history().size(), 2u);
  EXPECT_EQ(state.history().back().source, ConsentSource::kApi);
}

TEST(ConsentSet, HistoryKeepsTheLastRecordsOnly) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  for (int i = 1; i <= 40; ++i) {
    state.Set(
        Update(ConsentSource::kApi, i % 2 == 1, std::nullopt, std::nullopt),
        kT0 + i);
  }
  ASSERT_EQ(state.history().size(), kMaxConsentHistory);
  EXPECT_EQ(state.history().back().time_ms, kT0 + 40);
  EXPECT_EQ(state.history().front().time_ms, kT0 + 40 - 31);
}

// ---- Global Privacy Control ------------------------------------------------

TEST(ConsentGpc, RefusesMarketingWhenTheSignalAppears) {
  ConsentState state(Policy(ConsentMode::kOptOut), kT0);
  EXPECT_EQ(state.SetGlobalPrivacyControl(true, kT0 + 1),
            Purposes{Purpose::kMarketing});
  EXPECT_FALSE(state.IsGranted(Purpose::kMarketing));
  EXPECT_TRUE(state.IsGranted(Purpose::kAnalytics));
  EXPECT_EQ(state.Check(Operation::kSendMarketingSignal).message(),
            "operation \"send_marketing_signal\" needs consent for purpose "
            "\"marketing\", which is not granted");
  EXPECT_EQ(state.history().back().source, ConsentSource::kGpc);
  EXPECT_TRUE(state.global_privacy_control());
}

TEST(ConsentGpc, RelayedGrantsCannotOverrideIt) {
  ConsentState state(Policy(ConsentMode::kOptOut), kT0);
  state.SetGlobalPrivacyControl(true, kT0);
  state.Set(Update(ConsentSource::kTcf, true, true, true), kT0 + 1);
  state.Set(Update(ConsentSource::kGcm, true, true, true), kT0 + 2);
  state.Set(Update(ConsentSource::kDefault, true, true, true), kT0 + 3);
  EXPECT_FALSE(state.IsGranted(Purpose::kMarketing));
  EXPECT_TRUE(state.IsGranted(Purpose::kPersonalization));
}

// A CMP replays its stored state on every page (TCF 'tcloaded', the
// dataLayer's updates): it must not re-grant what the visitor refused later
// through the site's own banner. Its refusals still apply.
TEST(ConsentPrecedence, RelayedGrantsDoNotLiftARefusalMadeThroughTheApi) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  state.Set(Update(ConsentSource::kTcf, true, true, true), kT0 + 1);
  state.Set(Update(ConsentSource::kApi, false, std::nullopt, std::nullopt),
            kT0 + 2);
  state.Set(Update(ConsentSource::kTcf, true, true, true), kT0 + 3);
  state.Set(Update(ConsentSource::kGcm, true, true, true), kT0 + 4);
  EXPECT_FALSE(state.IsGranted(Purpose::kAnalytics));
  EXPECT_TRUE(state.IsGranted(Purpose::kPersonalization));
  // The refusal is kept with the stored state (the next page's CMP replays).
  Result<ConsentState> next = ConsentState::FromValue(state.ToValue());
  ASSERT_TRUE(next.ok()) << next.status().message();
  next->Set(Update(ConsentSource::kTcf, true, true, true), kT0 + 5);
  EXPECT_FALSE(next->IsGranted(Purpose::kAnalytics));
  // A relayed refusal applies; only the site's own API grants again.
  next->Set(Update(ConsentSource::kGcm, std::nullopt, false, std::nullopt),
            kT0 + 6);
  EXPECT_FALSE(next->IsGranted(Purpose::kPersonalization));
  next->Set(Update(ConsentSource::kApi, true, std::nullopt, std::nullopt),
            kT0 + 7);
  next->Set(Update(ConsentSource::kTcf, true, true, true), kT0 + 8);
  EXPECT_TRUE(next->IsGranted(Purpose::kAnalytics));
  EXPECT_TRUE(next->IsGranted(Purpose::kPersonalization));
}

TEST(ConsentGpc, AnExplicitGrantLaterWinsAndSurvivesTheStandingSignal) {
  ConsentState state(Policy(ConsentMode::kOptOut), kT0);
  state.SetGlobalPrivacyControl(true, kT0);
  state.Set(Update(ConsentSource::kApi, std::nullopt, std::nullopt, true),
            kT0 + 1);
  EXPECT_TRUE(state.IsGranted(Purpose::kMarketing));
  // Every page load reports the signal again; it is not a new refusal.
  EXPECT_EQ(state.SetGlobalPrivacyControl(true, kT0 + 2), Purposes{});
  EXPECT_TRUE(state.IsGranted(Purpose::kMarketing));
  // Switched off and on again, it is a new signal.
  EXPECT_EQ(state.SetGlobalPrivacyControl(false, kT0 + 3), Purposes{});
  EXPECT_TRUE(state.IsGranted(Purpose::kMarketing));
  EXPECT_EQ(state.SetGlobalPrivacyControl(true, kT0 + 4),
            Purposes{Purpose::kMarketing});
}

TEST(ConsentGpc, IgnoredWhenThePolicyDoesNotHonourIt) {
  ConsentState state(Policy(ConsentMode::kOptOut, "v1", false), kT0);
  EXPECT_EQ(state.SetGlobalPrivacyControl(true, kT0), Purposes{});
  EXPECT_TRUE(state.IsGranted(Purpose::kMarketing));
  EXPECT_EQ(state.history().size(), 1u);
}

// ---- policy changes --------------------------------------------------------

TEST(ConsentPolicyChange, DefaultsFollowTheNewPolicyChoicesStay) {
  ConsentState state(Policy(ConsentMode::kOptOut, "v1"), kT0);
  state.Set(Update(ConsentSource::kApi, std::nullopt, false, std::nullopt),
            kT0 + 1);
  Purposes withdrawn =
      state.AdoptPolicy(Policy(ConsentMode::kOptIn, "v2"), kT0 + 2);
  EXPECT_EQ(withdrawn, (Purposes{Purpose::kAnalytics, Purpose::kMarketing}));
  EXPECT_FALSE(state.IsGranted(Purpose::kPersonalization));
  EXPECT_EQ(state.policy().version, "v2");
  EXPECT_EQ(state.history().back().policy_version, "v2");
  EXPECT_EQ(state.history().back().source, ConsentSource::kDefault);

  ConsentState chosen(Policy(ConsentMode::kOptOut, "v1"), kT0);
  chosen.Set(Update(ConsentSource::kApi, true, true, true), kT0 + 1);
  EXPECT_EQ(chosen.AdoptPolicy(Policy(ConsentMode::kOptIn, "v2"), kT0 + 2),
            Purposes{});
  EXPECT_TRUE(chosen.IsGranted(Purpose::kMarketing));
}

TEST(ConsentPolicyChange, SamePolicyChangesNothing) {
  ConsentState state(Policy(ConsentMode::kOptIn, "v1"), kT0);
  EXPECT_EQ(state.AdoptPolicy(Policy(ConsentMode::kOptIn, "v1"), kT0 + 1),
            Purposes{});
  EXPECT_EQ(state.history().size(), 1u);
}

TEST(ConsentPolicyChange, StartingToHonourGpcAppliesTheStandingSignal) {
  ConsentState state(Policy(ConsentMode::kOptOut, "v1", false), kT0);
  state.SetGlobalPrivacyControl(true, kT0);
  EXPECT_TRUE(state.IsGranted(Purpose::kMarketing));
  EXPECT_EQ(
      state.AdoptPolicy(Policy(ConsentMode::kOptOut, "v1", true), kT0 + 1),
      Purposes{Purpose::kMarketing});
  EXPECT_FALSE(state.IsGranted(Purpose::kMarketing));
}

// ---- IAB TCF v2.2 ----------------------------------------------------------

TEST(ConsentTcf, MapsPurposeConsents) {
  Result<ConsentUpdate> all = FromTcf(
      Json(R"({"gdprApplies":true,"purpose":{"consents":{"1":true,"2":true,)"
           R"("3":true,"4":true,"5":true,"6":true,"7":true,"8":true,"9":true,)"
           R"("10":true,"11":true},"legitimateInterests":{}}})"));
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->source, ConsentSource::kTcf);
  EXPECT_EQ(all->analytics, true);
  EXPECT_EQ(all->personalization, true);
  EXPECT_EQ(all->marketing, true);

  Result<ConsentUpdate> partial = FromTcf(
      Json(R"({"purpose":{"consents":{"1":true,"5":true,"6":true,"8":true,)"
           R"("9":false,"3":true}}})"));
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->analytics, false);       // 9 refused
  EXPECT_EQ(partial->personalization, true);  // 1, 5, 6
  EXPECT_EQ(partial->marketing, false);       // 4 missing
}

TEST(ConsentTcf, PurposeOneGatesEverything) {
  Result<ConsentUpdate> update = FromTcf(
      Json(R"({"purpose":{"consents":{"3":true,"4":true,"5":true,"6":true,)"
           R"("8":true,"9":true}}})"));
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->analytics, false);
  EXPECT_EQ(update->personalization, false);
  EXPECT_EQ(update->marketing, false);
}

TEST(ConsentTcf, LegitimateInterestIsNotConsent) {
  Result<ConsentUpdate> update =
      FromTcf(Json(R"({"purpose":{"consents":{"1":true},"legitimateInterests":)"
                   R"({"8":true,"9":true}}})"));
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->analytics, false);
}

TEST(ConsentTcf, OutsideGdprChangesNothing) {
  Result<ConsentUpdate> update = FromTcf(Json(R"({"gdprApplies":false})"));
  ASSERT_TRUE(update.ok());
  EXPECT_FALSE(update->analytics.has_value());
  EXPECT_FALSE(update->personalization.has_value());
  EXPECT_FALSE(update->marketing.has_value());
}

TEST(ConsentTcf, RejectsMalformedTcData) {
  EXPECT_EQ(FromTcf(Json("[]")).status().message(),
            "tcData: must be an object, got an array");
  EXPECT_EQ(FromTcf(Json(R"({"gdprApplies":true})")).status().message(),
            "tcData.purpose.consents: is missing");
  EXPECT_EQ(
      FromTcf(Json(R"({"purpose":{"consents":"11"}})")).status().message(),
      "tcData.purpose.consents: must be an object, got \"11\"");
  Result<ConsentUpdate> bad =
      FromTcf(Json(R"({"purpose":{"consents":{"1":"yes"}}})"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "tcData.purpose.consents[\"1\"]: must be a boolean, got \"yes\"");
  // Purposes a later TCF version may add are ignored, whatever their value.
  EXPECT_TRUE(FromTcf(Json(R"({"purpose":{"consents":{"12":"x"}}})")).ok());
}

// ---- Google Consent Mode v2 ------------------------------------------------

TEST(ConsentGoogleMode, MapsStorageSignals) {
  Result<ConsentUpdate> update = FromGoogleConsentMode(Json(
      R"({"analytics_storage":"granted","personalization_storage":"denied",)"
      R"("ad_storage":"granted","ad_user_data":"granted",)"
      R"("ad_personalization":"granted","functionality_storage":"granted"})"));
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_EQ(update->source, ConsentSource::kGcm);
  EXPECT_EQ(update->analytics, true);
  EXPECT_EQ(update->personalization, false);
  EXPECT_EQ(update->marketing, true);
}

TEST(ConsentGoogleMode, MarketingNeedsAllThreeAdSignals) {
  Result<ConsentUpdate> one_denied = FromGoogleConsentMode(
      Json(R"({"ad_storage":"granted","ad_user_data":"denied"})"));
  ASSERT_TRUE(one_denied.ok());
  EXPECT_EQ(one_denied->marketing, false);
  EXPECT_FALSE(one_denied->analytics.has_value());

  Result<ConsentUpdate> partial = FromGoogleConsentMode(
      Json(R"({"ad_storage":"granted","ad_personalization":"granted"})"));
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->marketing.has_value());
}

TEST(ConsentGoogleMode, RejectsValuesOtherThanGrantedOrDenied) {
  EXPECT_EQ(
      FromGoogleConsentMode(Json(R"({"ad_storage":"yes"})")).status().message(),
      "consent mode: ad_storage: must be \"granted\" or \"denied\", got "
      "\"yes\"");
  EXPECT_EQ(FromGoogleConsentMode(Json(R"({"analytics_storage":true})"))
                .status()
                .message(),
            "consent mode: analytics_storage: must be \"granted\" or "
            "\"denied\", got true");
  EXPECT_EQ(FromGoogleConsentMode(Json("null")).status().message(),
            "consent mode: must be an object, got null");
}

TEST(ConsentGoogleMode, FeedsConsentState) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  Result<ConsentUpdate> update =
      FromGoogleConsentMode(Json(R"({"analytics_storage":"granted"})"));
  ASSERT_TRUE(update.ok());
  state.Set(*update, kT0 + 1);
  EXPECT_TRUE(state.Check(Operation::kSendSignal).ok());
  EXPECT_EQ(state.history().back().source, ConsentSource::kGcm);
}

// ---- policy section --------------------------------------------------------

TEST(ConsentPolicyJson, ReadsTheArtifactSection) {
  Result<ConsentPolicy> policy = ConsentPolicyFromValue(Json(
      R"({"policyId":"shop","policyVersion":"2024-02","mode":"opt-out","honorGpc":false})"));
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(policy->id, "shop");
  EXPECT_EQ(policy->version, "2024-02");
  EXPECT_EQ(policy->mode, ConsentMode::kOptOut);
  EXPECT_FALSE(policy->honor_gpc);

  Result<ConsentPolicy> defaults = ConsentPolicyFromValue(Value());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->mode, ConsentMode::kOptIn);
  EXPECT_TRUE(defaults->honor_gpc);
}

TEST(ConsentPolicyJson, RejectsBadFields) {
  EXPECT_EQ(
      ConsentPolicyFromValue(Json(R"({"mode":"gdpr"})")).status().message(),
      "consent policy: mode: must be \"opt-in\" or \"opt-out\", got "
      "\"gdpr\"");
  EXPECT_EQ(
      ConsentPolicyFromValue(Json(R"({"honorGpc":"yes"})")).status().message(),
      "consent policy: honorGpc: must be a boolean, got \"yes\"");
  EXPECT_EQ(ConsentPolicyFromValue(Json(R"({"policyVersion":3})")).status().message(),
            "consent policy: policyVersion: must be a string, got 3");
  EXPECT_EQ(ConsentPolicyFromValue(Json("true")).status().message(),
            "consent policy: must be an object, got true");
}

// ---- serialization ---------------------------------------------------------

TEST(ConsentSnapshotJson, IsCompact) {
  ConsentState state(Policy(ConsentMode::kOptIn, "policy-3"), kT0);
  state.Set(Update(ConsentSource::kApi, true, true, false), kT0 + 1);
  EXPECT_EQ(state.ToSnapshotValue().Dump(),
            R"({"a":1,"p":1,"m":0,"v":"policy-3"})");
  Result<ConsentSnapshot> read =
      ConsentSnapshotFromValue(state.ToSnapshotValue());
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->IsGranted(Purpose::kAnalytics));
  EXPECT_TRUE(read->IsGranted(Purpose::kNecessary));
  EXPECT_FALSE(read->IsGranted(Purpose::kMarketing));
  EXPECT_EQ(read->policy_version, "policy-3");
}

TEST(ConsentSnapshotJson, RejectsMalformedSnapshots) {
  EXPECT_EQ(ConsentSnapshotFromValue(Json(R"({"a":1,"p":1,"v":"x"})"))
                .status()
                .message(),
            "consent snapshot: m: is missing");
  EXPECT_EQ(ConsentSnapshotFromValue(Json(R"({"a":true,"p":1,"m":0,"v":""})"))
                .status()
                .message(),
            "consent snapshot: a: must be 0 or 1, got true");
  EXPECT_EQ(ConsentSnapshotFromValue(Json(R"({"a":1,"p":1,"m":0,"v":null})"))
                .status()
                .message(),
            "consent snapshot: v: must be a string, got null");
  EXPECT_EQ(ConsentSnapshotFromValue(Json("[1]")).status().message(),
            "consent snapshot: must be an object, got an array");
}

TEST(ConsentStateJson, RoundTripsThroughStorage) {
  ConsentState state(Policy(ConsentMode::kOptOut, "v1"), kT0);
  state.SetGlobalPrivacyControl(true, kT0 + 1);
  state.Set(Update(ConsentSource::kTcf, false, std::nullopt, std::nullopt),
            kT0 + 2);
  Value stored = state.ToValue();
  Result<Value> reparsed = ParseJson(stored.Dump());
  ASSERT_TRUE(reparsed.ok());
  Result<ConsentState> restored = ConsentState::FromValue(*reparsed);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->ToValue().Dump(), stored.Dump());
  EXPECT_TRUE(restored->global_privacy_control());
  EXPECT_FALSE(restored->IsGranted(Purpose::kAnalytics));
  EXPECT_TRUE(restored->IsGranted(Purpose::kPersonalization));
  EXPECT_EQ(restored->history().size(), 3u);
  // Restored state keeps behaving: the standing signal is not new.
  EXPECT_EQ(restored->SetGlobalPrivacyControl(true, kT0 + 3), Purposes{});
}

TEST(ConsentStateJson, WritesAReadableDocument) {
  ConsentState state(Policy(ConsentMode::kOptIn, "v1"), kT0);
  state.Set(Update(ConsentSource::kApi, true, std::nullopt, std::nullopt),
            kT0 + 1);
  EXPECT_EQ(
      state.ToValue().Dump(),
      R"({"format":1,"policy":{"policyId":"shop","policyVersion":"v1","mode":"opt-in",)"
      R"("honorGpc":true},"a":1,"p":0,"m":0,"explicit":["analytics"],)"
      R"("gpc":false,"history":[)"
      R"({"t":1709296200000,"s":"default","v":"v1","a":0,"p":0,"m":0},)"
      R"({"t":1709296200001,"s":"api","v":"v1","a":1,"p":0,"m":0}]})");
}

Status StoredError(const std::string& mutation_json) {
  ConsentState state(Policy(ConsentMode::kOptIn, "v1"), kT0);
  Value stored = state.ToValue();
  Value patch = Json(mutation_json.c_str());
  for (const Member& m : patch.as_object()) stored.set(m.key, m.value);
  return ConsentState::FromValue(stored).status();
}

TEST(ConsentStateJson, RejectsMalformedStoredState) {
  Status s = StoredError(R"({"a":2})");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "stored consent state: a: must be 0 or 1, got 2");
  EXPECT_EQ(StoredError(R"({"format":"1"})").message(),
            "stored consent state: format: must be a positive integer, got "
            "\"1\"");
  EXPECT_EQ(StoredError(R"({"policy":{"mode":"later"}})").message(),
            "stored consent state: policy.mode: must be \"opt-in\" or "
            "\"opt-out\", got \"later\"");
  EXPECT_EQ(StoredError(R"({"policy":null})").message(),
            "stored consent state: policy: must be an object, got null");
  EXPECT_EQ(StoredError(R"({"refused":"analytics"})").message(),
            "stored consent state: refused: must be an array of purpose "
            "names, got \"analytics\"");
  EXPECT_EQ(StoredError(R"({"explicit":["ads"]})").message(),
            "stored consent state: explicit[0]: must be \"analytics\", "
            "\"personalization\" or \"marketing\", got \"ads\"");
  EXPECT_EQ(StoredError(R"({"gpc":0})").message(),
            "stored consent state: gpc: must be a boolean, got 0");
  EXPECT_EQ(StoredError(R"({"history":[{"t":1.5}]})").message(),
            "stored consent state: history[0].t: must be a time in whole "
            "epoch ms, got 1.5");
  EXPECT_EQ(
      StoredError(
          R"({"history":[{"t":1,"s":"cookie","v":"","a":0,"p":0,"m":0}]})")
          .message(),
      "stored consent state: history[0].s: must be one of \"api\", \"tcf\", "
      "\"gcm\", \"gpc\", \"default\", got \"cookie\"");
  EXPECT_EQ(StoredError(R"({"history":[{"t":1,"s":"api","v":"","a":0,"p":0}]})")
                .message(),
            "stored consent state: history[0].m: is missing");
  EXPECT_EQ(ConsentState::FromValue(Json("\"x\"")).status().message(),
            "stored consent state: must be an object, got \"x\"");
  EXPECT_EQ(ConsentState::FromValue(Json("{}")).status().message(),
            "stored consent state: format: is missing");
}

TEST(ConsentStateJson, RejectsOverlongHistory) {
  ConsentState state(Policy(ConsentMode::kOptIn), kT0);
  Value stored = state.ToValue();
  Value history = Value::MakeArray();
  for (size_t i = 0; i <= kMaxConsentHistory; ++i) {
    history.push_back(stored.find("history")->as_array()[0]);
  }
  stored.set("history", history);
  EXPECT_EQ(ConsentState::FromValue(stored).status().message(),
            "stored consent state: history: has 33 records, more than the 32 "
            "kept");
}

TEST(ConsentStateJson, NewerFormatIsUnsupported) {
  Status s = StoredError(R"({"format":2})");
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_EQ(s.message(),
            "stored consent state: format 2 is newer than this build reads "
            "(1)");
}

}  // namespace
}  // namespace tessera
