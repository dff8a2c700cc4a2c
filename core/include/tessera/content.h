// Content slots: which block a visitor sees in each slot of a page or email.
//
// A slot has ordered variants, each an optional condition over the visitor's
// attributes and a Mustache template. The decision, in order:
//  1. when the slot runs an experiment and the visitor is in it, the
//     experiment's assignment picks the variant (source "experiment"); the
//     variant's own condition is not consulted, so the split stays what the
//     experiment's weights say;
//  2. otherwise the first variant that has a condition and whose condition
//     matches wins (source "rule"); a variant without a condition is shown
//     only as the default or through an experiment, so an experiment-only
//     variant never leaks to visitors outside the experiment;
//  3. otherwise the default variant (source "default");
//  4. otherwise nothing (source "none", empty html).
// Visitors outside the experiment (coverage, namespace, no hash attribute,
// holdout) therefore get the slot's ordinary content. An exposure is
// recorded for visitors in the experiment and for held-out visitors (with
// in_experiment false and in_holdout true), the two groups an analysis
// compares; nobody else is reported.
//
// The block is rendered with the attributes as the Mustache view, with the
// variant's `data` members added on top (they win over attributes of the same
// name). A render failure leaves `html` empty and sets `render_status`; the
// decision itself still stands.
//
// Parsing never throws: every problem is appended with its JSON path. Slots
// are immutable values after parsing; Decide is const, pure and re-entrant
// (thread-safe if the RegexMatcher is).
#ifndef TESSERA_CONTENT_H_
#define TESSERA_CONTENT_H_

#include <optional>
#include <string>
#include <vector>

#include "tessera/condition.h"
#include "tessera/experiment.h"
#include "tessera/json.h"
#include "tessera/mustache.h"
#include "tessera/status.h"
#include "tessera/validation.h"

namespace tessera {

struct Variant {
  std::string id;               // unique within its slot; non-empty
  CompiledCondition condition;  // used only when has_condition
  bool has_condition = false;   // without one, never chosen as a rule
  MustacheTemplate tmpl;
  std::string template_text;  // as authored, for tools and debugging
  Value data;                 // extra view data (an object, or null)
};

struct Slot {
  std::string id;
  std::vector<Variant> variants;               // in priority order
  std::optional<std::string> default_variant;  // a variant id
  std::string experiment_key;                  // "" when none

  // The variant with `id`, or nullptr.
  const Variant* FindVariant(const std::string& variant_id) const;
};

struct Exposure {
  std::string experiment_key;
  int variation_index = 0;
  // The variation's variant id; for a held-out visitor the control's (what
  // GrowthBook would report), while Decision::variant_id is what they saw.
  std::string variant_id;
  bool in_experiment = false;
  bool in_holdout = false;
  std::string hash_attribute;
  std::string hash_value;  // the hashed attribute value, as a string
  double bucket = 0;       // the visitor's hash in [0, 1)
};

struct Decision {
  std::string slot_id;
  std::string variant_id;  // "" when source is "none"
  std::string source;      // "rule" | "experiment" | "default" | "none"
  std::optional<Exposure> exposure;
  std::string html;
  Status render_status;
};

class ContentSelector {
 public:
  // `experiment` is the experiment named by slot.experiment_key, or nullptr
  // (then the slot decides by its rules alone). An experiment variation whose
  // variant id is not in the slot is treated as "not in the experiment";
  // CheckSlotExperiment reports that case when the artifact is loaded.
  // `saved_groups` and `regex` are passed to the conditions.
  static Decision Decide(const Slot& slot, const Experiment* experiment,
                         const Value& attributes, const Value& saved_groups,
                         const RegexMatcher* regex);
};

// What a decision reports of `assignment` to `experiment`.
Exposure ExposureOf(const Experiment& experiment,
                    const ExperimentAssignment& assignment);

// Renders `variant` for a decision: the attributes as the view with the
// variant's data on top. Sets decision->html, or render_status on failure.
void RenderVariant(const Variant& variant, const Value& attributes,
                   Decision* decision);

// Reads a slot from its artifact JSON:
//   {"id":"hero","variants":[{"id":"vip","condition":{...},
//    "template":"<h2>Exclusive VIP Discount</h2>","data":{...}}, ...],
//    "default":"standard","experiment":"hero-test"}
// `id`, `variants` (non-empty) and each variant's `id` and `template` are
// required. Conditions are compiled (with `regex`, when given, checking
// patterns) and templates parsed here; their errors are reported under the
// variant's "condition"/"template" path. Returns whether no problem was
// found; `out` is filled as far as the input allows either way.
bool ParseSlot(const Value& json, const std::string& path,
               const RegexMatcher* regex, Slot* out, Problems* problems);

// Cross-checks a slot against the experiment it names: every variation must
// be one of the slot's variant ids. Problems go under `experiment_path`'s
// "variations" entries. Returns whether none was found.
bool CheckSlotExperiment(const Slot& slot, const Experiment& experiment,
                         const std::string& experiment_path,
                         Problems* problems);

}  // namespace tessera

#endif  // TESSERA_CONTENT_H_
