#include "tessera/experiment.h"

#include <cmath>
#include <utility>

#include "condition_js_value.h"

namespace tessera {
namespace {

// JavaScript's String(value) for a JSON value, which is what GrowthBook
// hashes when it concatenates the seed with a non-string attribute.
void AppendJsString(const Value& value, std::string* out) {
  condition_internal::AppendJsString(condition_internal::JsValue::Of(value),
                                     out);
}

ExperimentAssignment NotIn(const Experiment& experiment,
                           ExperimentAssignment result, const char* reason) {
  result.in_experiment = false;
  result.variation_index = 0;
  result.variant_id =
      experiment.variations.empty() ? "" : experiment.variations[0];
  result.reason = reason;
  return result;
}

bool IsFiniteNumber(const Value& v) {
  return v.is_number() && std::isfinite(v.as_number());
}

// Reads an optional number in [low, high] (or [low, high) when
// `high_exclusive`); null counts as absent.
void ReadShare(const Value& json, const char* key, const std::string& path,
               bool high_exclusive, double* out, Problems* problems) {
  const Value* v = json.find(key);
  if (v == nullptr || v->is_null()) return;
  const double high = 1;
  if (!IsFiniteNumber(*v) || v->as_number() < 0 ||
      (high_exclusive ? v->as_number() >= high : v->as_number() > high)) {
    AddProblem(problems, JoinPath(path, key),
               high_exclusive
                   ? "must be a number from 0 up to (not including) 1"
                   : "must be a number from 0 to 1");
    return;
  }
  *out = v->as_number();
}

void ReadVariations(const Value& json, const std::string& path, Experiment* out,
                    Problems* problems) {
  const std::string list_path = JoinPath(path, "variations");
  const Value* list = json.find("variations");
  if (list == nullptr) {
    AddProblem(problems, list_path, "is required");
    return;
  }
  if (!list->is_array()) {
    AddProblem(problems, list_path, "must be an array of variant ids");
    return;
  }
  const Array& items = list->as_array();
  if (items.size() < 2) {
    AddProblem(problems, list_path,
               "needs at least 2 variations (the control first), got " +
                   IntegerText(items.size()));
  }
  out->variations.clear();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = JoinPath(list_path, i);
    if (!items[i].is_string() || items[i].as_string().empty()) {
      AddProblem(problems, item_path,
                 "must be a non-empty string (a variant id)");
      out->variations.emplace_back();
      continue;
    }
    const std::string& id = items[i].as_string();
    for (size_t j = 0; j < i; ++j) {
      if (out->variations[j] == id) {
        AddProblem(problems, item_path,
                   "duplicate variation \"" + id + "\" (also at " +
                       JoinPath(list_path, j) + ")");
        break;
      }
    }
    out->variations.push_back(id);
  }
}

void ReadWeights(const Value& json, const std::string& path, Experiment* out,
                 Problems* problems) {
  const Value* list = json.find("weights");
  if (list == nullptr || list->is_null()) return;
  const std::string list_path = JoinPath(path, "weights");
  if (!list->is_array()) {
    AddProblem(problems, list_path, "must be an array of numbers");
    return;
  }
  const Array& items = list->as_array();
  bool all_valid = true;
  double total = 0;
  std::vector<double> weights;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!IsFiniteNumber(items[i]) || items[i].as_number() < 0 ||
        items[i].as_number() > 1) {
      AddProblem(problems, JoinPath(list_path, i),
                 "must be a number from 0 to 1");
      all_valid = false;
      continue;
    }
    weights.push_back(items[i].as_number());
    total += items[i].as_number();
  }
  const Value* variations = json.find("variations");
  const bool variations_given = variations != nullptr && variations->is_array();
  if (variations_given && items.size() != out->variations.size()) {
    AddProblem(problems, list_path,
               "has " + IntegerText(items.size()) + " weights for " +
                   IntegerText(out->variations.size()) +
                   " variations: give one weight per variation");
    all_valid = false;
  } else if (all_valid && (total < 0.99 || total > 1.01)) {
    // GrowthBook's tolerance: outside it, GrowthBook silently uses equal
    // weights, which is never what the author meant.
    AddProblem(problems, list_path,
               "must add up to 1 (between 0.99 and 1.01), got " +
                   FormatJsNumber(total));
    all_valid = false;
  }
  if (all_valid) out->weights = std::move(weights);
}

void ReadNamespace(const Value& json, const std::string& path, Experiment* out,
                   Problems* problems) {
  const Value* ns = json.find("namespace");
  if (ns == nullptr || ns->is_null()) return;
  const std::string ns_path = JoinPath(path, "namespace");
  const bool well_formed =
      ns->is_array() && ns->size() == 3 && ns->as_array()[0].is_string() &&
      IsFiniteNumber(ns->as_array()[1]) && IsFiniteNumber(ns->as_array()[2]);
  if (!well_formed) {
    AddProblem(problems, ns_path,
               "must be [namespace id, range start, range end], e.g. "
               "[\"pricing\", 0, 0.5]");
    return;
  }
  const Array& parts = ns->as_array();
  const double start = parts[1].as_number();
  const double end = parts[2].as_number();
  if (start < 0 || end > 1 || start > end) {
    AddProblem(problems, ns_path,
               "range must satisfy 0 <= start <= end <= 1, got [" +
                   FormatJsNumber(start) + ", " + FormatJsNumber(end) + "]");
    return;
  }
  out->namespace_range = NamespaceRange{parts[0].as_string(), start, end};
}

}  // namespace

