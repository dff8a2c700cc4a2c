// DecisionMemo: what an Engine remembers between two decisions, so that the
// next one recomputes only what its inputs changed.
//
// Every rule condition, variant condition and variant template lists the
// attribute paths it reads (CompiledCondition::ReadPaths, the template's
// lookup names); an AttributeWatch tells, after each derivation of the
// attributes, which of those paths changed value. When only tracked events
// and the clock moved since, and every reader's paths are known, the watch
// instead recomputes just those paths from the profile and writes them into
// the attributes (RefreshFromProfile), skipping the derivation. Then:
//  - a rule segment is re-evaluated when a path it reads changed, or when it
//    reads the memberships and those matched before it changed
//    (SegmentEvaluator with a SegmentMemo);
//  - a slot re-evaluates, in order, the variant conditions whose inputs
//    changed until the first match (an unchanged earlier "false" stays
//    false, an unchanged "true" stops the walk), and re-renders only when
//    the chosen variant or an input of its template changed;
//  - which readers must look again is pushed, not polled: a refresh flags
//    the readers of the paths it changed (an index from path to readers),
//    a slot only when the path is a part its last choice consulted (the
//    conditions up to the chosen variant, the chosen template), so a slot
//    with nothing new costs one flag test;
//  - anything whose inputs cannot be listed is recomputed every time: a
//    condition with a $savedGroup reference, a template using the implicit
//    iterator "." (it may print the whole view), and every slot that runs
//    an experiment (hashing, coverage, namespaces and exposures).
// Decide() is ContentSelector::Decide with these shortcuts (the engine's
// tests compare the two).
// The engine calls Forget() for every change it does not describe as
// attribute values (artifact, consent, profile restore, identify, forget),
// after which everything is recomputed once.
#ifndef TESSERA_SRC_DECISION_MEMO_H_
#define TESSERA_SRC_DECISION_MEMO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attribute_watch.h"
#include "tessera/artifact.h"
#include "tessera/condition.h"
#include "tessera/content.h"
#include "tessera/json.h"
#include "tessera/segments.h"

namespace tessera {

class DecisionMemo {
 public:
  DecisionMemo() = default;
  // Lists the inputs of `rules` (in evaluation order) and of `slots`.
  // Lists the inputs of `rules` (in evaluation order) and of `slots`, and
  // watches the features of `clusters` too (they are read from the same
  // attributes).
  DecisionMemo(const std::vector<RuleSegment>& rules,
               const std::vector<Slot>& slots,
               const std::vector<ClusterModel>& clusters);

  // Everything is recomputed at the next decision.
  void Forget();
  // The context was set. The readers' context paths are updated from it
  // with the rest (a single-page app's next page stays an incremental
  // decision), unless one reads into a member of its `extra`: then the next
  // refresh is a full Refresh().
  void ContextChanged() {
    watch_.ContextChanged();
    if (watch_.reads_context()) watch_.Unprime();
  }

  // Notes which inputs changed in `attributes`, derived afresh from
  // `profile` (their segments not yet set).
  void Refresh(const Value& attributes, const Profile& profile);
  // Refresh() without deriving the attributes, when only tracked events and
  // the clock moved them and every reader's inputs are known: updates in
  // `attributes` the members conditions and templates read (the others go
  // stale) from `profile`. False when it cannot (AttributeWatch::
  // RefreshFromProfile): derive them and Refresh().
  bool RefreshFromProfile(const Profile& profile, const Context& context,
                          int64_t now_ms, Value* attributes);

  // After a refresh: evaluates the segments into `attributes` (see
  // SegmentEvaluator::Reevaluate); returns the cluster assignments.
  std::vector<ClusterAssignment> Segments(const SegmentEvaluator& evaluator,
                                          Value* attributes,
                                          const Value& saved_groups,
                                          const RegexMatcher* regex);
  // After a refresh, when segments are not evaluated (no consent for it).
  void NoSegments();

