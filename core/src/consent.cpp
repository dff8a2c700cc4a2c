// ConsentState: grants per purpose, the GPC rule, and the change history.
#include "tessera/consent.h"

#include <string>
#include <vector>

namespace tessera {
namespace {

constexpr Purpose kChoosablePurposes[] = {
    Purpose::kAnalytics, Purpose::kPersonalization, Purpose::kMarketing};

unsigned Bit(Purpose purpose) { return 1u << static_cast<unsigned>(purpose); }

unsigned AllChoosable() {
  return Bit(Purpose::kAnalytics) | Bit(Purpose::kPersonalization) |
         Bit(Purpose::kMarketing);
}

const std::optional<bool>& Requested(const ConsentUpdate& update,
                                     Purpose purpose) {
  switch (purpose) {
    case Purpose::kAnalytics:
      return update.analytics;
    case Purpose::kPersonalization:
      return update.personalization;
    default:
      return update.marketing;
  }
}

}  // namespace

const char* PurposeName(Purpose purpose) {
  switch (purpose) {
    case Purpose::kNecessary:
      return "necessary";
    case Purpose::kAnalytics:
      return "analytics";
    case Purpose::kPersonalization:
      return "personalization";
    case Purpose::kMarketing:
      return "marketing";
  }
  return "unknown";
}

const char* OperationName(Operation operation) {
  switch (operation) {
    case Operation::kTrack:
      return "track";
    case Operation::kStoreProfile:
      return "store_profile";
    case Operation::kEvaluateSegments:
      return "evaluate_segments";
    case Operation::kRenderPersonalized:
      return "render_personalized";
    case Operation::kSendSignal:
      return "send_signal";
    case Operation::kSendMarketingSignal:
      return "send_marketing_signal";
  }
  return "unknown";
}

Purpose RequiredPurpose(Operation operation) {
  switch (operation) {
    case Operation::kTrack:
    case Operation::kSendSignal:
      return Purpose::kAnalytics;
    case Operation::kStoreProfile:
    case Operation::kEvaluateSegments:
    case Operation::kRenderPersonalized:
      return Purpose::kPersonalization;
    case Operation::kSendMarketingSignal:
      return Purpose::kMarketing;
  }
  // An out-of-range value asks for the strictest purpose rather than none.
  return Purpose::kMarketing;
}

const char* ConsentSourceName(ConsentSource source) {
  switch (source) {
    case ConsentSource::kApi:
      return "api";
    case ConsentSource::kTcf:
      return "tcf";
    case ConsentSource::kGcm:
      return "gcm";
    case ConsentSource::kGpc:
      return "gpc";
    case ConsentSource::kDefault:
      return "default";
  }
  return "unknown";
}

bool ConsentSnapshot::IsGranted(Purpose purpose) const {
  switch (purpose) {
    case Purpose::kNecessary:
      return true;
    case Purpose::kAnalytics:
      return analytics;
    case Purpose::kPersonalization:
      return personalization;
    case Purpose::kMarketing:
      return marketing;
  }
  return false;
}

ConsentState::ConsentState(const ConsentPolicy& policy, int64_t now_ms)
    : policy_(policy),
      granted_(policy.mode == ConsentMode::kOptOut ? AllChoosable() : 0u) {
  Commit(granted_, explicit_, ConsentSource::kDefault, now_ms,
         /*always_record=*/true);
}

bool ConsentState::Grants(Purpose purpose) const {
  return purpose == Purpose::kNecessary || (granted_ & Bit(purpose)) != 0;
}

bool ConsentState::IsGranted(Purpose purpose) const { return Grants(purpose); }

Status ConsentState::Check(Operation operation) const {
  Purpose needed = RequiredPurpose(operation);
  if (Grants(needed)) return Status::Ok();
  return Status::FailedPrecondition(
      std::string("operation \"") + OperationName(operation) +
      "\" needs consent for purpose \"" + PurposeName(needed) +
      "\", which is not granted");
}

void ConsentState::Assign(Purpose purpose, bool granted, bool is_explicit) {
  if (purpose == Purpose::kNecessary) return;
  if (granted) {
    granted_ |= Bit(purpose);
  } else {
    granted_ &= ~Bit(purpose);
  }
  if (is_explicit) explicit_ |= Bit(purpose);
}

std::vector<Purpose> ConsentState::Commit(unsigned old_granted,
                                          unsigned old_explicit,
                                          ConsentSource source, int64_t now_ms,
                                          bool always_record) {
  if (always_record || granted_ != old_granted || explicit_ != old_explicit) {
    ConsentRecord record;
    record.time_ms = now_ms;
    record.source = source;
    record.policy_version = policy_.version;
    record.analytics = Grants(Purpose::kAnalytics);
    record.personalization = Grants(Purpose::kPersonalization);
    record.marketing = Grants(Purpose::kMarketing);
    if (history_.size() >= kMaxConsentHistory) {
      history_.erase(history_.begin(),
                     history_.end() - (kMaxConsentHistory - 1));
    }
    history_.push_back(std::move(record));
  }
  std::vector<Purpose> withdrawn;
  for (Purpose purpose : kChoosablePurposes) {
    if ((old_granted & Bit(purpose)) && !(granted_ & Bit(purpose))) {
      withdrawn.push_back(purpose);
    }
  }
  return withdrawn;
}

std::vector<Purpose> ConsentState::Set(const ConsentUpdate& update,
                                       int64_t now_ms) {
  const unsigned old_granted = granted_;
  const unsigned old_explicit = explicit_;
  const bool gpc_active = gpc_ && policy_.honor_gpc;
  for (Purpose purpose : kChoosablePurposes) {
    const std::optional<bool>& wanted = Requested(update, purpose);
    if (!wanted.has_value()) continue;
    if (purpose == Purpose::kMarketing && *wanted && gpc_active &&
        update.source != ConsentSource::kApi) {
      continue;  // under GPC only the visitor's own choice re-grants
    }
    const bool is_default = update.source == ConsentSource::kDefault;
    // A default (e.g. the artifact's) fills only what the visitor left open.
    if (is_default && (explicit_ & Bit(purpose))) continue;
    const bool relayed = update.source == ConsentSource::kTcf ||
                         update.source == ConsentSource::kGcm;
    if (relayed && *wanted && (api_refused_ & Bit(purpose))) {
      continue;  // a CMP's replayed grant does not undo the site's banner
    }
    if (update.source == ConsentSource::kApi) {
      api_refused_ = *wanted ? api_refused_ & ~Bit(purpose)
                             : api_refused_ | Bit(purpose);
    }
    Assign(purpose, *wanted, !is_default);
  }
  return Commit(old_granted, old_explicit, update.source, now_ms,
                /*always_record=*/false);
}

std::vector<Purpose> ConsentState::SetGlobalPrivacyControl(bool signal_present,
                                                           int64_t now_ms) {
  const bool appeared = signal_present && !gpc_;
  gpc_ = signal_present;
  if (!appeared || !policy_.honor_gpc) return {};
  const unsigned old_granted = granted_;
  const unsigned old_explicit = explicit_;
  Assign(Purpose::kMarketing, false, /*is_explicit=*/true);
  return Commit(old_granted, old_explicit, ConsentSource::kGpc, now_ms,
                /*always_record=*/false);
}

std::vector<Purpose> ConsentState::AdoptPolicy(const ConsentPolicy& policy,
                                               int64_t now_ms) {
  if (policy.id == policy_.id && policy.version == policy_.version &&
      policy.mode == policy_.mode && policy.honor_gpc == policy_.honor_gpc) {
    return {};
  }
  const unsigned old_granted = granted_;
  const unsigned old_explicit = explicit_;
  const bool starts_honoring_gpc = policy.honor_gpc && !policy_.honor_gpc;
  policy_ = policy;
  const bool default_grant = policy.mode == ConsentMode::kOptOut;
  for (Purpose purpose : kChoosablePurposes) {
    if (!(explicit_ & Bit(purpose))) Assign(purpose, default_grant, false);
  }
  std::vector<Purpose> withdrawn =
      Commit(old_granted, old_explicit, ConsentSource::kDefault, now_ms,
             /*always_record=*/true);
  if (starts_honoring_gpc && gpc_) {
    // To a policy that now honours it, the standing signal is new.
    gpc_ = false;
    for (Purpose purpose : SetGlobalPrivacyControl(true, now_ms)) {
      withdrawn.push_back(purpose);
    }
  }
  return withdrawn;  // still in enum order: GPC can only add marketing, last
}

ConsentSnapshot ConsentState::Snapshot() const {
  ConsentSnapshot snapshot;
  snapshot.analytics = Grants(Purpose::kAnalytics);
  snapshot.personalization = Grants(Purpose::kPersonalization);
  snapshot.marketing = Grants(Purpose::kMarketing);
  snapshot.policy_version = policy_.version;
  return snapshot;
}

}  // namespace tessera
