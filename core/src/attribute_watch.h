// AttributeWatch: which of the attribute paths that an artifact's conditions
// and templates read changed value between two derivations of the
// attributes. It is what lets the engine re-evaluate only the segments and
// slots whose inputs changed, so it errs one way only: a path is reported
// changed unless its value is provably the same.
//
// A path is followed through object members only. It resolves to the value
// at its last step; or, where a step meets a non-object, to the value where
// the walk stopped, compared whole, since whatever a reader does past that
// point (array indices, "length") depends on that value and the remaining
// steps alone; or, where an object lacks the step's key, to "absent at this
// depth": a reader then gets null or a name every plain object inherits,
// whatever else the object holds. Values are compared exactly
// (value_identity.h), with the depth reached, so a member appearing or
// vanishing is a change.
#ifndef TESSERA_SRC_ATTRIBUTE_WATCH_H_
#define TESSERA_SRC_ATTRIBUTE_WATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/attributes.h"
#include "tessera/json.h"
#include "tessera/profile.h"

namespace tessera {

class AttributeWatch {
 public:
  // The index of the path `dotted` ("a.b": its steps joined by dots), added
  // if new.
  uint32_t Add(std::string_view dotted);

  // Resolves every path in `attributes`, which DeriveAttributes made from
  // `profile`, and stamps `epoch` on each whose value differs from the
  // previous refresh (every path, the first time). Epochs must grow from
  // one call to the next.
  void Refresh(const Value& attributes, const Profile& profile, uint64_t epoch);

  // Whether RefreshFromProfile can serve every path: none reads a whole
  // section of the attributes (all of "event", of one event type, of
  // "visitor", "affinity" or "context").
  bool profile_refreshable() const { return profile_refreshable_; }
  // Refresh() for attributes that differ from the last refreshed ones only
  // by events tracked since and by the clock: recomputes from `profile` and
  // `now_ms` just the paths whose values those move (window counts and
  // sums, recency, sessions, affinities, the local hour and weekday), writes
  // each changed one into `attributes` where DeriveAttributes would have,
  // and stamps `epoch` on it. Members no path reads are left as they were,
  // so `attributes` is then only good for this watch's readers. False when
  // the attributes' shape would change (a watched event type seen for the
  // first time or gone, an affinity entering or leaving the list), when
  // Unprime() came after the last Refresh(), when !profile_refreshable(),
  // or when a value found no place in `attributes`: derive the attributes
  // and Refresh() instead, with the same epoch.
  bool RefreshFromProfile(const Profile& profile, const Context& context,
                          int64_t now_ms, uint64_t epoch, Value* attributes);
  // Something other than tracked events and the clock changed the
  // attributes (identity, traits, context, consent...): the next refresh
  // must be a Refresh().
  void Unprime() { primed_ = false; }
  // Whether a path reads into a member of the context's `extra` (beyond the
  // member itself), which RefreshFromProfile cannot follow: only then does a
  // new context need a Refresh(). Every other context path it recomputes
  // from the context it is given.
  bool reads_context() const { return reads_context_; }
  // The context was set: the next RefreshFromProfile looks at its members
  // again (otherwise it takes them as they were).
  void ContextChanged() { context_changed_ = true; }

  size_t size() const { return paths_.size(); }  // paths added
  // The paths whose value the refreshes at `epoch` changed.
  const std::vector<uint32_t>& ChangedAt(uint64_t epoch) const;

  // Whether the path's value changed in a refresh later than `epoch`.
  bool ChangedAfter(uint32_t path, uint64_t epoch) const {
    return paths_[path].changed_at > epoch;
  }

 private:
  // Where a path's value comes from, for RefreshFromProfile.
  enum class Source : uint8_t {
    kFixed,          // moved only by what calls Unprime(), or always absent
    kEventStat,      // event.<type>.<stat>: `group` is the type, `stat`
                     // its index in kEventStats (past the end: no such
                     // member)
    kVisitorStat,    // visitor.<stat>
    kLocalClock,     // context.hour (stat 0) or context.weekday (stat 1)
    kContextMember,  // context.<name>, the rest of the context: `name`;
                     // stat 1 for a built-in member, 0 for an extra one
    kAffinityShare,  // affinity.<category>: `name`
    kAffinityNames,  // affinities
    kWhole,          // a whole section: only Refresh() can tell
  };

  struct Path {
    std::string dotted;
    Value seen;  // the value resolved last time
    // The index of the member taken at each step walked to reach it.
    std::vector<uint32_t> member_at;
    bool absent = false;  // the next step's key was missing
    bool known = false;   // false: nothing seen yet
    uint64_t changed_at = 0;
    Source source = Source::kFixed;
    uint8_t stat = 0;
    uint32_t group = 0;
    std::string name;
    // kAffinityShare: the category's place in the affinities at the shape
    // check of the current RefreshFromProfile.
    size_t rank = 0;
  };
  // An event type some path reads, and whether the profile held it at the
  // last Refresh().
  struct EventGroup {
    std::string type;
    bool held = false;
    unsigned windows = 0;  // the windows its paths read (Profile::EventType)
    EventTypeSummary summary;  // scratch for RefreshFromProfile
  };

  void Classify(Path* path);
  // Notes that `path` changed value at `epoch`.
  void Stamp(Path* path, uint64_t epoch);
  // Stamps `epoch` on `path` if `number` differs from what it saw, writing
  // it into `attributes` at the path's place.
  void Update(Path* path, double number, uint64_t epoch, Value* attributes);
  // The path's place in `attributes`, or nullptr, noting that it found
  // none (misplaced_).
  Value* PlaceOf(const Path& path, Value* attributes);

  std::vector<Path> paths_;
  std::vector<EventGroup> event_groups_;
  bool profile_refreshable_ = true;
  bool reads_context_ = false;
  bool context_changed_ = false;
  bool primed_ = false;
  bool misplaced_ = false;         // during RefreshFromProfile
  std::vector<uint32_t> changed_;  // the paths Stamp()ed at changed_epoch_
  uint64_t changed_epoch_ = 0;
};

}  // namespace tessera

#endif  // TESSERA_SRC_ATTRIBUTE_WATCH_H_
