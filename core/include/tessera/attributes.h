// Derived attributes: the one JSON object a targeting condition is evaluated
// against, computed from the visitor's local Profile and the page Context.
//
// This is a public contract (DESIGN.md, "Derived attributes"): segment rules
// in decision artifacts address these dotted paths, so renaming or changing
// the meaning of one needs a schema version bump. Times are epoch ms in the
// input; durations in the output are fractional (2.5 days is 2.5), never
// rounded, and never negative (an event stamped after `now` is 0 ago).
//
//   id                          anonymous id (string), null when unset
//   userId                      user id from identify, null when anonymous
//   event.<type>.count_1h       events of <type> in the last hour; also
//                 count_24h, count_7d, count_30d, count_90d, count_all
//   event.<type>.sum_value_1h   sum of properties.value in the last hour;
//                 also sum_value_24h, _7d, _30d, _90d, _all
//   event.<type>.days_since_last   days since the latest <type> event
//   event.<type>.days_since_first  days since the first <type> event
//   event.<type>.hours_since_last  hours since the latest <type> event
//     <type> is every event type the profile holds, plus the standard types
//     (page_view, add_to_cart, remove_from_cart, purchase_complete,
//     form_submit, video_played) always, with zero counts when never seen, so
//     "count_30d < 1" holds for someone who never bought. The *_since_*
//     fields are absent for a type never seen. Careful: GrowthBook reads a
//     missing path as null and null <= 7 is true in JavaScript, so a recency
//     rule must also ask for the field: {"$exists": true, "$lte": 7}.
//     Window edges are exact to the bucket width: 1 min for 1h, 1 h for 24h,
//     6 h for 7d, 1 day for 30d/90d (see profile.h).
//   visitor.sessions            sessions ever (30 minutes idle ends one)
//   visitor.sessions_24h        sessions started in the last 24 h ("visits");
//                 also sessions_7d, sessions_30d
//   visitor.pages_this_session  page views in the current session (0 when
//                               the last event is over 30 minutes old)
//   visitor.days_since_first_seen  0 for a visitor with no events yet
//   visitor.days_since_last_seen   0 for a visitor with no events yet
//   visitor.identified          whether a user id is known
//   affinities                  up to 8 category names, strongest first
//                               (decayed with a 14-day half-life)
//   affinity.<category>         that category's share of the listed
//                               affinities' total, in (0, 1]
//   traits.*                    the traits object from identify ({} if none)
//   context.device              "mobile" | "tablet" | "desktop", as given
//   context.hour                local hour 0-23 at `now`
//   context.weekday             local weekday at `now`, 0 = Sunday
//   context.utc_offset_minutes  the offset used for hour and weekday
//   context.path, context.url, context.referrer, context.language  as given
//   context.<key>               each member of Context::extra whose key is
//                               not one of the above
//   segments                    [] here; the segment evaluator fills in the
//                               ids of matched segments
//   cluster                     null here; the segment evaluator sets the
//                               nearest centroid's id
//
// Examples: Recent Buyers = {"event.purchase_complete.days_since_last":
// {"$exists": true, "$lte": 7}}; Engaged Visitors (more than 5 visits in 24 h) =
// {"visitor.sessions_24h": {"$gt": 5}}, or with page views as visits,
// {"event.page_view.count_24h": {"$gt": 5}}.
//
// DeriveAttributes never fails and reads nothing but its arguments; it is as
// thread-safe as the Profile it reads. Cost: linear in the event types held
// (at most 64), a few microseconds natively; call it once per decision.
#ifndef TESSERA_ATTRIBUTES_H_
#define TESSERA_ATTRIBUTES_H_

#include <cstdint>
#include <string>

#include "tessera/json.h"
#include "tessera/profile.h"

namespace tessera {

// What the page knows about the moment of the decision.
struct Context {
  std::string device;          // "mobile" | "tablet" | "desktop"
  int utc_offset_minutes = 0;  // visitor's local offset (+120 = UTC+2);
                               // clamped to +-18 h
  std::string url;
  std::string path;
  std::string referrer;
  std::string language;  // e.g. "en-GB"
  Value extra;           // object of further context.* keys, or null
};

Value DeriveAttributes(const Profile& profile, const Context& context,
                       int64_t now_ms);
// The same attributes written over *attributes, whatever it held, reusing
// its storage: with the previous decision's attributes there, most members
// are overwritten in place instead of built and freed again.
void DeriveAttributes(const Profile& profile, const Context& context,
                      int64_t now_ms, Value* attributes);

}  // namespace tessera

#endif  // TESSERA_ATTRIBUTES_H_
