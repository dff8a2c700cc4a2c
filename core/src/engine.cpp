#include "tessera/engine.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

#include "decision_memo.h"
#include "signal_rules.h"

namespace tessera {
namespace {

constexpr int64_t kMsPerHour = 60LL * 60 * 1000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// The signal's hour-of-week (docs/signal.md): 0 = Monday 00:00-00:59 local
// time ... 167 = Sunday 23:00-23:59.
int HourOfWeek(int64_t ts_ms, int utc_offset_minutes) {
  int64_t local = ts_ms + static_cast<int64_t>(utc_offset_minutes) * 60000;
  int64_t days =
      local >= 0 ? local / kMsPerDay : (local - kMsPerDay + 1) / kMsPerDay;
  int64_t weekday = ((days + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  int64_t hour = (local - days * kMsPerDay) / kMsPerHour;
  return static_cast<int>(weekday * 24 + hour);
}

bool Contains(const std::vector<Purpose>& purposes, Purpose p) {
  return std::find(purposes.begin(), purposes.end(), p) != purposes.end();
}

}  // namespace

Engine::Engine(EngineOptions options, int64_t now_ms, const RegexMatcher* regex)
    : options_(std::move(options)),
      regex_(regex),
      consent_(options_.consent_policy, now_ms),
      artifact_(regex),
      segments_(std::make_unique<SegmentEvaluator>()),
      memo_(std::make_unique<DecisionMemo>()) {
  consent_.SetGlobalPrivacyControl(options_.global_privacy_control, now_ms);
  if (!options_.visitor_id.empty()) {
    profile_.SetAnonymousId(options_.visitor_id);
  }
}

Engine::~Engine() = default;

// ---- artifact ---------------------------------------------------------------

Status Engine::LoadArtifact(std::string_view json_text, int64_t now_ms) {
  Status status = artifact_.Replace(json_text);
  if (!status.ok()) return status;
  const Artifact* artifact = artifact_.current();
  if (!options_.consent_policy_from_page) {
    std::vector<Purpose> withdrawn =
        consent_.AdoptPolicy(artifact->consent, now_ms);
    // Applied once both are in: the defaults may grant again what the
    // policy withdrew.
    for (Purpose purpose : consent_.Set(artifact->consent_defaults, now_ms)) {
      withdrawn.push_back(purpose);
    }
    ApplyWithdrawals(withdrawn);
  }
  segments_ = std::make_unique<SegmentEvaluator>(artifact->segments,
                                                 artifact->clusters);
  memo_ = std::make_unique<DecisionMemo>(segments_->rules(), artifact->slots,
                                         segments_->clusters());
  Invalidate();
  return Status::Ok();
}

const Artifact* Engine::artifact() const { return artifact_.current(); }

// ---- consent ----------------------------------------------------------------

ConsentChange Engine::SetConsent(const ConsentUpdate& update, int64_t now_ms) {
  const ConsentSnapshot before = consent_.Snapshot();
  ConsentChange change;
  change.withdrawn = consent_.Set(update, now_ms);
  const ConsentSnapshot after = consent_.Snapshot();
  change.changed = before.analytics != after.analytics ||
                   before.personalization != after.personalization ||
                   before.marketing != after.marketing;
  ApplyWithdrawals(change.withdrawn);
  InvalidateAll();
  return change;
}

Status Engine::RestoreConsent(std::string_view stored_json, int64_t now_ms) {
  Result<Value> parsed = ParseJson(stored_json);
  if (!parsed.ok()) {
    return Status::DataLoss("stored consent: " + parsed.status().message());
  }
  Result<ConsentState> restored = ConsentState::FromValue(*parsed);
  if (!restored.ok()) return restored.status();
  const ConsentSnapshot before = consent_.Snapshot();
  consent_ = std::move(restored).value();
  // A policy the page sets may have changed since the choice was stored.
  // Without one, the stored state keeps the policy it last adopted from an
  // artifact; the next artifact load brings any change.
  std::vector<Purpose> withdrawn;
  if (options_.consent_policy_from_page) {
    withdrawn = consent_.AdoptPolicy(options_.consent_policy, now_ms);
  }
  for (Purpose purpose : consent_.SetGlobalPrivacyControl(
           options_.global_privacy_control, now_ms)) {
    withdrawn.push_back(purpose);
  }
  // The stored choice may come from another tab after this engine was
  // granted more: what it no longer grants is withdrawn here too, with what
  // was kept under it.
  for (Purpose purpose :
       {Purpose::kAnalytics, Purpose::kPersonalization, Purpose::kMarketing}) {
    if (before.IsGranted(purpose) && !consent_.IsGranted(purpose) &&
        !Contains(withdrawn, purpose)) {
      withdrawn.push_back(purpose);
    }
  }
  ApplyWithdrawals(withdrawn);
  InvalidateAll();
  return Status::Ok();
}

std::string Engine::ConsentRecord() const { return consent_.ToValue().Dump(); }

bool Engine::MayKeepProfile() const {
  return consent_.IsGranted(Purpose::kAnalytics) ||
         consent_.IsGranted(Purpose::kPersonalization);
}

void Engine::ApplyWithdrawals(const std::vector<Purpose>& withdrawn) {
  if (Contains(withdrawn, Purpose::kAnalytics)) {
    pending_.Reset();
    touched_events_.clear();
    unsent_parts_.clear();
  }
  if (Contains(withdrawn, Purpose::kMarketing)) {
    // A part flagged for email use (mkt) would let the server act on the
    // consent just withdrawn.
    unsent_parts_.erase(
        std::remove_if(unsent_parts_.begin(), unsent_parts_.end(),
                       [](const Value& part) {
                         const Value* marketing = part.find("mkt");
                         return marketing && marketing->bool_or(false);
                       }),
        unsent_parts_.end());
  }
  if (!MayKeepProfile()) {
    std::string visitor = profile_.anonymous_id();
    profile_.Clear();
    // The random visitor id is not personal data on its own; keeping it in
    // memory lets a later grant continue without a new id being minted.
    if (!visitor.empty()) profile_.SetAnonymousId(visitor);
  } else if (Contains(withdrawn, Purpose::kPersonalization)) {
    // Analytics keeps the aggregates; the user id and traits serve only
    // personalized content (they never travel in a signal), so they go.
    profile_.ForgetIdentity();
  }
}

// ---- profile ----------------------------------------------------------------

Status Engine::RestoreProfile(std::string_view bytes) {
  Result<Profile> restored = Profile::Deserialize(bytes);
  if (!restored.ok()) return restored.status();
  profile_ = std::move(restored).value();
  // Stored under a personalization grant that no longer holds (a new
  // policy since that page): the user id and traits go, as at withdrawal.
  if (!consent_.IsGranted(Purpose::kPersonalization)) profile_.ForgetIdentity();
  if (profile_.anonymous_id().empty() && !options_.visitor_id.empty()) {
    profile_.SetAnonymousId(options_.visitor_id);
  }
  InvalidateAll();
  return Status::Ok();
}

std::string Engine::SaveProfile() const {
  if (!MayKeepProfile()) return std::string();
  return profile_.Serialize();
}

// ---- tracking ---------------------------------------------------------------

Result<Event> Engine::Track(std::string_view name, const Value& properties,
                            const Value& timestamp, int64_t now_ms) {
  if (!MayKeepProfile()) {
    return Status::FailedPrecondition(
        "tracking needs the analytics or personalization purpose");
  }
  Result<Event> event = NormalizeEvent(name, properties, timestamp, now_ms,
                                       options_.event_limits);
  if (!event.ok()) return event;
  Status recorded = profile_.Record(*event, context_.utc_offset_minutes);
  if (!recorded.ok()) return recorded;
  if (consent_.Allows(Operation::kTrack)) {
    const Value* value = event->properties.find("value");
    pending_.RecordEvent(
        event->name, value ? value->number_or(0) : 0, event->timestamp_ms,
        HourOfWeek(event->timestamp_ms, context_.utc_offset_minutes));
    if (std::find(touched_events_.begin(), touched_events_.end(),
                  event->name) == touched_events_.end()) {
      touched_events_.push_back(event->name);
    }
  }
  Invalidate();
  return event;
}

Status Engine::Identify(std::string user_id, const Value& traits,
                        int64_t now_ms) {
  // The user id and traits are personalization data (consent.h): kept
  // under analytics alone, they would outlive a personalization refusal.
  if (!consent_.IsGranted(Purpose::kPersonalization)) {
    return Status::FailedPrecondition(
        "identify needs the personalization purpose");
  }
  Status status = profile_.Identify(std::move(user_id), traits);
  if (status.ok()) InvalidateAll();
  return status;
}

void Engine::SetContext(Context context) {
  context_ = std::move(context);
  Invalidate();
  memo_->ContextChanged();
}

// ---- decisions --------------------------------------------------------------

const Value& Engine::Attributes(int64_t now_ms) {
  return RefreshedAttributes(now_ms, true);
}

const Value& Engine::RefreshedAttributes(int64_t now_ms, bool complete) {
  if (cached_generation_ == generation_ && cached_now_ms_ == now_ms &&
      (cached_complete_ || !complete)) {
    return cached_attributes_;
  }
  // Between two decisions usually only tracked events and the clock moved
  // the attributes: then the memo updates just the members conditions and
  // templates read, instead of deriving them all.
  const bool partial =
      !complete && memo_->RefreshFromProfile(profile_, context_, now_ms,
                                             &cached_attributes_);
  if (!partial) {
    DeriveAttributes(profile_, context_, now_ms, &cached_attributes_);
    memo_->Refresh(cached_attributes_, profile_);
  }
  cached_cluster_.clear();
  if (consent_.Allows(Operation::kEvaluateSegments)) {
    const Artifact* artifact = artifact_.current();
    static const Value kNoGroups;
    const std::vector<ClusterAssignment> clusters =
        memo_->Segments(*segments_, &cached_attributes_,
                        artifact ? artifact->saved_groups : kNoGroups, regex_);
    if (!clusters.empty()) cached_cluster_ = clusters.front().centroid;
  } else {
    // No memberships are known: none are read, reported or sent.
    if (Value* listed = cached_attributes_.find("segments")) {
      *listed = Value::MakeArray();
    }
    cached_attributes_.erase("cluster");
    memo_->NoSegments();
  }
  cached_generation_ = generation_;
  cached_now_ms_ = now_ms;
  cached_complete_ = !partial;
  return cached_attributes_;
}

std::vector<std::string> Engine::Segments(int64_t now_ms) {
  return MembershipsIn(RefreshedAttributes(now_ms, false));
}

namespace {

// `variant` of `slot` rendered with `view` under the variant's data, as a
// decision of `source` (no rules, no experiment).
Decision VariantDecision(const Slot& slot, const Variant& variant,
                         const char* source, const Value& view) {
  Decision decision;
  decision.slot_id = slot.id;
  decision.variant_id = variant.id;
  decision.source = source;
  RenderVariant(variant, view, &decision);
  return decision;
}

// Content without personalization consent: the slot's default, unrendered
// per visitor data beyond the variant's own (an empty view).
Decision DefaultDecision(const Slot& slot) {
  const Variant* variant =
      slot.default_variant ? slot.FindVariant(*slot.default_variant) : nullptr;
  if (!variant) {
    Decision none;
    none.slot_id = slot.id;
    none.source = "none";
    return none;
  }
  return VariantDecision(slot, *variant, "default", Value::MakeObject());
}

}  // namespace

Result<Decision> Engine::Decide(std::string_view slot_id, int64_t now_ms) {
  const Artifact* artifact = artifact_.current();
  const Slot* slot = artifact ? artifact->FindSlot(slot_id) : nullptr;
  if (!slot) {
    return Status::NotFound("no slot \"" + std::string(slot_id) +
                            "\" in the decision artifact");
  }
  return DecideSlot(*artifact,
                    static_cast<size_t>(slot - artifact->slots.data()), now_ms);
}

const Decision& Engine::DecideSlot(const Artifact& artifact, size_t index,
                                   int64_t now_ms) {
  const Slot& slot = artifact.slots[index];
  const bool personalized = consent_.Allows(Operation::kRenderPersonalized);
  if (const Variant* previewed = PreviewedVariant(slot)) {
    return memo_->Store(
        index, VariantDecision(slot, *previewed, "preview",
                               personalized ? RefreshedAttributes(now_ms, false)
                                            : Value::MakeObject()));
  }
  if (!personalized) return memo_->Store(index, DefaultDecision(slot));
  const Value& attributes = RefreshedAttributes(now_ms, false);
  const Decision& decision =
      memo_->Decide(index, slot,
                    slot.experiment_key.empty()
                        ? nullptr
                        : artifact.FindExperiment(slot.experiment_key),
                    attributes, artifact.saved_groups, regex_);
  if (decision.exposure && decision.exposure->in_experiment &&
      consent_.Allows(Operation::kSendSignal)) {
    pending_.RecordExposure(decision.exposure->experiment_key,
                            decision.exposure->variation_index,
                            decision.exposure->variant_id);
  }
  return decision;
}

const Variant* Engine::PreviewedVariant(const Slot& slot) const {
  const Value* variant_id = options_.previews.find(slot.id);
  return variant_id ? slot.FindVariant(variant_id->as_string()) : nullptr;
}

std::vector<Decision> Engine::DecideAll(int64_t now_ms) {
  std::vector<Decision> decisions;
  const Artifact* artifact = artifact_.current();
  if (!artifact) return decisions;
  decisions.reserve(artifact->slots.size());
  for (size_t i = 0; i < artifact->slots.size(); ++i) {
    decisions.push_back(DecideSlot(*artifact, i, now_ms));
  }
  return decisions;
}

std::vector<const Decision*> Engine::DecideAllChanges(int64_t now_ms) {
  std::vector<const Decision*> decisions;
  const Artifact* artifact = artifact_.current();
  if (!artifact) return decisions;
  decisions.reserve(artifact->slots.size());
  // Slot ids are unique in a loaded artifact, so this is Decide() for each
  // id without looking the slot up again.
  for (size_t i = 0; i < artifact->slots.size(); ++i) {
    const Decision& decision = DecideSlot(*artifact, i, now_ms);
    decisions.push_back(memo_->TakeUndelivered(i) ? &decision : nullptr);
  }
  return decisions;
}

void Engine::RecordImpression(std::string_view slot, std::string_view variant) {
  if (consent_.Allows(Operation::kSendSignal)) {
    pending_.RecordImpression(slot, variant);
  }
}

void Engine::RecordClick(std::string_view slot, std::string_view variant) {
  if (consent_.Allows(Operation::kSendSignal)) {
    pending_.RecordClick(slot, variant);
  }
}

// ---- signals ----------------------------------------------------------------

Result<std::string> Engine::Flush(std::string id, int64_t seq,
                                  SignalFormat format, int64_t now_ms) {
  if (!consent_.Allows(Operation::kSendSignal)) return std::string();
  if (!unsent_parts_.empty()) {
    Value part = std::move(unsent_parts_.front());
    unsent_parts_.erase(unsent_parts_.begin());
    part.set("id", Value(std::move(id)));
    part.set("seq", Value(seq));
    return EncodeSignal(part, format);
  }
  if (pending_.empty()) return std::string();
  for (const std::string& name : touched_events_) {
    WindowTotals totals = profile_.Totals(name, now_ms);
    pending_.RecordWindowCounts(name,
                                static_cast<int64_t>(totals.last_24h.count),
                                static_cast<int64_t>(totals.last_7d.count),
                                static_cast<int64_t>(totals.last_30d.count));
  }
  Attributes(now_ms);  // segments and cluster as of now

  SignalHeader header;
  header.id = std::move(id);
  header.site = options_.site;
  header.visitor_id = profile_.anonymous_id();
  header.seq = seq;
  ConsentSnapshot snapshot = consent_.Snapshot();
  Value granted = Value::MakeArray();
  granted.push_back("necessary");
  if (snapshot.analytics) granted.push_back("analytics");
  if (snapshot.personalization) granted.push_back("personalization");
  if (snapshot.marketing) granted.push_back("marketing");
  header.consent.set("granted", std::move(granted));
  header.consent.set("policy", snapshot.policy_version);
  header.segments = MembershipsIn(cached_attributes_);
  header.cluster = cached_cluster_;
  // Only what the signal schema takes: a site's own device names or language
  // text serve its conditions, but would get the signal refused.
  bool device = IsDeviceClass(context_.device);
  bool language = IsLanguageTag(context_.language);
  if (device || language) {
    header.context = Value::MakeObject();
    if (device) header.context.set("dev", context_.device);
    if (language) header.context.set("lang", context_.language);
  }
  header.marketing = consent_.Allows(Operation::kSendMarketingSignal);

  Value signal = pending_.Build(header, now_ms);
  std::string bytes = EncodeSignal(signal, format);
  const Artifact* artifact = artifact_.current();
  const size_t max_bytes =
      std::min(kMaxSignalRequestBytes,
               static_cast<size_t>(artifact ? artifact->signals.max_batch_bytes
                                            : SignalsConfig().max_batch_bytes));
  std::vector<Value> parts;
  if (bytes.size() > max_bytes) {
    parts = SplitSignal(signal, format, max_bytes);
  } else {
    parts.push_back(std::move(signal));
  }
#if TESSERA_CLIENT_RECHECKS
  // Never send what the server would refuse; the aggregates stay pending.
  // The browser build leaves this out: the accumulator builds within the
  // schema's caps, and the server validates every signal it receives.
  for (const Value& part : parts) {
    Status valid = CheckSignal(part);
    if (!valid.ok()) {
      return Status(valid.code(), "signal not sent: " + valid.message());
    }
  }
#endif
  pending_.Reset();
  touched_events_.clear();
  if (parts.size() == 1) return bytes;
  unsent_parts_.assign(std::make_move_iterator(parts.begin() + 1),
                       std::make_move_iterator(parts.end()));
  return EncodeSignal(parts.front(), format);
}

void Engine::Forget(std::string new_visitor_id) {
  profile_.Clear();
  options_.visitor_id = std::move(new_visitor_id);
  if (!options_.visitor_id.empty())
    profile_.SetAnonymousId(options_.visitor_id);
  pending_.Reset();
  touched_events_.clear();
  unsent_parts_.clear();
  InvalidateAll();
}

void Engine::InvalidateAll() {
  Invalidate();
  memo_->Forget();
}

}  // namespace tessera
