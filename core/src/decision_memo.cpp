#include "decision_memo.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tessera {

DecisionMemo::DecisionMemo(const std::vector<RuleSegment>& rules,
                           const std::vector<Slot>& slots,
                           const std::vector<ClusterModel>& clusters) {
  std::vector<std::string> dotted;
  for (const RuleSegment& rule : rules) {
    dotted.clear();
    const bool known = rule.condition.ReadPaths(&dotted);
    rules_.push_back(InputsOf(dotted, known));
  }
  stale_rules_.assign(rules_.size(), SegmentEvaluator::kFresh);
  for (const Slot& slot : slots) {
    if (!slot.experiment_key.empty()) inputs_listed_ = false;
    variant_begin_.push_back(static_cast<uint32_t>(condition_inputs_.size()));
    for (const Variant& variant : slot.variants) {
      dotted.clear();
      const bool known =
          !variant.has_condition || variant.condition.ReadPaths(&dotted);
      condition_inputs_.push_back(InputsOf(dotted, known));
      dotted.clear();
      variant.tmpl.LookupNames(&dotted);
      view_inputs_.push_back(InputsOf(dotted, true));
    }
  }
  for (const ClusterModel& model : clusters) {
    for (const std::string& feature : model.features) watch_.Add(feature);
  }
  outcomes_.assign(condition_inputs_.size(), 0);
  slots_.resize(slots.size());
  IndexReaders();
}

void DecisionMemo::IndexReaders() {
  // Calls visit(reader, inputs, part) for everything each reader reads;
  // for a slot, part is 2 * variant for a condition, + 1 for a template.
  const auto each_read = [this](auto&& visit) {
    for (size_t r = 0; r < rules_.size(); ++r) visit(r, rules_[r], 0);
    for (size_t s = 0; s < slots_.size(); ++s) {
      const size_t end = s + 1 < variant_begin_.size() ? variant_begin_[s + 1]
                                                       : condition_inputs_.size();
      for (size_t v = variant_begin_[s]; v < end; ++v) {
        const uint32_t variant = static_cast<uint32_t>(v - variant_begin_[s]);
        visit(rules_.size() + s, condition_inputs_[v], 2 * variant);
        visit(rules_.size() + s, view_inputs_[v], 2 * variant + 1);
      }
    }
  };
  reader_flags_.assign(rules_.size() + slots_.size(), kChanged);
  // Rules read all their inputs; slots have decided nothing yet.
  reader_parts_.assign(rules_.size() + slots_.size(), ~0u);
  // A counting sort of the (path, reader) pairs by path.
  reader_begin_.assign(watch_.size() + 1, 0);
  each_read([this](size_t reader, Inputs inputs, uint32_t) {
    const uint32_t head = inputs_[inputs];
    if ((head & kAlways) != 0) reader_flags_[reader] |= kUnlisted;
    // Rules learn of membership changes from the segment evaluator.
    if ((head & kMemberships) != 0 && reader >= rules_.size() &&
        (membership_readers_.empty() || membership_readers_.back() != reader)) {
      membership_readers_.push_back(static_cast<uint32_t>(reader));
    }
    for (uint32_t i = 1; i <= head >> kFlagBits; ++i) {
      ++reader_begin_[inputs_[inputs + i] + 1];
    }
  });
  for (size_t p = 1; p < reader_begin_.size(); ++p) {
    reader_begin_[p] += reader_begin_[p - 1];
  }
  readers_.resize(reader_begin_.back());
  std::vector<uint32_t> next(reader_begin_.begin(), reader_begin_.end() - 1);
  each_read([this, &next](size_t reader, Inputs inputs, uint32_t part) {
    const uint32_t head = inputs_[inputs];
    for (uint32_t i = 1; i <= head >> kFlagBits; ++i) {
      readers_[next[inputs_[inputs + i]]++] =
          Read{static_cast<uint32_t>(reader),
               reader < rules_.size() ? ~0u : PartBit(part)};
    }
  });
}

