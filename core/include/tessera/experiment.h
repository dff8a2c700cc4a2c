// Experiments: deterministic assignment of visitors to content variations.
//
// Assign() buckets exactly as GrowthBook's runExperiment does for the same
// key, seed, weights, coverage, namespace and hash version, so an experiment
// moved from GrowthBook keeps every visitor in the variation they had there.
//
// Control and holdout model:
//  - variations[0] is the control. A visitor who is not in the experiment
//    (any reason) is reported with variation 0, as GrowthBook reports them,
//    but `in_experiment` is false and no exposure should be counted.
//  - `holdout` (default 0) is a Tessera extension: that share of the visitors
//    who would otherwise be bucketed is kept out of every variation and sees
//    the slot's ordinary (non-experiment) content; they are reported with
//    reason "holdout" so the analysis can compare the experiment as a whole
//    against no experiment. Holdout membership uses its own hash
//    (GrowthBookHash("__holdout:" + seed, hash value, 2) < holdout), which is
//    independent of the variation hash: every visitor outside the holdout
//    keeps the variation GrowthBook would give them.
//  - hash_version defaults to 2 here. GrowthBook's runExperiment defaults to
//    1 when the field is absent, so an experiment copied from GrowthBook
//    should state its hashVersion (GrowthBook's own payloads always do).
//
// Assign() never fails: a malformed Experiment (fewer than two variations,
// unknown hash version) puts nobody in the experiment and says why in
// `reason`; bad weights or coverage are corrected as GrowthBook corrects them.
// ParseExperiment() is where malformed experiments are rejected, with every
// problem's JSON path. Experiment is a plain value; all functions are pure
// and thread-safe.
#ifndef TESSERA_EXPERIMENT_H_
#define TESSERA_EXPERIMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "tessera/hashing.h"
#include "tessera/json.h"
#include "tessera/validation.h"

namespace tessera {

struct Experiment {
  std::string key;
  // Variant ids, one per variation; index 0 is the control. At least two.
  std::vector<std::string> variations;
  // One per variation, summing to 1; empty means equal weights.
  std::vector<double> weights;
  double coverage = 1;                // share of visitors included, [0, 1]
  std::string hash_attribute = "id";  // top-level attribute that is hashed
  std::string seed;                   // empty means `key`
  int hash_version = 2;               // GrowthBook hash version, 1 or 2
  std::optional<NamespaceRange> namespace_range;  // GrowthBook "namespace"
  double holdout = 0;                             // share held out, [0, 1)

  bool has_holdout() const { return holdout > 0; }
  // The seed actually hashed: `seed`, or `key` when the seed is empty.
  const std::string& effective_seed() const {
    return seed.empty() ? key : seed;
  }
};

struct ExperimentAssignment {
  bool in_experiment = false;
  bool in_holdout = false;
  // The assigned variation; 0 (the control) when not in the experiment.
  int variation_index = 0;
  // variations[variation_index]: the control when not in the experiment, as
  // GrowthBook reports it ("" only when there are no variations).
  std::string variant_id;
  std::string hash_attribute;
  // The hash attribute's value as the string GrowthBook hashed ("" if absent).
  std::string hash_value;
  // The visitor's hash in [0, 1) (GrowthBook's `bucket`); set whenever the
  // variation hash was computed.
  std::optional<double> bucket;
  // Why: "assigned", "too_few_variations", "no_hash_attribute",
  // "not_in_namespace", "holdout", "unknown_hash_version", "not_in_coverage".
  std::string reason;
};

// Buckets the visitor described by `attributes` (an object; anything else
// has no hash attribute). As in GrowthBook, a hash attribute that is missing,
// null, false, 0 or "" means "no_hash_attribute"; numbers, true, arrays and
// objects are hashed as JavaScript's String() writes them.
ExperimentAssignment Assign(const Experiment& experiment,
                            const Value& attributes);

// Reads an experiment from its artifact JSON:
//   {"key":"hero-test","variations":["standard","vip"],"weights":[0.5,0.5],
//    "coverage":1,"hashAttribute":"id","seed":"hero-test","hashVersion":2,
//    "namespace":["pricing",0,0.5],"holdout":0}
// Only key and variations are required. Every problem is appended to
// `problems` under `path` (e.g. "$.experiments[0].weights"); returns whether
// none was found. `out` is filled as far as the input allows either way.
bool ParseExperiment(const Value& json, const std::string& path,
                     Experiment* out, Problems* problems);

}  // namespace tessera

#endif  // TESSERA_EXPERIMENT_H_
