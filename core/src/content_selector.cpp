#include <utility>

#include "tessera/content.h"

namespace tessera {
namespace {

const Variant* FirstMatchingRule(const Slot& slot, const Value& attributes,
                                 const Value& saved_groups,
                                 const RegexMatcher* regex) {
  for (const Variant& variant : slot.variants) {
    if (variant.has_condition &&
        variant.condition.Evaluate(attributes, saved_groups, regex)) {
      return &variant;
    }
  }
  return nullptr;
}

}  // namespace

Exposure ExposureOf(const Experiment& experiment,
                    const ExperimentAssignment& assignment) {
  Exposure exposure;
  exposure.experiment_key = experiment.key;
  exposure.variation_index = assignment.variation_index;
  exposure.variant_id = assignment.variant_id;
  exposure.in_experiment = assignment.in_experiment;
  exposure.in_holdout = assignment.in_holdout;
  exposure.hash_attribute = assignment.hash_attribute;
  exposure.hash_value = assignment.hash_value;
  exposure.bucket = assignment.bucket.value_or(0);
  return exposure;
}

void RenderVariant(const Variant& variant, const Value& attributes,
                   Decision* decision) {
  // The variant's data sits over the attributes, shadowing same-named keys,
  // without copying the attribute tree for every block.
  const bool has_data = variant.data.is_object() && variant.data.size() > 0;
  Result<std::string> html =
      variant.tmpl.RenderStacked(attributes, has_data ? variant.data : Value());
  if (html.ok()) {
    decision->html = std::move(html).value();
  } else {
    decision->render_status = html.status();
  }
}

const Variant* Slot::FindVariant(const std::string& variant_id) const {
  for (const Variant& variant : variants) {
    if (variant.id == variant_id) return &variant;
  }
  return nullptr;
}

Decision ContentSelector::Decide(const Slot& slot, const Experiment* experiment,
                                 const Value& attributes,
                                 const Value& saved_groups,
                                 const RegexMatcher* regex) {
  Decision decision;
  decision.slot_id = slot.id;
  const Variant* chosen = nullptr;

  if (experiment != nullptr) {
    const ExperimentAssignment assignment = Assign(*experiment, attributes);
    if (assignment.in_experiment) {
      chosen = slot.FindVariant(assignment.variant_id);
      if (chosen != nullptr) {
        decision.source = "experiment";
        decision.exposure = ExposureOf(*experiment, assignment);
      }
    } else if (assignment.in_holdout) {
      decision.exposure = ExposureOf(*experiment, assignment);
    }
  }
  if (chosen == nullptr) {
    chosen = FirstMatchingRule(slot, attributes, saved_groups, regex);
    if (chosen != nullptr) decision.source = "rule";
  }
  if (chosen == nullptr && slot.default_variant) {
    chosen = slot.FindVariant(*slot.default_variant);
    if (chosen != nullptr) decision.source = "default";
  }
  if (chosen == nullptr) {
    decision.source = "none";
    return decision;
  }
  decision.variant_id = chosen->id;
  RenderVariant(*chosen, attributes, &decision);
  return decision;
}

}  // namespace tessera
