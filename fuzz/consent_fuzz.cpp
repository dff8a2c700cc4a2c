// The consent readers on arbitrary JSON: what a page's CMP hands the SDK
// (IAB TCF TCData, Google Consent Mode state), a policy from an artifact or
// the JS API, a signal's snapshot, and the state read back from storage.
// None may crash; a refusal must say why; stored state that loads must save
// to the same value again; applying any accepted update keeps the rules:
// a purpose the update refuses is not granted after it, and the history is
// capped.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tessera/consent.h"
#include "tessera/json.h"

namespace {

template <typename T>
void RequireReason(const tessera::Result<T>& result) {
  if (!result.ok() && result.status().message().empty()) std::abort();
}

void CheckUpdateRules(tessera::ConsentState& state,
                      const tessera::ConsentUpdate& update, int64_t now_ms) {
  state.Set(update, now_ms);
  const auto refused = [&](const std::optional<bool>& choice,
                           tessera::Purpose purpose) {
    if (choice == false && state.IsGranted(purpose)) std::abort();
  };
  refused(update.analytics, tessera::Purpose::kAnalytics);
  refused(update.personalization, tessera::Purpose::kPersonalization);
  refused(update.marketing, tessera::Purpose::kMarketing);
  if (!state.IsGranted(tessera::Purpose::kNecessary)) std::abort();
  if (state.history().size() > tessera::kMaxConsentHistory) std::abort();
}

void CheckStoredState(const tessera::Value& value) {
  tessera::Result<tessera::ConsentState> stored =
      tessera::ConsentState::FromValue(value);
  RequireReason(stored);
  if (!stored.ok()) return;
  const tessera::Value saved = stored->ToValue();
  tessera::Result<tessera::ConsentState> again =
      tessera::ConsentState::FromValue(saved);
  if (!again.ok() || !(again->ToValue() == saved)) std::abort();
  // A signal's snapshot of it reads back as the same grants.
  tessera::Result<tessera::ConsentSnapshot> snapshot =
      tessera::ConsentSnapshotFromValue(again->ToSnapshotValue());
  if (!snapshot.ok()) std::abort();
  const tessera::ConsentSnapshot expected = again->Snapshot();
  if (snapshot->analytics != expected.analytics ||
      snapshot->personalization != expected.personalization ||
      snapshot->marketing != expected.marketing ||
      snapshot->policy_version != expected.policy_version) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tessera::Result<tessera::Value> parsed = tessera::ParseJson(text);
  if (!parsed.ok()) return 0;
  const tessera::Value& value = *parsed;

  tessera::Result<tessera::ConsentPolicy> policy =
      tessera::ConsentPolicyFromValue(value);
  RequireReason(policy);
  tessera::ConsentState state(policy.ok() ? *policy : tessera::ConsentPolicy(),
                              1000);
  tessera::Result<tessera::ConsentUpdate> tcf = tessera::FromTcf(value);
  RequireReason(tcf);
  if (tcf.ok()) CheckUpdateRules(state, *tcf, 2000);
  tessera::Result<tessera::ConsentUpdate> gcm =
      tessera::FromGoogleConsentMode(value);
  RequireReason(gcm);
  if (gcm.ok()) CheckUpdateRules(state, *gcm, 3000);
  RequireReason(tessera::ConsentSnapshotFromValue(value));
  CheckStoredState(value);
  // The state built above, stored and read back, obeys the same rules.
  CheckStoredState(state.ToValue());
  return 0;
}
