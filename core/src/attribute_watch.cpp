#include "attribute_watch.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "attribute_values.h"
#include "short_text.h"
#include "value_identity.h"

namespace tessera {
namespace {

constexpr uint32_t kNoMember = ~uint32_t{0};

// The index of member `name` of `object`, or kNoMember; with the
// short-name comparison of the hot paths: attribute names are a few bytes,
// where a memcmp call costs more than comparing.
uint32_t MemberIndex(const Value& object, std::string_view name) {
  const Object& members = object.as_object();
  for (size_t i = 0; i < members.size(); ++i) {
    if (short_text::Same(members[i].key, name)) return static_cast<uint32_t>(i);
  }
  return kNoMember;
}

// The value `hints.size()` object steps down `dotted` from `root`, which a
// Refresh walked to before, trying first the member indices that walk
// found: the layout seldom changes. nullptr if a step is no longer there
// (the shape checks of RefreshFromProfile should make that impossible).
Value* ValueAt(Value* root, std::string_view dotted,
               const std::vector<uint32_t>& hints) {
  Value* at = root;
  for (uint32_t hint : hints) {
    // A loop, not find(): steps are a few bytes, less than a memchr call.
    size_t dot = 0;
    while (dot < dotted.size() && dotted[dot] != '.') ++dot;
    if (dot == dotted.size()) dot = std::string_view::npos;
    const std::string_view step = dotted.substr(0, dot);
    if (!at->is_object()) return nullptr;
    Object& members = at->as_object();
    if (hint >= members.size() || !short_text::Same(members[hint].key, step)) {
      hint = MemberIndex(*at, step);
      if (hint == kNoMember) return nullptr;
    }
    at = &members[hint].value;
    dotted.remove_prefix(dot == std::string_view::npos ? dotted.size()
                                                       : dot + 1);
  }
  return at;
}

bool SameNumber(const Value& seen, double number) {
  if (!seen.is_number()) return false;
  const double old = seen.as_number();
  return std::memcmp(&old, &number, sizeof number) == 0;
}

}  // namespace

uint32_t AttributeWatch::Add(std::string_view dotted) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (paths_[i].dotted == dotted) return static_cast<uint32_t>(i);
  }
  Path& path = paths_.emplace_back();
  path.dotted = dotted;
  Classify(&path);
  if (path.source == Source::kWhole) profile_refreshable_ = false;
  return static_cast<uint32_t>(paths_.size() - 1);
}

// A path resolves to the value where its walk stops, so whatever follows a
// step that reaches a number, a string or an array reads that value: only
// the first two or three steps decide where the value comes from.
void AttributeWatch::Classify(Path* path) {
  // The first three steps, and how many there are (up to three).
  std::string_view steps[3];
  size_t count = 0;
  for (size_t begin = 0; count < 3; ++count) {
    const size_t dot = path->dotted.find('.', begin);
    steps[count] = std::string_view(path->dotted).substr(begin, dot - begin);
    if (dot == std::string::npos) {
      ++count;
      break;
    }
    begin = dot + 1;
  }
  const std::string_view section = steps[0];
  const std::string_view member = steps[1];
  const std::string_view stat = steps[2];
  const bool whole = count < 2;
  const bool has_stat = count == 3;
  if (section == "event") {
    if (!has_stat) {
      path->source = Source::kWhole;
      return;
    }
    path->source = Source::kEventStat;
    path->stat = static_cast<uint8_t>(
        attribute_values::IndexOf(attribute_values::kEventStats, stat));
    uint32_t group = 0;
    while (group < event_groups_.size() &&
           event_groups_[group].type != member) {
      ++group;
    }
    if (group == event_groups_.size()) {
      event_groups_.emplace_back().type = member;
    }
    path->group = group;
    // Stats 0-5 are counts and 6-11 sums over the windows 1h, 24h, 7d, 30d,
    // 90d and all time (attribute_values::kEventStats); window i is bit i of
    // Profile::EventType's windows, and all time needs none.
    const size_t window = path->stat % 6;
    if (path->stat < attribute_values::kWindowStatCount && window < 5) {
      event_groups_[group].windows |= 1u << window;
    }
  } else if (section == "visitor" || section == "context" ||
             section == "affinity") {
    if (whole) {
      path->source = Source::kWhole;
    } else if (section == "affinity") {
      path->source = Source::kAffinityShare;
      path->name = member;
    } else if (section == "context") {
      // Only the local clock moves; the rest comes with the context.
      if (member == "hour" || member == "weekday") {
        path->source = Source::kLocalClock;
        path->stat = member == "hour" ? 0 : 1;
      } else if (count == 2 ||
                 attribute_values::IsBuiltInContextMember(member)) {
        // context.<name>, or deeper into a built-in member: a string or a
        // number, where the walk stops.
        path->source = Source::kContextMember;
        path->name = member;
        path->stat = attribute_values::IsBuiltInContextMember(member) ? 1 : 0;
      } else {
        reads_context_ = true;  // into an extra member, whatever it holds
      }
    } else {
      path->stat = static_cast<uint8_t>(
          attribute_values::IndexOf(attribute_values::kVisitorStats, member));
      // visitor.identified, or no such member: fixed.
      if (path->stat < std::size(attribute_values::kVisitorStats)) {
        path->source = Source::kVisitorStat;
      }
    }
  } else if (section == "affinities") {
    path->source = Source::kAffinityNames;
  } else if (section == "segments" || section == "cluster") {
    path->source = Source::kWhole;  // set by the segment evaluator
  }  // else id, userId, traits, or no member at all: fixed
}