void DecisionMemo::FlagReadersOfChangedPaths() {
  for (const uint32_t path : watch_.ChangedAt(epoch_)) {
    for (uint32_t i = reader_begin_[path]; i < reader_begin_[path + 1]; ++i) {
      const Read read = readers_[i];
      if ((read.parts & reader_parts_[read.reader]) != 0) {
        reader_flags_[read.reader] |= kChanged;
      }
    }
  }
}

uint32_t DecisionMemo::PartBit(size_t part) {
  return 1u << (part < 31 ? part : 31);
}

void DecisionMemo::FlagMembershipReaders() {
  for (const uint32_t reader : membership_readers_) {
    reader_flags_[reader] |= kChanged;
  }
}

// A template name is looked up in the context stack: the variant's data
// (fixed), the values of enclosing sections (themselves names of the
// template, read whole) and the attributes. So the attribute value at each
// name's path, read as AttributeWatch does, covers everything a rendering
// can read, except the implicit iterator ".", which may print the whole
// view. For a condition, "." is the key "." (two empty steps): treating it
// as unknown only costs a re-evaluation.
DecisionMemo::Inputs DecisionMemo::InputsOf(
    const std::vector<std::string>& dotted, bool known) {
  const Inputs at = static_cast<Inputs>(inputs_.size());
  uint32_t flags = known ? 0 : kAlways;
  inputs_.push_back(0);
  for (const std::string& path : dotted) {
    if (path == ".") {
      flags |= kAlways;
    } else if (IsMembershipPath(path)) {
      // Set by segment evaluation, after the attributes are compared.
      flags |= kMemberships;
    } else {
      inputs_.push_back(watch_.Add(path));
    }
  }
  if ((flags & kAlways) != 0) inputs_listed_ = false;
  inputs_[at] = flags | static_cast<uint32_t>(inputs_.size() - at - 1)
                              << kFlagBits;
  return at;
}

bool DecisionMemo::ChangedAfter(Inputs inputs, uint64_t epoch) const {
  const uint32_t head = inputs_[inputs];
  if ((head & kAlways) != 0 || forgotten_at_ > epoch) return true;
  if ((head & kMemberships) != 0 && memberships_changed_at_ > epoch) {
    return true;
  }
  const uint32_t* paths = inputs_.data() + inputs + 1;
  for (uint32_t i = 0; i < head >> kFlagBits; ++i) {
    if (watch_.ChangedAfter(paths[i], epoch)) return true;
  }
  return false;
}

void DecisionMemo::Forget() {
  forgotten_at_ = ++epoch_;
  watch_.Unprime();
  for (uint8_t& flags : reader_flags_) flags |= kChanged;
}

void DecisionMemo::Refresh(const Value& attributes, const Profile& profile) {
  ++epoch_;
  watch_.Refresh(attributes, profile, epoch_);
  FlagReadersOfChangedPaths();
}

bool DecisionMemo::RefreshFromProfile(const Profile& profile,
                                      const Context& context, int64_t now_ms,
                                      Value* attributes) {
  if (!inputs_listed_ ||
      !watch_.RefreshFromProfile(profile, context, now_ms, epoch_ + 1,
                                 attributes)) {
    return false;
  }
  ++epoch_;
  FlagReadersOfChangedPaths();
  return true;
}

std::vector<ClusterAssignment> DecisionMemo::Segments(
    const SegmentEvaluator& evaluator, Value* attributes,
    const Value& saved_groups, const RegexMatcher* regex) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    stale_rules_[i] = reader_flags_[i] != 0 ? SegmentEvaluator::kStale
                      : (inputs_[rules_[i]] & kMemberships) != 0
                          ? SegmentEvaluator::kIfMemberships
                          : SegmentEvaluator::kFresh;
    reader_flags_[i] &= ~kChanged;
  }
  std::vector<ClusterAssignment> clusters = evaluator.Reevaluate(
      attributes, saved_groups, regex, &stale_rules_, &segments_);
  if (segments_.changed) {
    memberships_changed_at_ = epoch_;
    FlagMembershipReaders();
  }
  return clusters;
}

void DecisionMemo::NoSegments() {
  segments_ = SegmentMemo();
  memberships_changed_at_ = epoch_;
  FlagMembershipReaders();
}

