// Engine: one visitor's personalization state machine — the piece the browser
// SDK wraps. It ties together the consent gate, the local profile, the
// decision artifact, segment evaluation, content selection and the signal
// accumulator, so that every rule about what may happen lives in C++:
//  - tracking updates the local profile only with analytics or
//    personalization consent, and the outgoing aggregates only with analytics;
//  - identify keeps a user id and traits only with personalization, and
//    withdrawing personalization forgets them even while analytics stays;
//  - personalized content and segments need personalization, otherwise every
//    slot gets its default variant;
//  - a signal is built only with analytics, and flagged for email use only
//    with marketing;
//  - withdrawing a purpose erases the data that depended on it at once.
// Time is always passed in (`now_ms`); nothing here reads a clock, touches
// storage or the network: the caller persists SaveProfile()'s bytes and sends
// Flush()'s. Bad input gives a Status that says what was wrong; an invalid
// artifact never replaces the last good one. Not thread-safe: one Engine per
// visitor, used from one thread. The RegexMatcher is borrowed and must outlive
// the Engine.
#ifndef TESSERA_ENGINE_H_
#define TESSERA_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/artifact.h"
#include "tessera/attributes.h"
#include "tessera/condition.h"
#include "tessera/consent.h"
#include "tessera/content.h"
#include "tessera/event.h"
#include "tessera/json.h"
#include "tessera/profile.h"
#include "tessera/signal.h"
#include "tessera/status.h"

namespace tessera {

class DecisionMemo;

struct EngineOptions {
  std::string site;              // required: the artifact's and signal's site
  ConsentPolicy consent_policy;  // default: opt-in, honours GPC
  // Whether consent_policy was chosen by the page. When false, the site's
  // policy and purpose defaults from the decision artifact are adopted.
  bool consent_policy_from_page = false;
  bool global_privacy_control = false;  // navigator.globalPrivacyControl
  std::string visitor_id;               // used when the profile has none yet
  EventLimits event_limits;             // defaults in event.h
  // Slots shown as the named variant whatever their rules and experiment
  // say (slot id, variant id), so a marketer can check each variant before
  // visitors see it; the SDK reads them from the page URL. Such a decision
  // has source "preview", renders with the visitor's attributes only under
  // personalization consent, and records no exposure. A variant the slot
  // lacks is ignored. An object of slot id -> variant id. Default: none.
  Value previews;
};

struct ConsentChange {
  bool changed = false;            // any purpose granted or withdrawn
  std::vector<Purpose> withdrawn;  // data depending on these was erased
};

class Engine {
 public:
  Engine(EngineOptions options, int64_t now_ms, const RegexMatcher* regex);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- decision artifact
  // Parses and validates; on failure the previous artifact stays in force and
  // the status lists every problem with its JSON path. Unless the page chose
  // a consent policy, the artifact's policy and defaults take effect (a
  // stricter policy withdraws, and erases, at once).
  Status LoadArtifact(std::string_view json_text, int64_t now_ms);
  const Artifact* artifact() const;

  // ---- consent
  ConsentChange SetConsent(const ConsentUpdate& update, int64_t now_ms);
  // Restores a state written by ConsentRecord() (stored by the SDK).
  Status RestoreConsent(std::string_view stored_json, int64_t now_ms);
  std::string ConsentRecord() const;
  const ConsentState& consent() const { return consent_; }

  // ---- profile persistence
  // Replaces the in-memory profile with stored bytes. Corrupted bytes give
  // DataLoss and leave the current profile as it was.
  Status RestoreProfile(std::string_view bytes);
  // The bytes to store, or "" when no purpose allows storing a profile.
  std::string SaveProfile() const;

  // ---- tracking
  Result<Event> Track(std::string_view name, const Value& properties,
                      const Value& timestamp, int64_t now_ms);
  Status Identify(std::string user_id, const Value& traits, int64_t now_ms);
  void SetContext(Context context);
  const Context& context() const { return context_; }

  // ---- decisions
  // Derived attributes with `segments` and `cluster` filled in. Computed at
  // most once per (now, profile, artifact, context) and then reused.
  const Value& Attributes(int64_t now_ms);
  std::vector<std::string> Segments(int64_t now_ms);
  // The decision for one slot; NotFound for an unknown slot id.
  Result<Decision> Decide(std::string_view slot_id, int64_t now_ms);
  // Every slot of the artifact, in artifact order.
  std::vector<Decision> DecideAll(int64_t now_ms);
  // DecideAll() for a caller that keeps the previous answer: entry i is
  // slot i's decision when it differs from the one this call last returned
  // for that slot (or was never returned), else nullptr. The pointers are
  // valid until the next call that decides or changes the engine.
  std::vector<const Decision*> DecideAllChanges(int64_t now_ms);
  // Drops what earlier decisions remembered (decision_memo.h), so that the
  // next one is computed from scratch. Answers stay the same; for tests
  // and benchmarks that compare the two ways.
  void ForgetDecisionMemo() { InvalidateAll(); }
  void RecordImpression(std::string_view slot, std::string_view variant);
  void RecordClick(std::string_view slot, std::string_view variant);

  // ---- signals
  // The encoded signal with everything since the previous flush, or "" when
  // there is nothing to send or analytics is not granted. `id` is the
  // caller's random idempotency id. A signal over the artifact's
  // signals.maxBatchBytes comes out in parts, one per call, each with the
  // `id` and `seq` of its call: call again until "" to send them all.
  Result<std::string> Flush(std::string id, int64_t seq, SignalFormat format,
                            int64_t now_ms);

  // Erases the profile, the pending aggregates and the cached decisions, and
  // continues under a new random visitor id so nothing links old and new (the
  // consent choice is kept: it records what the visitor decided).
  void Forget(std::string new_visitor_id);

 private:
  void ApplyWithdrawals(const std::vector<Purpose>& withdrawn);
  bool MayKeepProfile() const;
  void Invalidate() { ++generation_; }
  // Attributes(now_ms); or, when `complete` is false, attributes in which
  // only what the artifact's conditions and templates read is sure to be
  // current (DecisionMemo::RefreshFromProfile), for deciding.
  const Value& RefreshedAttributes(int64_t now_ms, bool complete);
  // Also recomputes every decision from scratch next time: for changes
  // that are not visible as attribute values (see decision_memo.h).
  void InvalidateAll();
  // Decide() for artifact.slots[index].
  const Decision& DecideSlot(const Artifact& artifact, size_t index,
                             int64_t now_ms);
  // The variant options_.previews names for `slot`, if the slot has it.
  const Variant* PreviewedVariant(const Slot& slot) const;

  EngineOptions options_;
  const RegexMatcher* regex_;
  ConsentState consent_;
  Profile profile_;
  ArtifactHolder artifact_;
  std::unique_ptr<SegmentEvaluator> segments_;
  // What the previous decisions found (decision_memo.h), so the next one
  // recomputes only what changed. Always present.
  std::unique_ptr<DecisionMemo> memo_;
  Context context_;
  SignalAccumulator pending_;
  std::vector<std::string> touched_events_;  // types recorded since the flush
  std::vector<Value> unsent_parts_;  // of a split signal, next Flush() first

  uint64_t generation_ = 1;  // bumps when profile, artifact or context change
  uint64_t cached_generation_ = 0;
  bool cached_complete_ = false;  // cached_attributes_ has every member
  int64_t cached_now_ms_ = 0;
  Value cached_attributes_;
  std::string cached_cluster_;
};

}  // namespace tessera

#endif  // TESSERA_ENGINE_H_
