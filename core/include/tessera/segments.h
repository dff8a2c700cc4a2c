// Segments: which audiences a visitor belongs to, decided in the browser.
//
// Two kinds come from the decision artifact:
//  - rule segments: a condition over the derived attributes
//    ("event.purchase_complete.days_since_last": {"$exists": true, "$lte": 7});
//  - cluster models: centroids computed by the server's batch clustering; the
//    visitor's features are z-score normalized and the nearest centroid (by
//    Euclidean distance) is the visitor's cluster.
//
// Evaluation order (a contract: conditions may rely on it):
//  1. every cluster model, in artifact order; each assigned centroid adds its
//     `segment` (when it has one) to the memberships, and attributes["cluster"]
//     becomes the centroid id of the first model that assigned one;
//  2. rule segments by priority, highest first, ties by id (byte order), so
//     the outcome never depends on the artifact's listing order. Each
//     condition sees attributes["segments"] holding the memberships matched
//     so far, so a rule can build on a cluster or a higher-priority rule.
//  Within an exclusive `group`, the first match in that order is the only
//  membership: later rules of the group are not evaluated.
//
// A feature that is missing or not a number counts as 0 (true counts as 1):
// a visitor with no purchases has no purchase counters yet, and 0 is what
// the server's feature extraction uses for them too.
//
// Parsing never throws: every problem is appended to `problems` with its JSON
// path. A SegmentEvaluator is immutable after construction; Evaluate is const
// and re-entrant (thread-safe if the RegexMatcher is).
#ifndef TESSERA_SEGMENTS_H_
#define TESSERA_SEGMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/condition.h"
#include "tessera/json.h"
#include "tessera/validation.h"

namespace tessera {

struct RuleSegment {
  std::string id;    // unique among segments; non-empty
  std::string name;  // human label; may be empty
  CompiledCondition condition;
  double priority = 0;  // higher is evaluated first
  std::string group;    // exclusive group; empty for none
};

struct ClusterCentroid {
  std::string id;              // unique within its model
  std::string label;           // human label ("Bargain Hunters"); may be empty
  std::string segment;         // membership added when assigned; may be empty
  std::vector<double> vector;  // normalized space; one entry per feature
};

struct ClusterModel {
  // Features are capped so normalization fits in a fixed stack buffer.
  static constexpr size_t kMaxFeatures = 128;

  std::string id;                          // unique among models
  std::vector<std::string> features;       // attribute paths
  std::vector<double> mean;                // one per feature; default 0
  std::vector<double> std_dev;             // one per feature; 0 is treated as 1
  std::vector<ClusterCentroid> centroids;  // at least one
  double max_distance = -1;                // < 0: no cap
};

struct ClusterAssignment {
  std::string model;     // ClusterModel::id
  std::string centroid;  // ClusterCentroid::id
  double distance = 0;   // Euclidean, in normalized space
};

struct SegmentResult {
  // Segment ids matched, in evaluation order (clusters' first).
  std::vector<std::string> segments;
  // One per model that assigned a centroid, in model order.
  std::vector<ClusterAssignment> clusters;

  // The assignment behind attributes["cluster"], or nullptr.
  const ClusterAssignment* cluster() const {
    return clusters.empty() ? nullptr : &clusters.front();
  }
  bool Has(const std::string& segment_id) const;
};

// Parses an array of rule segments
// ({"id", "name"?, "condition", "priority"?, "group"?}). `path` names `json`
// in problems ("$.segments"). Conditions are compiled here (with `regex`, when
// given, checking patterns). Returns whether no problem was found; `out`
// receives the valid entries either way.
bool ParseSegments(const Value& json, const std::string& path,
                   const RegexMatcher* regex, std::vector<RuleSegment>* out,
                   Problems* problems);

// Parses an array of cluster models ({"id", "features", "normalization"?:
// {"mean", "std"}, "centroids": [{"id", "label"?, "segment"?, "vector"}],
// "maxDistance"?}). Same conventions as ParseSegments.
bool ParseClusters(const Value& json, const std::string& path,
                   std::vector<ClusterModel>* out, Problems* problems);

// The segment ids in attributes["segments"] (as Evaluate() left them).
std::vector<std::string> MembershipsIn(const Value& attributes);
// Whether the attribute path `dotted` ("a.b") reads what segment evaluation
// sets: the memberships ("segments...") or the cluster ("cluster...").
bool IsMembershipPath(std::string_view dotted);

// What one visitor's previous evaluation found, so that the next one can
// skip the rules whose inputs did not change (the Engine keeps one).
struct SegmentMemo {
  std::vector<uint8_t> outcome;  // per rule: 0 not known, 1 false, 2 true
  std::vector<uint8_t> joined;   // per rule: whether it joined the list
  // After Evaluate: whether the memberships or the cluster may differ from
  // the previous evaluation's (always true when there was none, and with
  // cluster models, whose assignments are not compared).
  bool changed = true;
};

class SegmentEvaluator {
 public:
  SegmentEvaluator() = default;  // no segments, no clusters
  // Takes parsed segments and models and orders the rules once. A model
  // whose lengths disagree (possible only when built by hand) is dropped.
  SegmentEvaluator(std::vector<RuleSegment> rules,
                   std::vector<ClusterModel> clusters);

  // Sets attributes["segments"] (array of ids) and attributes["cluster"]
  // (centroid id, or removes it when no model assigned one), evaluating in
  // the documented order. `attributes` is replaced by an empty object if it
  // is not an object. `saved_groups` is the artifact's savedGroups object
  // (or null). Allocates only the result and the two attribute members;
  // cost is dominated by the conditions themselves.
  SegmentResult Evaluate(Value* attributes, const Value& saved_groups,
                         const RegexMatcher* regex) const;
  // What `stale` says of each rule for the call below.
  static constexpr uint8_t kFresh = 0;  // its inputs are the same
  static constexpr uint8_t kStale = 1;  // its inputs changed, or are unknown
  // Its other inputs are the same, but it reads the memberships ("segments"
  // or "cluster"): stale once those differ from the previous call's.
  static constexpr uint8_t kIfMemberships = 2;
  // The same, reusing `memo` (filled by the previous call) for every rule
  // that `stale` (one byte per rule, in evaluation order) does not mark as
  // needing evaluation: such a rule's inputs are the same, so its answer
  // is too. A null `stale`, or a memo of another size, evaluates every
  // rule. The memberships are only written to attributes["segments"], whose
  // entries are kept where they equal the previous call's (no copies when
  // little changed); returns the cluster assignments. Attributes and
  // memberships equal Evaluate()'s for the same attributes.
  std::vector<ClusterAssignment> Reevaluate(Value* attributes,
                                            const Value& saved_groups,
                                            const RegexMatcher* regex,
                                            const std::vector<uint8_t>* stale,
                                            SegmentMemo* memo) const;

  // Rules in evaluation order.
  const std::vector<RuleSegment>& rules() const { return rules_; }
  const std::vector<ClusterModel>& clusters() const { return clusters_; }

 private:
  std::vector<RuleSegment> rules_;
  std::vector<int32_t> group_index_;  // per rule; -1 when ungrouped
  size_t group_count_ = 0;
  // Per rule: the id may already be a member. Bytes, not vector<bool>,
  // whose bit-packing code costs the browser build about 2 KB.
  std::vector<uint8_t> may_repeat_;
  // Per rule: its condition may read the memberships ("segments",
  // "cluster"), so it must see exactly those joined before it.
  std::vector<uint8_t> reads_memberships_;
  std::vector<ClusterModel> clusters_;
};

}  // namespace tessera

#endif  // TESSERA_SEGMENTS_H_