const Decision& DecisionMemo::Decide(size_t index, const Slot& slot,
                                     const Experiment* experiment,
                                     const Value& attributes,
                                     const Value& saved_groups,
                                     const RegexMatcher* regex) {
  SlotState& state = slots_[index];
  uint8_t& flags = reader_flags_[rules_.size() + index];
  if (state.valid && flags == 0) {
    state.epoch = epoch_;
    return state.decision;
  }
  flags &= ~kChanged;
  const size_t count = slot.variants.size();
  const uint32_t begin = variant_begin_[index];
  uint8_t* outcomes = &outcomes_[begin];

  static constexpr const char* rule = "rule";
  size_t chosen = count;
  const char* source = "none";
  std::optional<Exposure> exposure;
  if (experiment != nullptr) {
    // Bucketing, coverage and exposures are not remembered: a slot with an
    // experiment is decided afresh every time, as ContentSelector does.
    state.valid = false;
    const ExperimentAssignment assignment = Assign(*experiment, attributes);
    const Variant* variant = assignment.in_experiment
                                 ? slot.FindVariant(assignment.variant_id)
                                 : nullptr;
    if (variant != nullptr) {
      chosen = static_cast<size_t>(variant - slot.variants.data());
      source = "experiment";
    }
    if (variant != nullptr || assignment.in_holdout) {
      exposure = ExposureOf(*experiment, assignment);
    }
  }
  // A slot decided without the memo has no answers to reuse.
  if (!state.valid) std::fill(outcomes, outcomes + count, 0);
  for (size_t i = 0; chosen == count && i < count; ++i) {
    const Variant& variant = slot.variants[i];
    if (!variant.has_condition) continue;
    uint8_t& outcome = outcomes[i];
    if (outcome == 0 ||
        ChangedAfter(condition_inputs_[begin + i], state.epoch)) {
      outcome =
          variant.condition.Evaluate(attributes, saved_groups, regex) ? 2 : 1;
    }
    if (outcome == 2) {
      chosen = i;
      source = rule;
      // Later variants were not evaluated against these attributes.
      std::fill(outcomes + i + 1, outcomes + count, 0);
    }
  }
  if (chosen == count && slot.default_variant) {
    if (const Variant* variant = slot.FindVariant(*slot.default_variant)) {
      chosen = static_cast<size_t>(variant - slot.variants.data());
      source = "default";
    }
  }
  const size_t consulted = source == rule ? chosen + 1 : count;
  const bool same =
      state.valid && chosen == state.chosen &&
      state.source == source &&
      (chosen == count ||
       !ChangedAfter(view_inputs_[begin + chosen], state.epoch));
  state.epoch = epoch_;
  state.valid = experiment == nullptr;
  // What this choice read: the conditions of the first `consulted`
  // variants and the chosen template; any part, when not remembered.
  uint32_t& parts = reader_parts_[rules_.size() + index];
  parts = state.valid ? 0 : ~0u;
  for (size_t v = 0; v < consulted; ++v) parts |= PartBit(2 * v);
  if (chosen < count) parts |= PartBit(2 * chosen + 1);
  if (same) return state.decision;

  state.chosen = chosen;
  state.source = source;
  state.delivered = false;
  Decision& decision = state.decision;
  decision.slot_id = slot.id;
  decision.source = source;
  decision.exposure = std::move(exposure);
  decision.variant_id.clear();
  decision.html.clear();
  decision.render_status = Status();
  if (chosen < count) {
    decision.variant_id = slot.variants[chosen].id;
    RenderVariant(slot.variants[chosen], attributes, &decision);
  }
  return decision;
}

const Decision& DecisionMemo::Store(size_t index, Decision decision) {
  SlotState& state = slots_[index];
  state.valid = false;
  reader_parts_[rules_.size() + index] = ~0u;
  state.delivered = false;
  state.decision = std::move(decision);
  return state.decision;
}

bool DecisionMemo::TakeUndelivered(size_t index) {
  const bool fresh = !slots_[index].delivered;
  slots_[index].delivered = true;
  return fresh;
}

}  // namespace tessera
