#include "tessera/attributes.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <string_view>
#include <utility>

#include "attribute_values.h"
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

void PutEventStats(const EventTypeSummary& summary, size_t count,
                   int64_t now_ms, MemberWriter* o) {
  for (size_t stat = 0; stat < count; ++stat) {
    o->PutNumber(attribute_values::kEventStats[stat],
                 attribute_values::EventStat(stat, summary, now_ms));
  }
}

void PutEvents(const Profile& profile, int64_t now_ms, Value* out) {
  const std::vector<EventTypeSummary> seen = profile.EventTypes(now_ms);
  MemberWriter events(out, seen.size() + std::size(kStandardEvents));
  for (const EventTypeSummary& e : seen) {
    MemberWriter o(&events.Slot(e.name), std::size(attribute_values::kEventStats));
    PutEventStats(e, std::size(attribute_values::kEventStats), now_ms, &o);
  }
  for (std::string_view name : kStandardEvents) {
    if (!profile.HasSeen(name)) {
      MemberWriter o(&events.Slot(name), attribute_values::kWindowStatCount);
      PutEventStats(EventTypeSummary(), attribute_values::kWindowStatCount,
                    now_ms, &o);
    }
  }
}

void PutVisitor(const Profile& profile, int64_t now_ms, Value* out) {
  const WindowTotals sessions = profile.SessionTotals(now_ms);
  MemberWriter o(out, std::size(attribute_values::kVisitorStats) + 1);
  for (size_t stat = 0; stat < std::size(attribute_values::kVisitorStats);
       ++stat) {
    o.PutNumber(attribute_values::kVisitorStats[stat],
                attribute_values::VisitorStat(stat, profile, sessions, now_ms));
  }
  o.Put("identified", Value(!profile.user_id().empty()));
}

// The built-in context members; Context::extra cannot override them.
constexpr std::string_view kContextKeys[] = {
    "device", "hour", "weekday",  "utc_offset_minutes",
    "path",   "url",  "referrer", "language",
};

void PutContext(const Context& context, int64_t now_ms, Value* out) {
  const attribute_values::LocalClock clock =
      attribute_values::LocalClockAt(context, now_ms);
  MemberWriter o(out, std::size(kContextKeys) + context.extra.size());
  o.Put(kContextKeys[0], Value(context.device));
  o.PutNumber(kContextKeys[1], static_cast<double>(clock.hour));
  o.PutNumber(kContextKeys[2], static_cast<double>(clock.weekday));
  o.PutNumber(kContextKeys[3], static_cast<double>(clock.offset_minutes));
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

namespace attribute_values {

double EventStat(size_t stat, const EventTypeSummary& summary,
                 int64_t now_ms) {
  const WindowTotals& t = summary.totals;
  const Tally* windows[] = {&t.last_1h,  &t.last_24h, &t.last_7d,
                            &t.last_30d, &t.last_90d, &t.all_time};
  constexpr size_t kWindows = std::size(windows);
  if (stat < kWindows) return static_cast<double>(windows[stat]->count);
  if (stat < 2 * kWindows) return windows[stat - kWindows]->sum_value;
  switch (stat - 2 * kWindows) {
    case 0:
      return Since(summary.last_seen_ms, now_ms, kDayMs);
    case 1:
      return Since(summary.first_seen_ms, now_ms, kDayMs);
    default:
      return Since(summary.last_seen_ms, now_ms, kHourMs);
  }
}

double VisitorStat(size_t stat, const Profile& profile,
                   const WindowTotals& sessions, int64_t now_ms) {
  const bool seen = !profile.empty();
  switch (stat) {
    case 0:
      return static_cast<double>(sessions.all_time.count);
    case 1:
      return static_cast<double>(sessions.last_24h.count);
    case 2:
      return static_cast<double>(sessions.last_7d.count);
    case 3:
      return static_cast<double>(sessions.last_30d.count);
    case 4:
      return static_cast<double>(profile.PagesThisSession(now_ms));
    case 5:
      return seen ? Since(profile.first_seen_ms(), now_ms, kDayMs) : 0.0;
    default:
      return seen ? Since(profile.last_seen_ms(), now_ms, kDayMs) : 0.0;
  }
}

LocalClock LocalClockAt(const Context& context, int64_t now_ms) {
  LocalClock clock;
  clock.offset_minutes =
      std::clamp(context.utc_offset_minutes, -Profile::kMaxUtcOffsetMinutes,
                 Profile::kMaxUtcOffsetMinutes);
  const int64_t day_ms = static_cast<int64_t>(kDayMs);
  const int64_t local_ms =
      std::clamp<int64_t>(now_ms, 0, Profile::kMaxTimestampMs) +
      int64_t{clock.offset_minutes} * 60 * 1000;
  int64_t day = local_ms / day_ms;
  if (local_ms % day_ms != 0 && local_ms < 0) --day;
  clock.weekday = ((day + 4) % 7 + 7) % 7;  // 1970-01-01: Thursday
  clock.hour = (local_ms - day * day_ms) / static_cast<int64_t>(kHourMs);
  return clock;
}

bool IsBuiltInContextMember(std::string_view name) {
  return IndexOf(kContextKeys, name) < std::size(kContextKeys);
}

bool ContextMember(const Context& context, std::string_view name,
                   Value* out) {
  const std::string* text = name == "device"     ? &context.device
                            : name == "path"     ? &context.path
                            : name == "url"      ? &context.url
                            : name == "referrer" ? &context.referrer
                            : name == "language" ? &context.language
                                                 : nullptr;
  if (text != nullptr) {
    *out = Value(*text);
    return true;
  }
  if (name == "utc_offset_minutes") {
    out->set_number(LocalClockAt(context, 0).offset_minutes);
    return true;
  }
  const Value* extra =
      context.extra.is_object() ? context.extra.find(name) : nullptr;
  if (extra == nullptr) return false;
  *out = *extra;
  return true;
}

}  // namespace attribute_values

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
