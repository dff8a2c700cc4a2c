#include "decision_memo.h"

#include <string>
#include <string_view>
#include <utility>

namespace tessera {
namespace {

bool IsMembershipPath(const std::string& first_step) {
  return first_step == "segments" || first_step == "cluster";
}

}  // namespace

DecisionMemo::DecisionMemo(const std::vector<RuleSegment>& rules,
                           const std::vector<Slot>& slots) {
  for (const RuleSegment& rule : rules) {
    rules_.push_back(ConditionInputs(rule.condition));
  }
  stale_rules_.resize(rules_.size());
  for (const Slot& slot : slots) {
    std::vector<VariantInputs>& inputs = variants_.emplace_back();
    for (const Variant& variant : slot.variants) {
      VariantInputs v;
      if (variant.has_condition) {
        v.condition = ConditionInputs(variant.condition);
      }
      v.view = TemplateInputs(variant.tmpl);
      inputs.push_back(std::move(v));
    }
  }
  slots_.resize(slots.size());
}

DecisionMemo::Inputs DecisionMemo::ConditionInputs(
    const CompiledCondition& condition) {
  Inputs inputs;
  std::vector<std::vector<std::string>> paths;
  inputs.always = !condition.ReadPaths(&paths);
  for (std::vector<std::string>& steps : paths) {
    if (IsMembershipPath(steps[0])) {
      inputs.memberships = true;
    } else {
      inputs.paths.push_back(watch_.Add(std::move(steps)));
    }
  }
  return inputs;
}

// A name is looked up in the context stack: the variant's data (fixed),
// the values of enclosing sections (themselves names of the template, read
// whole) and the attributes. So the attribute value at each name's path,
// read as AttributeWatch does, covers everything a rendering can read,
// except the implicit iterator, which may print the whole view.
DecisionMemo::Inputs DecisionMemo::TemplateInputs(
    const MustacheTemplate& tmpl) {
  Inputs inputs;
  for (std::string_view name : tmpl.LookupNames()) {
    if (name == ".") {
      inputs.always = true;
      continue;
    }
    const uint32_t path = watch_.AddDotted(name);
    const std::string_view first = name.substr(0, name.find('.'));
    if (first == "segments" || first == "cluster") inputs.memberships = true;
    inputs.paths.push_back(path);
  }
  return inputs;
}

bool DecisionMemo::ChangedAfter(const Inputs& inputs, uint64_t epoch) const {
  if (inputs.always) return true;
  if (inputs.memberships && memberships_changed_at_ > epoch) return true;
  for (uint32_t path : inputs.paths) {
    if (watch_.ChangedAfter(path, epoch)) return true;
  }
  return false;
}

void DecisionMemo::Forget() {
  watch_.Forget();
  segments_ = SegmentMemo();
  for (SlotState& slot : slots_) slot = SlotState();
}

void DecisionMemo::Refresh(const Value& attributes) {
  ++epoch_;
  watch_.Refresh(attributes, epoch_);
}

SegmentResult DecisionMemo::Segments(const SegmentEvaluator& evaluator,
                                     Value* attributes,
                                     const Value& saved_groups,
                                     const RegexMatcher* regex) {
  Refresh(*attributes);
  for (size_t i = 0; i < rules_.size(); ++i) {
    stale_rules_[i] = ChangedAfter(rules_[i], segments_epoch_);
  }
  SegmentResult result = evaluator.Evaluate(attributes, saved_groups, regex,
                                            &stale_rules_, &segments_);
  segments_epoch_ = epoch_;
  if (segments_.changed) memberships_changed_at_ = epoch_;
  return result;
}

void DecisionMemo::NoSegments(const Value& attributes) {
  Refresh(attributes);
  segments_ = SegmentMemo();
  memberships_changed_at_ = epoch_;
}

const Decision& DecisionMemo::Decide(size_t index, const Slot& slot,
                                     const Value& attributes,
                                     const Value& saved_groups,
                                     const RegexMatcher* regex) {
  SlotState& state = slots_[index];
  const std::vector<VariantInputs>& inputs = variants_[index];
  const size_t count = slot.variants.size();
  if (!state.valid) state.outcome.assign(count, 0);

  size_t chosen = count;
  const char* source = "none";
  for (size_t i = 0; i < count; ++i) {
    const Variant& variant = slot.variants[i];
    if (!variant.has_condition) continue;
    uint8_t& outcome = state.outcome[i];
    if (outcome == 0 || ChangedAfter(inputs[i].condition, state.epoch)) {
      outcome =
          variant.condition.Evaluate(attributes, saved_groups, regex) ? 2 : 1;
    }
    if (outcome == 2) {
      chosen = i;
      source = "rule";
      // Later variants were not evaluated against these attributes.
      for (size_t later = i + 1; later < count; ++later) {
        state.outcome[later] = 0;
      }
      break;
    }
  }
  if (chosen == count && slot.default_variant) {
    for (size_t i = 0; i < count; ++i) {
      if (slot.variants[i].id == *slot.default_variant) {
        chosen = i;
        source = "default";
        break;
      }
    }
  }
  const bool same =
      state.valid && chosen == state.chosen &&
      state.decision.source == source &&
      (chosen == count || !ChangedAfter(inputs[chosen].view, state.epoch));
  state.epoch = epoch_;
  state.valid = true;
  if (same) return state.decision;

  state.chosen = chosen;
  state.delivered = false;
  Decision& decision = state.decision;
  decision = Decision();
  decision.slot_id = slot.id;
  decision.source = source;
  if (chosen < count) {
    decision.variant_id = slot.variants[chosen].id;
    RenderVariant(slot.variants[chosen], attributes, &decision);
  }
  return decision;
}

const Decision& DecisionMemo::Store(size_t index, Decision decision) {
  SlotState& state = slots_[index];
  state.valid = false;
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
