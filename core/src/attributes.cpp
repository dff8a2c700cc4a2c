#include "tessera/attributes.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <string_view>
#include <utility>

#include "short_text.h"
#include "value_identity.h"

namespace tessera {
namespace {

constexpr double kHourMs = 60.0 * 60 * 1000;
constexpr double kDayMs = 24 * kHourMs;

constexpr std::string_view kStandardEvents[] = {
    kPageView,         kAddToCart,  kRemoveFromCart,
    kPurchaseComplete, kFormSubmit, kVideoPlayed,
};

double Since(int64_t then_ms, int64_t now_ms, double unit_ms) {
  return then_ms >= now_ms ? 0.0
                           : static_cast<double>(now_ms - then_ms) / unit_ms;
}

// Writes an object's members, in order, over whatever the object held before
// (usually the previous decision's attributes), keeping each member whose
// key is already in place and overwriting its value: the layout seldom
// changes between decisions, and a value costs far less to overwrite than a
// member does to build and later free. Once the writer is gone the object
// holds exactly the members written, in the order written. A reference from
// Slot() is valid until the next Slot() call on the same writer.
class MemberWriter {
 public:
  MemberWriter(Value* object, size_t expected) {
    if (!object->is_object()) *object = Value::MakeObject();
    members_ = &object->as_object();
    members_->reserve(expected);
  }
  MemberWriter(const MemberWriter&) = delete;
  MemberWriter& operator=(const MemberWriter&) = delete;
  ~MemberWriter() {
    members_->erase(members_->begin() + static_cast<std::ptrdiff_t>(next_),
                    members_->end());
  }

  // The value of member `key`, which the caller overwrites.
  Value& Slot(std::string_view key) {
    if (next_ < members_->size()) {
      Member& m = (*members_)[next_];
      if (short_text::Same(m.key, key)) {
        ++next_;
        return m.value;
      }
      // The layout changed: the rest is rebuilt.
      members_->erase(members_->begin() + static_cast<std::ptrdiff_t>(next_),
                      members_->end());
    }
    members_->push_back(Member{std::string(key), Value()});
    ++next_;
    return members_->back().value;
  }
  void Put(std::string_view key, Value value) { Slot(key) = std::move(value); }
  // Put(key, Value(number)); most numbers equal the previous decision's, and
  // those (compared bit for bit, so -0 stays distinct from 0) are left be.
  void PutNumber(std::string_view key, double number) {
    Value& slot = Slot(key);
    if (slot.is_number()) {
      const double old = slot.as_number();
      if (std::memcmp(&old, &number, sizeof number) == 0) return;
    }
    slot = Value(number);
  }
  // Member `key` as an empty array whose storage is kept.
  Array& PutEmptyArray(std::string_view key) {
    Value& slot = Slot(key);
    if (!slot.is_array()) slot = Value::MakeArray();
    slot.as_array().clear();
    return slot.as_array();
  }