ExperimentAssignment Assign(const Experiment& experiment,
                            const Value& attributes) {
  ExperimentAssignment result;
  result.hash_attribute = experiment.hash_attribute.empty()
                              ? std::string("id")
                              : experiment.hash_attribute;
  // The order of the checks is runExperiment's, so the reported reason is
  // the one GrowthBook would log.
  if (experiment.variations.size() < 2) {
    return NotIn(experiment, std::move(result), "too_few_variations");
  }
  // GrowthBook buckets only on a truthy hash value (JavaScript's `!!`).
  const Value* raw = attributes.find(result.hash_attribute);
  if (raw == nullptr || !IsJsTruthy(*raw)) {
    return NotIn(experiment, std::move(result), "no_hash_attribute");
  }
  AppendJsString(*raw, &result.hash_value);

  if (experiment.namespace_range &&
      !InNamespace(result.hash_value, *experiment.namespace_range)) {
    return NotIn(experiment, std::move(result), "not_in_namespace");
  }
  const std::string& seed = experiment.effective_seed();
  result.bucket =
      GrowthBookHash(seed, result.hash_value, experiment.hash_version);
  if (!result.bucket) {
    return NotIn(experiment, std::move(result), "unknown_hash_version");
  }
  if (experiment.has_holdout()) {
    const std::optional<double> holdout_hash =
        GrowthBookHash("__holdout:" + seed, result.hash_value, 2);
    if (holdout_hash && *holdout_hash < experiment.holdout) {
      result.in_holdout = true;
      return NotIn(experiment, std::move(result), "holdout");
    }
  }
  const int assigned = ChooseVariation(
      *result.bucket,
      GetBucketRanges(static_cast<int>(experiment.variations.size()),
                      experiment.coverage, experiment.weights));
  if (assigned < 0) {
    return NotIn(experiment, std::move(result), "not_in_coverage");
  }
  result.in_experiment = true;
  result.variation_index = assigned;
  result.variant_id = experiment.variations[static_cast<size_t>(assigned)];
  result.reason = "assigned";
  return result;
}

bool ParseExperiment(const Value& json, const std::string& path,
                     Experiment* out, Problems* problems) {
  const size_t problems_before = problems->size();
  *out = Experiment();
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return false;
  }
  RejectUnknownFields(
      json, path,
      {"key", "variations", "weights", "coverage", "hashAttribute", "seed",
       "hashVersion", "namespace", "holdout", "name"},
      problems);

  const Value* key = json.find("key");
  if (key == nullptr) {
    AddProblem(problems, JoinPath(path, "key"), "is required");
  } else if (!key->is_string() || key->as_string().empty()) {
    AddProblem(problems, JoinPath(path, "key"), "must be a non-empty string");
  } else {
    out->key = key->as_string();
  }
  const Value* name = json.find("name");
  if (name != nullptr && !name->is_string() && !name->is_null()) {
    AddProblem(problems, JoinPath(path, "name"), "must be a string");
  }

  ReadVariations(json, path, out, problems);
  ReadWeights(json, path, out, problems);
  ReadShare(json, "coverage", path, /*high_exclusive=*/false, &out->coverage,
            problems);
  ReadShare(json, "holdout", path, /*high_exclusive=*/true, &out->holdout,
            problems);

  const Value* attribute = json.find("hashAttribute");
  if (attribute != nullptr && !attribute->is_null()) {
    if (!attribute->is_string() || attribute->as_string().empty()) {
      AddProblem(
          problems, JoinPath(path, "hashAttribute"),
          "must be a non-empty string (an attribute name such as \"id\")");
    } else {
      out->hash_attribute = attribute->as_string();
    }
  }
  const Value* seed = json.find("seed");
  if (seed != nullptr && !seed->is_null()) {
    if (!seed->is_string()) {
      AddProblem(problems, JoinPath(path, "seed"), "must be a string");
    } else {
      out->seed = seed->as_string();
    }
  }
  const Value* version = json.find("hashVersion");
  if (version != nullptr && !version->is_null()) {
    if (version->is_number() &&
        (version->as_number() == 1 || version->as_number() == 2)) {
      out->hash_version = static_cast<int>(version->as_number());
    } else {
      AddProblem(problems, JoinPath(path, "hashVersion"),
                 "unknown hash version " + version->Dump() + ": use 1 or 2");
    }
  }
  ReadNamespace(json, path, out, problems);
  return problems->size() == problems_before;
}

}  // namespace tessera
