// Parsing of rule segments and cluster models from the decision artifact.
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/segments.h"

namespace tessera {
namespace {

// Reads a required non-empty string member; reports and returns false if not.
bool RequiredString(const Value& object, const std::string& path,
                    const char* key, std::string* out, Problems* problems) {
  const Value* v = object.find(key);
  if (v == nullptr) {
    AddProblem(problems, JoinPath(path, key), "is required");
    return false;
  }
  if (!v->is_string() || v->as_string().empty()) {
    AddProblem(problems, JoinPath(path, key), "must be a non-empty string");
    return false;
  }
  *out = v->as_string();
  return true;
}

// Reads an optional string member (absent leaves `out` unchanged).
bool OptionalString(const Value& object, const std::string& path,
                    const char* key, bool allow_empty, std::string* out,
                    Problems* problems) {
  const Value* v = object.find(key);
  if (v == nullptr) return true;
  if (!v->is_string() || (!allow_empty && v->as_string().empty())) {
    AddProblem(problems, JoinPath(path, key),
               allow_empty ? "must be a string" : "must be a non-empty string");
    return false;
  }
  *out = v->as_string();
  return true;
}

bool FiniteNumber(const Value* v) {
  return v != nullptr && v->is_number() && std::isfinite(v->as_number());
}

// Reads an array of finite numbers of exactly `expected` entries.
bool NumberVector(const Value& v, const std::string& path, size_t expected,
                  std::vector<double>* out, Problems* problems) {
  if (!v.is_array()) {
    AddProblem(problems, path, "must be an array of numbers");
    return false;
  }
  bool ok = true;
  const Array& items = v.as_array();
  if (items.size() != expected) {
    AddProblem(problems, path,
               "has " + IntegerText(items.size()) + " entries; the model has " +
                   IntegerText(expected) + " features");
    ok = false;
  }
  out->clear();
  out->reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (!FiniteNumber(&items[i])) {
      AddProblem(problems, JoinPath(path, i), "must be a finite number");
      ok = false;
      out->push_back(0);
    } else {
      out->push_back(items[i].as_number());
    }
  }
  return ok;
}

// CompiledCondition reports "$.a.$gt: message" relative to the condition;
// re-root it at the condition's place in the artifact.
void AddConditionProblem(const std::string& condition_path,
                         const std::string& message, Problems* problems) {
  if (message.size() > 1 && message[0] == '$' &&
      (message[1] == '.' || message[1] == '[' || message[1] == ':')) {
    size_t colon = message.find(": ");
    if (colon != std::string::npos) {
      AddProblem(problems, condition_path + message.substr(1, colon - 1),
                 message.substr(colon + 2));
      return;
    }
  }
  AddProblem(problems, condition_path, message);
}

// Reports `id` if an earlier entry of the list at `list_path` has it.
// `seen` holds the ids of the earlier entries by index (empty when invalid).
bool IsUniqueId(const std::string& id, const std::vector<std::string>& seen,
                const std::string& list_path, const std::string& id_path,
                const char* what, Problems* problems) {
  if (id.empty()) return true;
  for (size_t j = 0; j < seen.size(); ++j) {
    if (seen[j] == id) {
      AddProblem(problems, id_path,
                 std::string("duplicate ") + what + " id \"" + id +
                     "\" (also at " + JoinPath(list_path, j) + ")");
      return false;
    }
  }
  return true;
}

bool ParseOneSegment(const Value& json, const std::string& path,
                     const RegexMatcher* regex, RuleSegment* out,
                     Problems* problems) {
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return false;
  }
  size_t before = problems->size();
  RejectUnknownFields(
      json, path,
      {"id", "name", "description", "condition", "priority", "group"},
      problems);
  RequiredString(json, path, "id", &out->id, problems);
  OptionalString(json, path, "name", /*allow_empty=*/true, &out->name,
                 problems);
  std::string description;
  OptionalString(json, path, "description", true, &description, problems);
  OptionalString(json, path, "group", /*allow_empty=*/false, &out->group,
                 problems);
  if (const Value* priority = json.find("priority")) {
    if (!FiniteNumber(priority)) {
      AddProblem(problems, JoinPath(path, "priority"),
                 "must be a finite number");
    } else {
      out->priority = priority->as_number();
    }
  }
  std::string condition_path = JoinPath(path, "condition");
  const Value* condition = json.find("condition");
  if (condition == nullptr) {
    AddProblem(problems, condition_path,
               "is required (use {} to match everyone)");
  } else if (!condition->is_object()) {
    AddProblem(problems, condition_path, "must be an object");
  } else {
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(*condition, regex);
    if (compiled.ok()) {
      out->condition = std::move(compiled).value();
    } else {
      AddConditionProblem(condition_path, compiled.status().message(),
                          problems);
    }
  }
  return problems->size() == before;
}