  // The decision for slots[index] against the attributes given to the
  // latest Segments()/NoSegments(); `experiment` is the one the slot names,
  // or nullptr. Answers as ContentSelector::Decide does.
  const Decision& Decide(size_t index, const Slot& slot,
                         const Experiment* experiment, const Value& attributes,
                         const Value& saved_groups, const RegexMatcher* regex);
  // Stores a decision made without the memo (defaults for lack of
  // consent): the slot is recomputed next time.
  const Decision& Store(size_t index, Decision decision);
  // Whether slots[index]'s decision changed since the last call of this for
  // the slot (true the first time), marking it seen.
  bool TakeUndelivered(size_t index);

 private:
  // What one condition or template reads, as an offset into inputs_:
  // there, a word of flags (kAlways, kMemberships) and the number n of
  // watched paths it reads, then those n AttributeWatch indices.
  using Inputs = uint32_t;
  static constexpr uint32_t kAlways = 1;       // unknown: recompute always
  static constexpr uint32_t kMemberships = 2;  // reads "segments"/"cluster"
  static constexpr uint32_t kFlagBits = 2;

  struct SlotState {
    Decision decision;
    size_t chosen = 0;             // variant index; variants.size() for none
    const char* source = nullptr;  // decision.source, one of Decide's literals
    uint64_t epoch = 0;            // the attributes it was decided against
    bool valid = false;
    bool delivered = false;
  };

  // The inputs of something that reads the attribute paths `dotted`, or
  // unknown inputs when `known` is false.
  Inputs InputsOf(const std::vector<std::string>& dotted, bool known);
  bool ChangedAfter(Inputs inputs, uint64_t epoch) const;
  // Lists, per watched path, the rules and slots that read it.
  void IndexReaders();
  // After a refresh at epoch_: flags the readers of every path it changed.
  void FlagReadersOfChangedPaths();
  void FlagMembershipReaders();

  AttributeWatch watch_;
  // Every reader's inputs are listed: a slot with an experiment or an input
  // marked kAlways reads attributes no path names.
  bool inputs_listed_ = true;
  std::vector<uint32_t> inputs_;
  std::vector<Inputs> rules_;
  // Per variant of every slot, slot after slot: slots_[i]'s variants start
  // at variant_begin_[i]. Its condition's inputs, its template's, and the
  // condition's last answer (0 not known, 1 false, 2 true).
  std::vector<uint32_t> variant_begin_;
  std::vector<Inputs> condition_inputs_;
  std::vector<Inputs> view_inputs_;
  std::vector<uint8_t> outcomes_;
  SegmentMemo segments_;
  std::vector<uint8_t> stale_rules_;
  std::vector<SlotState> slots_;
  // Who must look again, pushed by the refreshes so that a decision with
  // nothing new costs a flag test per rule and per slot. Readers are
  // numbered rules first, then slots; per reader, kChanged (an input
  // changed since it was last evaluated or decided) and kUnlisted (it reads
  // unknown inputs: always look again).
  static constexpr uint8_t kChanged = 1;
  static constexpr uint8_t kUnlisted = 2;
  std::vector<uint8_t> reader_flags_;
  std::vector<uint32_t> reader_begin_;  // per path: its readers' offset
  // One (path, reader) pair: a rule (part 0) or a slot's variant condition
  // (part 2 * variant) or template (2 * variant + 1).
  struct Read {
    uint32_t reader;
    uint32_t parts;  // PartBit(part) for a slot; all bits for a rule
  };
  // Parts as bits: 1 << part, the parts past 30 sharing the top bit.
  static uint32_t PartBit(size_t part);
  std::vector<Read> readers_;  // of the paths, path after path
  // Per reader, the parts its last evaluation or decision read (all bits
  // for rules and for slots not remembered): a change to a Read's parts
  // flags its reader only if they share a bit.
  std::vector<uint32_t> reader_parts_;
  std::vector<uint32_t> membership_readers_;
  uint64_t epoch_ = 0;  // bumps with every derivation of the attributes
  uint64_t memberships_changed_at_ = 0;
  // Forget() stamps this: every input counts as changed after it.
  uint64_t forgotten_at_ = 0;
};

}  // namespace tessera

#endif  // TESSERA_SRC_DECISION_MEMO_H_
