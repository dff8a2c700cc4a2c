// Segment evaluation: nearest-centroid clustering, then prioritized rules.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compact_sort.h"
#include "tessera/segments.h"

namespace tessera {
namespace {

// A model that breaks the length invariants ParseClusters guarantees would
// read out of bounds; such a model (built by hand) is dropped instead.
bool IsWellFormed(const ClusterModel& model) {
  size_t n = model.features.size();
  if (n == 0 || n > ClusterModel::kMaxFeatures) return false;
  if (model.mean.size() != n || model.std_dev.size() != n) return false;
  if (model.centroids.empty()) return false;
  for (const ClusterCentroid& c : model.centroids) {
    if (c.vector.size() != n) return false;
  }
  return true;
}

double FeatureValue(const Value& attributes, const std::string& path) {
  const Value* v = attributes.find_path(path);
  if (v == nullptr) return 0;
  if (v->is_bool()) return v->as_bool() ? 1 : 0;
  if (v->is_number() && std::isfinite(v->as_number())) return v->as_number();
  return 0;
}

// Whether `model` assigns a centroid; fills `out` when it does.
bool AssignCentroid(const ClusterModel& model, const Value& attributes,
                    ClusterAssignment* out, const ClusterCentroid** centroid) {
  double z[ClusterModel::kMaxFeatures];
  size_t n = model.features.size();
  for (size_t i = 0; i < n; ++i) {
    double sd = model.std_dev[i] == 0 ? 1 : model.std_dev[i];
    z[i] = (FeatureValue(attributes, model.features[i]) - model.mean[i]) / sd;
  }
  const ClusterCentroid* best = nullptr;
  double best_squared = 0;
  for (const ClusterCentroid& c : model.centroids) {
    double squared = 0;
    for (size_t i = 0; i < n; ++i) {
      double d = z[i] - c.vector[i];
      squared += d * d;
    }
    // Strictly less: on a tie the centroid listed first wins.
    if (best == nullptr || squared < best_squared) {
      best = &c;
      best_squared = squared;
    }
  }
  double distance = std::sqrt(best_squared);
  if (!std::isfinite(distance)) return false;
  if (model.max_distance >= 0 && distance > model.max_distance) return false;
  out->model = model.id;
  out->centroid = best->id;
  out->distance = distance;
  *centroid = best;
  return true;
}

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Which exclusive groups already have a member. Up to 64 groups (every
// realistic artifact) fit in a word, so Evaluate allocates nothing for it.
class TakenGroups {
 public:
  explicit TakenGroups(size_t count) {
    if (count > 64) overflow_.assign(count, 0);
  }
  bool taken(size_t g) const {
    return overflow_.empty() ? (bits_ >> g) & 1u : overflow_[g];
  }
  void take(size_t g) {
    if (overflow_.empty()) {
      bits_ |= uint64_t{1} << g;
    } else {
      overflow_[g] = 1;
    }
  }

 private:
  uint64_t bits_ = 0;
  std::vector<uint8_t> overflow_;  // not vector<bool>: see segments.h
};

// Rules in evaluation order: higher priority first, then by id, and rules
// equal in both as given. A stable sort, done on positions with CompactSort:
// std::stable_sort would add about 3 KB to the browser build.
std::vector<RuleSegment> InEvaluationOrder(std::vector<RuleSegment> rules) {
  std::vector<size_t> order(rules.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  CompactSort(order.begin(), order.end(), [&rules](size_t a, size_t b) {
    const RuleSegment& x = rules[a];
    const RuleSegment& y = rules[b];
    if (x.priority != y.priority) return x.priority > y.priority;
    if (x.id != y.id) return x.id < y.id;
    return a < b;
  });
  std::vector<RuleSegment> sorted;
  sorted.reserve(rules.size());
  for (size_t i : order) sorted.push_back(std::move(rules[i]));
  return sorted;
}

}  // namespace

bool SegmentResult::Has(const std::string& segment_id) const {
  return Contains(segments, segment_id);
}

SegmentEvaluator::SegmentEvaluator(std::vector<RuleSegment> rules,
                                   std::vector<ClusterModel> clusters)
    : rules_(InEvaluationOrder(std::move(rules))) {
  std::vector<const std::string*> groups;
  group_index_.reserve(rules_.size());
  for (const RuleSegment& rule : rules_) {
    if (rule.group.empty()) {
      group_index_.push_back(-1);
      continue;
    }
    size_t g = 0;
    while (g < groups.size() && *groups[g] != rule.group) ++g;
    if (g == groups.size()) groups.push_back(&rule.group);
    group_index_.push_back(static_cast<int32_t>(g));
  }
  group_count_ = groups.size();
  for (ClusterModel& model : clusters) {
    if (IsWellFormed(model)) clusters_.push_back(std::move(model));
  }
  // Parsed artifacts never repeat a membership id, so Evaluate checks for
  // duplicates only where a hand-built input could produce one.
  may_repeat_.reserve(rules_.size());
  for (size_t i = 0; i < rules_.size(); ++i) {
    bool repeats = false;
    for (const ClusterModel& model : clusters_) {
      for (const ClusterCentroid& c : model.centroids) {
        repeats = repeats || c.segment == rules_[i].id;
      }
    }
    for (size_t j = 0; j < i && !repeats; ++j) {
      repeats = rules_[j].id == rules_[i].id;
    }
    may_repeat_.push_back(repeats);
  }
  std::vector<std::string> paths;
  reads_memberships_.reserve(rules_.size());
  for (const RuleSegment& rule : rules_) {
    paths.clear();
    bool reads = !rule.condition.ReadPaths(&paths);
    for (const std::string& path : paths) {
      reads = reads || IsMembershipPath(path) || path == ".";
    }
    reads_memberships_.push_back(reads);
  }
}

SegmentResult SegmentEvaluator::Evaluate(Value* attributes,
                                         const Value& saved_groups,
                                         const RegexMatcher* regex) const {
  SegmentMemo fresh;
  SegmentResult result;
  result.clusters = Reevaluate(attributes, saved_groups, regex, nullptr, &fresh);
  result.segments = MembershipsIn(*attributes);
  return result;
}

bool IsMembershipPath(std::string_view dotted) {
  const std::string_view first = dotted.substr(0, dotted.find('.'));
  return first == "segments" || first == "cluster";
}

std::vector<std::string> MembershipsIn(const Value& attributes) {
  std::vector<std::string> ids;
  const Value* listed = attributes.find("segments");
  if (listed == nullptr || !listed->is_array()) return ids;
  ids.reserve(listed->as_array().size());
  for (const Value& id : listed->as_array()) ids.push_back(id.string_or(""));
  return ids;
}

namespace {

// attributes["segments"] being rewritten in evaluation order: entries that
// equal the previous evaluation's at the same position are kept as they are,
// so an unchanged list costs comparisons, not copies.
class MembershipList {
 public:
  // `most`: how many can join, reserved at once (one allocation at most).
  MembershipList(Array* ids, size_t most) : ids_(*ids) { ids_.reserve(most); }
  ~MembershipList() { Truncate(); }
  MembershipList(const MembershipList&) = delete;
  MembershipList& operator=(const MembershipList&) = delete;

  // `as_before`: the memberships so far, this one included, are those the
  // previous evaluation listed, so an entry here is this id unread.
  void Join(const std::string& id, bool as_before) {
    if (joined_ < ids_.size() &&
        (as_before || (ids_[joined_].is_string() &&
                       ids_[joined_].as_string() == id))) {
      ++joined_;
      return;
    }
    Truncate();
    ids_.emplace_back(id);
    ++joined_;
  }
  bool Has(const std::string& id) const {
    for (size_t i = 0; i < joined_; ++i) {
      if (ids_[i].as_string() == id) return true;
    }
    return false;
  }
  // Drops the previous evaluation's entries past those joined so far, so
  // that a condition reading the list sees exactly the memberships before it.
  void Truncate() {
    if (ids_.size() > joined_) ids_.resize(joined_);
  }

 private:
  Array& ids_;
  size_t joined_ = 0;
};

}  // namespace

std::vector<ClusterAssignment> SegmentEvaluator::Reevaluate(
    Value* attributes, const Value& saved_groups, const RegexMatcher* regex,
    const std::vector<uint8_t>* stale, SegmentMemo* memo) const {
  std::vector<ClusterAssignment> clusters;
  std::vector<const std::string*> cluster_segments;
  if (!attributes->is_object()) *attributes = Value::MakeObject();

  for (const ClusterModel& model : clusters_) {
    ClusterAssignment assignment;
    const ClusterCentroid* centroid = nullptr;
    if (!AssignCentroid(model, *attributes, &assignment, &centroid)) continue;
    if (!centroid->segment.empty()) cluster_segments.push_back(&centroid->segment);
    clusters.push_back(std::move(assignment));
  }
  if (clusters.empty()) {
    attributes->erase("cluster");
  } else {
    attributes->set("cluster", Value(clusters.front().centroid));
  }
  const bool reuse = stale != nullptr && stale->size() == rules_.size() &&
                     memo->outcome.size() == rules_.size();
  // Whether the memberships seen so far may differ from the previous
  // evaluation's at the same point. Cluster assignments are not compared:
  // with models, the rules that read memberships are always evaluated.
  bool diverged = !reuse || !clusters_.empty();
  if (!reuse) {
    memo->outcome.assign(rules_.size(), 0);
    memo->joined.assign(rules_.size(), 0);
  }

  // Set last: later set() calls could move the members and invalidate this.
  Value* existing = attributes->find("segments");
  MembershipList joined(existing != nullptr && existing->is_array()
                            ? &existing->as_array()
                            : &attributes->set("segments", Value::MakeArray())
                                   .as_array(),
                        rules_.size() + cluster_segments.size());
  for (const std::string* id : cluster_segments) {
    if (!joined.Has(*id)) joined.Join(*id, false);
  }

  TakenGroups taken(group_count_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RuleSegment& rule = rules_[i];
    int32_t group = group_index_[i];
    uint8_t& outcome = memo->outcome[i];
    bool joins = false;
    if (group >= 0 && taken.taken(static_cast<size_t>(group))) {
      outcome = 0;  // not evaluated now, so not known next time
    } else {
      if (!reuse || outcome == 0 || (*stale)[i] == kStale ||
          (diverged && (*stale)[i] == kIfMemberships)) {
        if (reads_memberships_[i]) joined.Truncate();
        outcome =
            rule.condition.Evaluate(*attributes, saved_groups, regex) ? 2 : 1;
      }
      if (outcome == 2) {
        if (group >= 0) taken.take(static_cast<size_t>(group));
        joins = !(may_repeat_[i] && joined.Has(rule.id));
      }
    }
    diverged = diverged || joins != memo->joined[i];
    memo->joined[i] = joins;
    if (joins) joined.Join(rule.id, !diverged);
  }
  memo->changed = diverged;
  return clusters;
}

}  // namespace tessera