bool ParseCentroid(const Value& json, const std::string& path,
                   size_t feature_count, ClusterCentroid* out,
                   Problems* problems) {
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return false;
  }
  size_t before = problems->size();
  RejectUnknownFields(json, path, {"id", "label", "segment", "vector", "size"},
                      problems);
  RequiredString(json, path, "id", &out->id, problems);
  OptionalString(json, path, "label", /*allow_empty=*/true, &out->label,
                 problems);
  OptionalString(json, path, "segment", /*allow_empty=*/false, &out->segment,
                 problems);
  if (const Value* size = json.find("size")) {
    if (!FiniteNumber(size) || size->as_number() < 0) {
      AddProblem(problems, JoinPath(path, "size"),
                 "must be a non-negative number (members at training time)");
    }
  }
  const Value* vector = json.find("vector");
  if (vector == nullptr) {
    AddProblem(problems, JoinPath(path, "vector"), "is required");
  } else {
    NumberVector(*vector, JoinPath(path, "vector"), feature_count, &out->vector,
                 problems);
  }
  return problems->size() == before;
}

void ParseFeatures(const Value& model, const std::string& path,
                   ClusterModel* out, Problems* problems) {
  std::string features_path = JoinPath(path, "features");
  const Value* features = model.find("features");
  if (features == nullptr) {
    AddProblem(problems, features_path, "is required");
    return;
  }
  if (!features->is_array() || features->as_array().empty()) {
    AddProblem(problems, features_path,
               "must be a non-empty array of attribute paths");
    return;
  }
  const Array& items = features->as_array();
  if (items.size() > ClusterModel::kMaxFeatures) {
    AddProblem(problems, features_path,
               "has " + IntegerText(items.size()) + " features; at most " +
                   IntegerText(ClusterModel::kMaxFeatures) + " are supported");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_path = JoinPath(features_path, i);
    if (!items[i].is_string() || items[i].as_string().empty()) {
      AddProblem(problems, item_path, "must be a non-empty attribute path");
      out->features.emplace_back();
      continue;
    }
    const std::string& feature = items[i].as_string();
    for (size_t j = 0; j < out->features.size(); ++j) {
      if (out->features[j] == feature) {
        AddProblem(problems, item_path,
                   "duplicate feature \"" + feature + "\" (also at index " +
                       IntegerText(j) + ")");
        break;
      }
    }
    out->features.push_back(feature);
  }
}

void ParseNormalization(const Value& model, const std::string& path,
                        ClusterModel* out, Problems* problems) {
  size_t n = out->features.size();
  out->mean.assign(n, 0.0);
  out->std_dev.assign(n, 1.0);
  const Value* normalization = model.find("normalization");
  if (normalization == nullptr) return;
  std::string norm_path = JoinPath(path, "normalization");
  if (!normalization->is_object()) {
    AddProblem(problems, norm_path,
               "must be an object {\"mean\": [...], \"std\": [...]}");
    return;
  }
  RejectUnknownFields(*normalization, norm_path, {"mean", "std"}, problems);
  if (const Value* mean = normalization->find("mean")) {
    NumberVector(*mean, JoinPath(norm_path, "mean"), n, &out->mean, problems);
  } else {
    AddProblem(problems, JoinPath(norm_path, "mean"), "is required");
  }
  if (const Value* std_dev = normalization->find("std")) {
    std::string std_path = JoinPath(norm_path, "std");
    if (NumberVector(*std_dev, std_path, n, &out->std_dev, problems)) {
      for (size_t i = 0; i < out->std_dev.size(); ++i) {
        if (out->std_dev[i] < 0) {
          AddProblem(problems, JoinPath(std_path, i),
                     "must not be negative (a standard deviation)");
        }
      }
    }
  } else {
    AddProblem(problems, JoinPath(norm_path, "std"), "is required");
  }
  // Keep the evaluator's invariant (one entry per feature) even when the
  // lengths were wrong, so a partly-invalid model is still safe to inspect.
  out->mean.resize(n, 0.0);
  out->std_dev.resize(n, 1.0);
}

