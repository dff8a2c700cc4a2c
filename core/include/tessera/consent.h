// Consent: which purposes a visitor has granted, and the gate every operation
// passes before it stores or sends anything.
//
// Purposes and the data that depends on them (what a caller purges when
// ConsentState::Set reports a purpose as withdrawn):
//   necessary        always granted: the consent state itself and the
//                    artifact cache. Never withdrawn.
//   analytics        event tracking into aggregates, the queued (unsent)
//                    signals and their offline queue, experiment exposures,
//                    block impressions and clicks awaiting a flush.
//   personalization  the stored local profile (windowed counters, category
//                    affinities, identify traits), segment memberships, the
//                    nearest cluster, and personalized blocks already chosen.
//   marketing        the link between the visitor and an email identity and
//                    any queued marketing signal; the server is told to stop
//                    email personalization for the visitor.
//
// Operations and the purpose each needs (RequiredPurpose):
//   kTrack, kSendSignal                  -> analytics
//   kStoreProfile, kEvaluateSegments,
//   kRenderPersonalized                  -> personalization
//   kSendMarketingSignal                 -> marketing
//
// Defaults come from the ConsentPolicy: opt-in (GDPR) refuses every purpose
// but `necessary` until granted; opt-out (CCPA) grants them until refused.
// Global Privacy Control (GPC), when the policy honours it: the moment the
// signal appears, `marketing` is refused (source gpc). While it stays on,
// only an explicit grant through the site's own consent UI (source api)
// turns marketing back on; grants relayed from TCF, Google Consent Mode or
// defaults are ignored for marketing, because CMPs report default states that
// are not the visitor's own choice. A signal that keeps being reported does
// not refuse again (so a later explicit grant survives page loads); a signal
// that disappears changes nothing.
//
// Precedence between sources: refusals apply whatever their source; a grant
// relayed from TCF or Google Consent Mode does not lift a refusal the visitor
// made through the site's own API (consent.set()), which only the API lifts.
// CMPs replay their stored state on every page ('tcloaded', dataLayer
// updates), so a relayed grant is not evidence of a newer choice.
//
// Every change is recorded (time, source, policy version, resulting grants)
// in a history bounded to the last kMaxConsentHistory records. Calls that
// change nothing record nothing.
//
// Thread-safety: ConsentState is a plain value; use one per visitor from one
// thread, or copy it. Bad input (malformed stored state, CMP payloads of the
// wrong shape) gives a Status naming the field; nothing here crashes on any
// Value.
#ifndef TESSERA_CONSENT_H_
#define TESSERA_CONSENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

enum class Purpose { kNecessary, kAnalytics, kPersonalization, kMarketing };

// "necessary", "analytics", "personalization", "marketing".
const char* PurposeName(Purpose purpose);

enum class Operation {
  kTrack,
  kStoreProfile,
  kEvaluateSegments,
  kRenderPersonalized,
  kSendSignal,
  kSendMarketingSignal,
};

// "track", "store_profile", ... (snake_case of the enumerator).
const char* OperationName(Operation operation);
Purpose RequiredPurpose(Operation operation);

enum class ConsentMode {
  kOptIn,   // GDPR-style: refused until granted
  kOptOut,  // CCPA-style: granted until refused
};

struct ConsentPolicy {
  std::string id;                          // default "": unnamed policy
  std::string version;                     // default "": recorded with changes
  ConsentMode mode = ConsentMode::kOptIn;  // default opt-in, the safe side
  bool honor_gpc = true;                   // default: GPC refuses marketing
};

// Reads a policy in its public form, as artifacts and the JS API write it:
// {"policyId": string, "policyVersion": string, "mode": "opt-in" | "opt-out",
// "honorGpc": bool}; every field optional,
// defaults as above (null gives the defaults). InvalidArgument names a field
// of the wrong type or value.
Result<ConsentPolicy> ConsentPolicyFromValue(const Value& value);

// Who made a change: the site's own API (its banner), an IAB TCF CMP, Google
// Consent Mode, the GPC signal, or the policy defaults.
enum class ConsentSource { kApi, kTcf, kGcm, kGpc, kDefault };

// "api", "tcf", "gcm", "gpc", "default".
const char* ConsentSourceName(ConsentSource source);

// A change to apply: each purpose granted (true), refused (false) or left as
// it is (nullopt). `necessary` cannot be changed.
struct ConsentUpdate {
  ConsentSource source = ConsentSource::kApi;
  std::optional<bool> analytics;
  std::optional<bool> personalization;
  std::optional<bool> marketing;
};

