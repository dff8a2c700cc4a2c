// Cross-references between the parts of an artifact: what conditions name
// (segments, clusters, saved groups) must exist, and exist in time.
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "artifact_checks.h"

namespace tessera {
namespace {

void AddUnique(std::vector<std::string>* list, const std::string& s) {
  if (std::find(list->begin(), list->end(), s) == list->end()) {
    list->push_back(s);
  }
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// What one condition names.
struct References {
  std::vector<std::string> segments;
  std::vector<std::string> clusters;
  std::vector<std::string> groups;
};

bool IsOperatorObject(const Value& v) {
  if (!v.is_object() || v.as_object().empty()) return false;
  for (const Member& m : v.as_object()) {
    if (m.key.empty() || m.key[0] != '$') return false;
  }
  return true;
}

// Operators whose operand is not a value of the attribute (a pattern, a type
// name, a size, a version): their strings are never ids.
bool OperandIsNotAnId(std::string_view op) {
  return op == "$regex" || op == "$regexi" || op == "$type" ||
         op == "$exists" || op == "$size" || op == "$veq" || op == "$vne" ||
         op == "$vgt" || op == "$vgte" || op == "$vlt" || op == "$vlte";
}

void WalkCondition(const Value& condition, bool top_level, References* refs);

// `expected` is what a condition asks of one attribute. Strings it compares
// the attribute with go to `ids` (when not null).
void WalkExpectation(const Value& expected, std::vector<std::string>* ids,
                     References* refs) {
  if (expected.is_string()) {
    if (ids != nullptr) AddUnique(ids, expected.as_string());
    return;
  }
  if (expected.is_array()) {
    if (ids == nullptr) return;
    for (const Value& item : expected.as_array()) {
      if (item.is_string()) AddUnique(ids, item.as_string());
    }
    return;
  }
  // A non-operator object is a literal compared as a whole: nothing to name.
  if (!IsOperatorObject(expected)) return;
  for (const Member& m : expected.as_object()) {
    if (m.key == "$inGroup" || m.key == "$notInGroup") {
      if (m.value.is_string()) AddUnique(&refs->groups, m.value.as_string());
    } else if (m.key == "$elemMatch") {
      // Either operators on each element, or a condition over the fields of
      // each element (whose paths are relative, so not "segments" itself).
      if (IsOperatorObject(m.value)) {
        WalkExpectation(m.value, ids, refs);
      } else {
        WalkCondition(m.value, /*top_level=*/false, refs);
      }
    } else if (!OperandIsNotAnId(m.key)) {
      WalkExpectation(m.value, ids, refs);
    }
  }
}

void WalkCondition(const Value& condition, bool top_level, References* refs) {
  if (!condition.is_object()) return;
  for (const Member& m : condition.as_object()) {
    if (m.key == "$and" || m.key == "$or" || m.key == "$nor") {
      if (!m.value.is_array()) continue;
      for (const Value& sub : m.value.as_array()) {
        WalkCondition(sub, top_level, refs);
      }
    } else if (m.key == "$not") {
      WalkCondition(m.value, top_level, refs);
    } else if (!m.key.empty() && m.key[0] == '$') {
      continue;  // not a path; CompiledCondition reports it if it is wrong
    } else {
      std::vector<std::string>* ids = nullptr;
      if (top_level && m.key == "segments") ids = &refs->segments;
      if (top_level && m.key == "cluster") ids = &refs->clusters;
      WalkExpectation(m.value, ids, refs);
    }
  }
}

struct RuleInfo {
  std::string id;
  double priority = 0;
  size_t index = 0;
};

// The evaluator's order: higher priority first, then id.
bool EvaluatedBefore(const RuleInfo& a, const RuleInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return a.id < b.id;
}

const Array* ArrayMember(const Value& root, const char* key) {
  const Value* v = root.find(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

const std::string* StringMember(const Value& object, const char* key) {
  const Value* v = object.find(key);
  return v != nullptr && v->is_string() && !v->as_string().empty()
             ? &v->as_string()
             : nullptr;
}

struct Definitions {
  std::vector<RuleInfo> rules;
  std::vector<std::string> cluster_segments;
  std::vector<std::string> centroids;
  std::vector<std::string> groups;

  const RuleInfo* FindRule(const std::string& id) const {
    for (const RuleInfo& r : rules) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }
};

Definitions CollectDefinitions(const Value& root) {
  Definitions defs;
  if (const Array* segments = ArrayMember(root, "segments")) {
    for (size_t i = 0; i < segments->size(); ++i) {
      const Value& s = (*segments)[i];
      const std::string* id = StringMember(s, "id");
      if (id == nullptr || defs.FindRule(*id) != nullptr) continue;
      RuleInfo rule;
      rule.id = *id;
      rule.index = i;
      const Value* priority = s.find("priority");
      if (priority != nullptr && priority->is_number() &&
          std::isfinite(priority->as_number())) {
        rule.priority = priority->as_number();
      }
      defs.rules.push_back(rule);
    }
  }
  if (const Array* clusters = ArrayMember(root, "clusters")) {
    for (const Value& model : *clusters) {
      const Array* centroids = ArrayMember(model, "centroids");
      if (centroids == nullptr) continue;
      for (const Value& c : *centroids) {
        if (const std::string* id = StringMember(c, "id")) {
          AddUnique(&defs.centroids, *id);
        }
        if (const std::string* segment = StringMember(c, "segment")) {
          AddUnique(&defs.cluster_segments, *segment);
        }
      }
    }
  }
  const Value* groups = root.find("savedGroups");
  if (groups != nullptr && groups->is_object()) {
    for (const Member& m : groups->as_object()) defs.groups.push_back(m.key);
  }
  return defs;
}

void CheckClustersAndGroups(const References& refs, const Definitions& defs,
                            const std::string& path, Problems* problems) {
  for (const std::string& cluster : refs.clusters) {
    if (!Contains(defs.centroids, cluster)) {
      AddProblem(problems, path,
                 "refers to cluster \"" + cluster +
                     "\", which no centroid in $.clusters defines");
    }
  }
  for (const std::string& group : refs.groups) {
    if (!Contains(defs.groups, group)) {
      AddProblem(problems, path,
                 "refers to saved group \"" + group +
                     "\", which $.savedGroups does not define");
    }
  }
}

void CheckRuleConditions(const Value& root, const Definitions& defs,
                         Problems* problems) {
  const Array* segments = ArrayMember(root, "segments");
  if (segments == nullptr) return;
  for (size_t i = 0; i < segments->size(); ++i) {
    const Value& s = (*segments)[i];
    const Value* condition = s.find("condition");
    if (condition == nullptr) continue;
    References refs;
    WalkCondition(*condition, /*top_level=*/true, &refs);
    std::string path =
        JoinPath(JoinPath(JoinPath("$", "segments"), i), "condition");
    const std::string* own_id = StringMember(s, "id");
    const RuleInfo* self = own_id ? defs.FindRule(*own_id) : nullptr;
    for (const std::string& ref : refs.segments) {
      if (Contains(defs.cluster_segments, ref)) continue;
      const RuleInfo* target = defs.FindRule(ref);
      if (target == nullptr) {
        AddProblem(problems, path,
                   "refers to segment \"" + ref +
                       "\", which no segment or cluster centroid defines");
      } else if (self != nullptr && target->index == self->index) {
        AddProblem(problems, path, "refers to its own segment \"" + ref + "\"");
      } else if (self != nullptr && !EvaluatedBefore(*target, *self)) {
        AddProblem(problems, path,
                   "refers to segment \"" + ref + "\" (" +
                       JoinPath(JoinPath("$", "segments"), target->index) +
                       "), which is evaluated after this one and so is never "
                       "matched yet; give it a higher priority");
      }
    }
    CheckClustersAndGroups(refs, defs, path, problems);
  }
}

void CheckVariantConditions(const Value& root, const Definitions& defs,
                            Problems* problems) {
  const Array* slots = ArrayMember(root, "slots");
  if (slots == nullptr) return;
  for (size_t i = 0; i < slots->size(); ++i) {
    const Array* variants = ArrayMember((*slots)[i], "variants");
    if (variants == nullptr) continue;
    for (size_t j = 0; j < variants->size(); ++j) {
      const Value* condition = (*variants)[j].find("condition");
      if (condition == nullptr) continue;
      References refs;
      WalkCondition(*condition, /*top_level=*/true, &refs);
      std::string path = JoinPath(
          JoinPath(JoinPath(JoinPath(JoinPath("$", "slots"), i), "variants"),
                   j),
          "condition");
      for (const std::string& ref : refs.segments) {
        if (!Contains(defs.cluster_segments, ref) &&
            defs.FindRule(ref) == nullptr) {
          AddProblem(problems, path,
                     "refers to segment \"" + ref +
                         "\", which no segment or cluster centroid defines");
        }
      }
      CheckClustersAndGroups(refs, defs, path, problems);
    }
  }
}

void CheckCentroidSegments(const Value& root, const Definitions& defs,
                           Problems* problems) {
  const Array* clusters = ArrayMember(root, "clusters");
  if (clusters == nullptr) return;
  for (size_t k = 0; k < clusters->size(); ++k) {
    const Array* centroids = ArrayMember((*clusters)[k], "centroids");
    if (centroids == nullptr) continue;
    for (size_t c = 0; c < centroids->size(); ++c) {
      const std::string* segment = StringMember((*centroids)[c], "segment");
      if (segment == nullptr) continue;
      if (const RuleInfo* rule = defs.FindRule(*segment)) {
        AddProblem(
            problems,
            JoinPath(JoinPath(JoinPath(JoinPath(JoinPath("$", "clusters"), k),
                                       "centroids"),
                              c),
                     "segment"),
            "\"" + *segment + "\" is also the id of rule segment " +
                JoinPath(JoinPath("$", "segments"), rule->index) +
                "; a membership must have one source");
      }
    }
  }
}

}  // namespace

void CheckArtifactReferences(const Value& root, Problems* problems) {
  if (!root.is_object()) return;
  Definitions defs = CollectDefinitions(root);
  CheckCentroidSegments(root, defs, problems);
  CheckRuleConditions(root, defs, problems);
  CheckVariantConditions(root, defs, problems);
}

}  // namespace tessera