bool ParseOneCluster(const Value& json, const std::string& path,
                     ClusterModel* out, Problems* problems) {
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return false;
  }
  size_t before = problems->size();
  RejectUnknownFields(
      json, path,
      {"id", "name", "features", "normalization", "centroids", "maxDistance"},
      problems);
  RequiredString(json, path, "id", &out->id, problems);
  std::string name;
  OptionalString(json, path, "name", /*allow_empty=*/true, &name, problems);
  ParseFeatures(json, path, out, problems);
  ParseNormalization(json, path, out, problems);
  if (const Value* max_distance = json.find("maxDistance")) {
    if (!FiniteNumber(max_distance) || max_distance->as_number() < 0) {
      AddProblem(problems, JoinPath(path, "maxDistance"),
                 "must be a finite number >= 0");
    } else {
      out->max_distance = max_distance->as_number();
    }
  }
  std::string centroids_path = JoinPath(path, "centroids");
  const Value* centroids = json.find("centroids");
  if (centroids == nullptr) {
    AddProblem(problems, centroids_path, "is required");
  } else if (!centroids->is_array() || centroids->as_array().empty()) {
    AddProblem(problems, centroids_path, "must be a non-empty array");
  } else {
    const Array& items = centroids->as_array();
    std::vector<std::string> seen_ids;
    for (size_t i = 0; i < items.size(); ++i) {
      std::string item_path = JoinPath(centroids_path, i);
      ClusterCentroid centroid;
      ParseCentroid(items[i], item_path, out->features.size(), &centroid,
                    problems);
      IsUniqueId(centroid.id, seen_ids, centroids_path,
                 JoinPath(item_path, "id"), "centroid", problems);
      seen_ids.push_back(centroid.id);
      out->centroids.push_back(std::move(centroid));
    }
  }
  return problems->size() == before;
}

}  // namespace

bool ParseSegments(const Value& json, const std::string& path,
                   const RegexMatcher* regex, std::vector<RuleSegment>* out,
                   Problems* problems) {
  if (!json.is_array()) {
    AddProblem(problems, path, "must be an array of segments");
    return false;
  }
  size_t before = problems->size();
  const Array& items = json.as_array();
  std::vector<std::string> seen_ids;  // by index in `json`, for messages
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_path = JoinPath(path, i);
    RuleSegment segment;
    bool ok = ParseOneSegment(items[i], item_path, regex, &segment, problems);
    if (!IsUniqueId(segment.id, seen_ids, path, JoinPath(item_path, "id"),
                    "segment", problems)) {
      ok = false;
    }
    seen_ids.push_back(segment.id);
    if (ok) out->push_back(std::move(segment));
  }
  return problems->size() == before;
}

bool ParseClusters(const Value& json, const std::string& path,
                   std::vector<ClusterModel>* out, Problems* problems) {
  if (!json.is_array()) {
    AddProblem(problems, path, "must be an array of cluster models");
    return false;
  }
  size_t before = problems->size();
  const Array& items = json.as_array();
  std::vector<std::string> seen_ids;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_path = JoinPath(path, i);
    ClusterModel model;
    bool ok = ParseOneCluster(items[i], item_path, &model, problems);
    if (!IsUniqueId(model.id, seen_ids, path, JoinPath(item_path, "id"),
                    "cluster model", problems)) {
      ok = false;
    }
    seen_ids.push_back(model.id);
    if (ok) out->push_back(std::move(model));
  }
  return problems->size() == before;
}

}  // namespace tessera