// Maps an IAB TCF v2.2 TCData object (as returned by __tcfapi getTCData or
// addEventListener) onto our purposes. Only `purpose.consents` is read
// (legitimate interest is never used: Tessera asks for consent only). Every
// purpose needs TCF purpose 1 (store/access information on a device), since
// the profile and queues live in browser storage; in addition:
//   analytics       <- 8 (measure content performance) and 9 (audience
//                      statistics)
//   personalization <- 5 (create content profiles) and 6 (use them)
//   marketing       <- 3 (create ads profiles) and 4 (use them)
// Purposes 2, 7, 10 and 11 are not used. A purpose missing from the consents
// counts as refused. `gdprApplies: false` gives an empty update (the policy
// defaults stay). InvalidArgument if `tc_data` or `purpose.consents` is not an
// object or a consent for purposes 1..11 is not a boolean; other keys are
// ignored (a later TCF version may add purposes).
Result<ConsentUpdate> FromTcf(const Value& tc_data);

// Maps a Google Consent Mode v2 state ({"analytics_storage": "granted", ...})
// onto our purposes; values must be "granted" or "denied":
//   analytics       <- analytics_storage
//   personalization <- personalization_storage
//   marketing       <- ad_storage, ad_user_data and ad_personalization: refused
//                      if any of them is denied, granted only when all three
//                      are present and granted, left as is otherwise.
// Absent keys leave their purpose as is; other keys (functionality_storage,
// security_storage, wait_for_update, ...) are ignored.
Result<ConsentUpdate> FromGoogleConsentMode(const Value& state);

// One change in the history: when, by whom, under which policy version, and
// the grants after it.
struct ConsentRecord {
  int64_t time_ms = 0;
  ConsentSource source = ConsentSource::kDefault;
  std::string policy_version;
  bool analytics = false;
  bool personalization = false;
  bool marketing = false;
};

inline constexpr size_t kMaxConsentHistory = 32;

// The compact form a signal carries: {"a":1,"p":1,"m":0,"v":"2024-01"}.
struct ConsentSnapshot {
  bool analytics = false;
  bool personalization = false;
  bool marketing = false;
  std::string policy_version;
  bool IsGranted(Purpose purpose) const;
};

// Reads a snapshot; InvalidArgument names a missing or malformed field.
Result<ConsentSnapshot> ConsentSnapshotFromValue(const Value& value);

class ConsentState {
 public:
  // The policy's defaults, recorded as the first history entry.
  ConsentState(const ConsentPolicy& policy, int64_t now_ms);

  bool IsGranted(Purpose purpose) const;
  // OK, or FailedPrecondition naming the operation and the missing purpose.
  Status Check(Operation operation) const;
  // Check(operation).ok() without building the status: for hot paths.
  bool Allows(Operation operation) const {
    return IsGranted(RequiredPurpose(operation));
  }

  // Applies `update` (see the GPC rule above) and returns the purposes that
  // were granted before and are refused now, in enum order.
  std::vector<Purpose> Set(const ConsentUpdate& update, int64_t now_ms);

  // Reports whether the browser currently sends the GPC signal
  // (navigator.globalPrivacyControl); returns withdrawn purposes.
  std::vector<Purpose> SetGlobalPrivacyControl(bool signal_present,
                                               int64_t now_ms);

  // Moves to another policy (a new artifact). When the id, version, mode or
  // GPC setting differs, purposes the visitor never chose explicitly take the
  // new policy's defaults and the change is recorded (source default);
  // explicit choices are kept. Returns withdrawn purposes.
  std::vector<Purpose> AdoptPolicy(const ConsentPolicy& policy, int64_t now_ms);

  const ConsentPolicy& policy() const { return policy_; }
  bool global_privacy_control() const { return gpc_; }
  // Oldest first; at most kMaxConsentHistory records.
  const std::vector<ConsentRecord>& history() const { return history_; }

  ConsentSnapshot Snapshot() const;
  // {"a":1,"p":1,"m":0,"v":"<policy version>"}
  Value ToSnapshotValue() const;

  // The full state for storage: format version, policy, grants, which
  // purposes were chosen explicitly (and which refused through the API),
  // the GPC flag and the history.
  Value ToValue() const;
  // Reads what ToValue wrote. Malformed state gives DataLoss naming the
  // field; a newer format gives Unsupported. Callers fall back to a fresh
  // ConsentState under the current policy.
  static Result<ConsentState> FromValue(const Value& stored);

 private:
  ConsentState() = default;
  bool Grants(Purpose purpose) const;
  void Assign(Purpose purpose, bool granted, bool is_explicit);
  // Records the change (if any, or always) and lists what was withdrawn.
  std::vector<Purpose> Commit(unsigned old_granted, unsigned old_explicit,
                              ConsentSource source, int64_t now_ms,
                              bool always_record);

  ConsentPolicy policy_;
  unsigned granted_ = 0;   // bit per Purpose; necessary is implied
  unsigned explicit_ = 0;  // purposes set by a choice, not by defaults
  unsigned api_refused_ = 0;  // refused through the API: relays cannot grant
  bool gpc_ = false;
  std::vector<ConsentRecord> history_;
};

}  // namespace tessera

#endif  // TESSERA_CONSENT_H_