void AttributeWatch::Refresh(const Value& attributes, const Profile& profile,
                             uint64_t epoch) {
  for (Path& path : paths_) {
    const Value* at = &attributes;
    uint32_t depth = 0;
    bool absent = false;
    std::string_view rest = path.dotted;
    const size_t seen_depth = path.member_at.size();
    path.member_at.clear();
    while (at->is_object()) {
      const size_t dot = rest.find('.');
      const uint32_t next = MemberIndex(*at, rest.substr(0, dot));
      if (next == kNoMember) {
        absent = true;
        break;
      }
      path.member_at.push_back(next);
      at = &at->as_object()[next].value;
      ++depth;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (path.known && depth == seen_depth && absent == path.absent &&
        (absent || IdenticalValues(*at, path.seen))) {
      continue;
    }
    path.seen = absent ? Value() : *at;
    path.absent = absent;
    path.known = true;
    Stamp(&path, epoch);
  }
  for (EventGroup& group : event_groups_) {
    group.held = profile.HasSeen(group.type);
  }
  primed_ = true;
  context_changed_ = false;
}

void AttributeWatch::Stamp(Path* path, uint64_t epoch) {
  if (epoch != changed_epoch_) {
    changed_.clear();
    changed_epoch_ = epoch;
  }
  if (path->changed_at != epoch) {
    changed_.push_back(static_cast<uint32_t>(path - paths_.data()));
  }
  path->changed_at = epoch;
}

const std::vector<uint32_t>& AttributeWatch::ChangedAt(uint64_t epoch) const {
  static const std::vector<uint32_t> kNone;
  return epoch == changed_epoch_ ? changed_ : kNone;
}

void AttributeWatch::Update(Path* path, double number, uint64_t epoch,
                            Value* attributes) {
  if (SameNumber(path->seen, number)) return;
  path->seen.set_number(number);
  Stamp(path, epoch);
  if (Value* place = PlaceOf(*path, attributes)) place->set_number(number);
}

Value* AttributeWatch::PlaceOf(const Path& path, Value* attributes) {
  Value* place = ValueAt(attributes, path.dotted, path.member_at);
  if (place == nullptr) misplaced_ = true;
  return place;
}

bool AttributeWatch::RefreshFromProfile(const Profile& profile,
                                        const Context& context, int64_t now_ms,
                                        uint64_t epoch, Value* attributes) {
  if (!primed_ || !profile_refreshable_) return false;
  misplaced_ = false;
  // The shape first: a type newly held gains members (or appears), an
  // affinity entering or leaving the list appears or vanishes.
  for (EventGroup& group : event_groups_) {
    if (profile.HasSeen(group.type) != group.held) return false;
  }
  std::vector<CategoryAffinity> top;
  bool top_known = false;
  auto affinities = [&]() -> const std::vector<CategoryAffinity>& {
    if (!top_known) top = profile.TopAffinities(now_ms);
    top_known = true;
    return top;
  };
  for (Path& path : paths_) {
    if (path.source != Source::kAffinityShare) continue;
    const std::vector<CategoryAffinity>& listed = affinities();
    path.rank = 0;
    while (path.rank < listed.size() &&
           !short_text::Same(listed[path.rank].category, path.name)) {
      ++path.rank;
    }
    if ((path.rank < listed.size()) == path.absent) return false;
  }
  Value member;
  for (const Path& path : paths_) {
    // Built-in members are always there (stat 1); the site's own may not be.
    if (!context_changed_ || path.source != Source::kContextMember ||
        path.stat == 1) {
      continue;
    }
    if (attribute_values::ContextMember(context, path.name, &member) ==
        path.absent) {
      return false;  // an extra member came or went
    }
  }

  for (EventGroup& group : event_groups_) {
    if (group.held) {
      profile.EventType(group.type, now_ms, &group.summary, group.windows);
    } else {  // the zero counts of a standard type, or absent
      group.summary.totals = WindowTotals();
    }
  }
  WindowTotals sessions;
  bool sessions_known = false;
  for (Path& path : paths_) {
    // Still absent: the shape did not change.
    if (path.absent) continue;
    switch (path.source) {
      case Source::kEventStat:
        if (path.stat < std::size(attribute_values::kEventStats)) {
          Update(&path,
                 attribute_values::EventStat(
                     path.stat, event_groups_[path.group].summary, now_ms),
                 epoch, attributes);
        }
        break;
      case Source::kVisitorStat:
        if (!sessions_known) sessions = profile.SessionTotals(now_ms);
        sessions_known = true;
        Update(
            &path,
            attribute_values::VisitorStat(path.stat, profile, sessions, now_ms),
            epoch, attributes);
        break;
      case Source::kLocalClock: {
        const attribute_values::LocalClock clock =
            attribute_values::LocalClockAt(context, now_ms);
        Update(&path,
               static_cast<double>(path.stat == 0 ? clock.hour : clock.weekday),
               epoch, attributes);
        break;
      }
      case Source::kContextMember:  // present: checked with the shape
        if (!context_changed_) break;
        attribute_values::ContextMember(context, path.name, &member);
        if (IdenticalValues(member, path.seen)) break;
        Stamp(&path, epoch);
        path.seen = member;
        if (Value* place = PlaceOf(path, attributes))
          *place = std::move(member);
        break;
      case Source::kAffinityShare:  // listed: checked with the shape
        Update(&path, affinities()[path.rank].share, epoch, attributes);
        break;
      case Source::kAffinityNames: {
        const std::vector<CategoryAffinity>& top = affinities();
        const Array& seen = path.seen.as_array();
        bool same = seen.size() == top.size();
        for (size_t i = 0; same && i < top.size(); ++i) {
          same = seen[i].is_string() && seen[i].as_string() == top[i].category;
        }
        if (same) break;
        Value names = Value::MakeArray();
        for (const CategoryAffinity& a : top)
          names.push_back(Value(a.category));
        Stamp(&path, epoch);
        path.seen = names;
        if (Value* place = PlaceOf(path, attributes)) *place = std::move(names);
        break;
      }
      case Source::kFixed:
      case Source::kWhole:
        break;
    }
  }
  // A value that found no place leaves the attributes incomplete: the
  // caller derives them afresh, and the full Refresh then finds every
  // value already seen (the stamps above stand, at this same epoch).
  if (misplaced_) {
    primed_ = false;
    return false;
  }
  context_changed_ = false;
  return true;
}

}  // namespace tessera