 private:
  Object* members_;
  size_t next_ = 0;
};

// An event's window statistics, in attribute order.
void PutWindowStats(const WindowTotals& t, MemberWriter* o) {
  o->PutNumber("count_1h", static_cast<double>(t.last_1h.count));
  o->PutNumber("count_24h", static_cast<double>(t.last_24h.count));
  o->PutNumber("count_7d", static_cast<double>(t.last_7d.count));
  o->PutNumber("count_30d", static_cast<double>(t.last_30d.count));
  o->PutNumber("count_90d", static_cast<double>(t.last_90d.count));
  o->PutNumber("count_all", static_cast<double>(t.all_time.count));
  o->PutNumber("sum_value_1h", t.last_1h.sum_value);
  o->PutNumber("sum_value_24h", t.last_24h.sum_value);
  o->PutNumber("sum_value_7d", t.last_7d.sum_value);
  o->PutNumber("sum_value_30d", t.last_30d.sum_value);
  o->PutNumber("sum_value_90d", t.last_90d.sum_value);
  o->PutNumber("sum_value_all", t.all_time.sum_value);
}

void PutEvents(const Profile& profile, int64_t now_ms, Value* out) {
  const std::vector<EventTypeSummary> seen = profile.EventTypes(now_ms);
  MemberWriter events(out, seen.size() + std::size(kStandardEvents));
  for (const EventTypeSummary& e : seen) {
    MemberWriter o(&events.Slot(e.name), 15);
    PutWindowStats(e.totals, &o);
    o.PutNumber("days_since_last", Since(e.last_seen_ms, now_ms, kDayMs));
    o.PutNumber("days_since_first", Since(e.first_seen_ms, now_ms, kDayMs));
    o.PutNumber("hours_since_last", Since(e.last_seen_ms, now_ms, kHourMs));
  }
  for (std::string_view name : kStandardEvents) {
    if (!profile.HasSeen(name)) {
      MemberWriter o(&events.Slot(name), 12);
      PutWindowStats(WindowTotals(), &o);
    }
  }
}

void PutVisitor(const Profile& profile, int64_t now_ms, Value* out) {
  const WindowTotals sessions = profile.SessionTotals(now_ms);
  const bool seen = !profile.empty();
  MemberWriter o(out, 8);
  o.PutNumber("sessions", static_cast<double>(sessions.all_time.count));
  o.PutNumber("sessions_24h", static_cast<double>(sessions.last_24h.count));
  o.PutNumber("sessions_7d", static_cast<double>(sessions.last_7d.count));
  o.PutNumber("sessions_30d", static_cast<double>(sessions.last_30d.count));
  o.PutNumber("pages_this_session",
              static_cast<double>(profile.PagesThisSession(now_ms)));
  o.PutNumber("days_since_first_seen",
              seen ? Since(profile.first_seen_ms(), now_ms, kDayMs) : 0.0);
  o.PutNumber("days_since_last_seen",
              seen ? Since(profile.last_seen_ms(), now_ms, kDayMs) : 0.0);
  o.Put("identified", Value(!profile.user_id().empty()));
}

// The built-in context members; Context::extra cannot override them.
constexpr std::string_view kContextKeys[] = {
    "device", "hour", "weekday",  "utc_offset_minutes",
    "path",   "url",  "referrer", "language",
};

void PutContext(const Context& context, int64_t now_ms, Value* out) {
  const int offset =
      std::clamp(context.utc_offset_minutes, -Profile::kMaxUtcOffsetMinutes,
                 Profile::kMaxUtcOffsetMinutes);
  const int64_t day_ms = static_cast<int64_t>(kDayMs);
  const int64_t local_ms =
      std::clamp<int64_t>(now_ms, 0, Profile::kMaxTimestampMs) +
      int64_t{offset} * 60 * 1000;
  int64_t day = local_ms / day_ms;
  if (local_ms % day_ms != 0 && local_ms < 0) --day;
  const int64_t weekday = ((day + 4) % 7 + 7) % 7;  // 1970-01-01: Thursday
  const int64_t hour =
      (local_ms - day * day_ms) / static_cast<int64_t>(kHourMs);

  MemberWriter o(out, std::size(kContextKeys) + context.extra.size());
  o.Put(kContextKeys[0], Value(context.device));
  o.PutNumber(kContextKeys[1], static_cast<double>(hour));
  o.PutNumber(kContextKeys[2], static_cast<double>(weekday));
  o.PutNumber(kContextKeys[3], static_cast<double>(offset));
  o.Put(kContextKeys[4], Value(context.path));
  o.Put(kContextKeys[5], Value(context.url));
  o.Put(kContextKeys[6], Value(context.referrer));
  o.Put(kContextKeys[7], Value(context.language));
  if (context.extra.is_object()) {
    for (const Member& m : context.extra.as_object()) {
      const bool taken =
          std::find(std::begin(kContextKeys), std::end(kContextKeys), m.key) !=
          std::end(kContextKeys);
      if (!taken) o.Put(m.key, m.value);
    }
  }
}

}  // namespace

void DeriveAttributes(const Profile& profile, const Context& context,
                      int64_t now_ms, Value* attributes) {
  MemberWriter root(attributes, 10);
  if (profile.anonymous_id().empty()) {
    root.Put("id", Value());
  } else {
    root.Put("id", Value(profile.anonymous_id()));
  }
  if (profile.user_id().empty()) {
    root.Put("userId", Value());
  } else {
    root.Put("userId", Value(profile.user_id()));
  }
  PutEvents(profile, now_ms, &root.Slot("event"));
  PutVisitor(profile, now_ms, &root.Slot("visitor"));

  const std::vector<CategoryAffinity> top = profile.TopAffinities(now_ms);
  Array& names = root.PutEmptyArray("affinities");
  names.reserve(top.size());
  for (const CategoryAffinity& a : top) names.push_back(Value(a.category));
  {
    MemberWriter shares(&root.Slot("affinity"), top.size());
    for (const CategoryAffinity& a : top) shares.PutNumber(a.category, a.share);
  }
  if (profile.traits().is_object()) {
    // Traits change only with identify(): usually the previous decision's
    // copy is already there, and comparing costs less than copying anew.
    Value& traits = root.Slot("traits");
    if (!IdenticalValues(traits, profile.traits())) traits = profile.traits();
  } else {
    root.Put("traits", Value::MakeObject());
  }
  PutContext(context, now_ms, &root.Slot("context"));
  root.PutEmptyArray("segments");
  root.Put("cluster", Value());
}

Value DeriveAttributes(const Profile& profile, const Context& context,
                       int64_t now_ms) {
  Value attributes;
  DeriveAttributes(profile, context, now_ms, &attributes);
  return attributes;
}

}  // namespace tessera
