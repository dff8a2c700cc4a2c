#include "tessera/attributes.h"

#include <algorithm>
#include <string_view>
#include <utility>

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

Value WindowObject(const WindowTotals& t) {
  Object o;
  o.reserve(15);
  o.push_back({"count_1h", Value(t.last_1h.count)});
  o.push_back({"count_24h", Value(t.last_24h.count)});
  o.push_back({"count_7d", Value(t.last_7d.count)});
  o.push_back({"count_30d", Value(t.last_30d.count)});
  o.push_back({"count_90d", Value(t.last_90d.count)});
  o.push_back({"count_all", Value(t.all_time.count)});
  o.push_back({"sum_value_1h", Value(t.last_1h.sum_value)});
  o.push_back({"sum_value_24h", Value(t.last_24h.sum_value)});
  o.push_back({"sum_value_7d", Value(t.last_7d.sum_value)});
  o.push_back({"sum_value_30d", Value(t.last_30d.sum_value)});
  o.push_back({"sum_value_90d", Value(t.last_90d.sum_value)});
  o.push_back({"sum_value_all", Value(t.all_time.sum_value)});
  return Value(std::move(o));
}

Value EventsObject(const Profile& profile, int64_t now_ms) {
  Object events;
  for (const EventTypeSummary& e : profile.EventTypes(now_ms)) {
    Value stats = WindowObject(e.totals);
    Object& o = stats.as_object();
    o.push_back(
        {"days_since_last", Value(Since(e.last_seen_ms, now_ms, kDayMs))});
    o.push_back(
        {"days_since_first", Value(Since(e.first_seen_ms, now_ms, kDayMs))});
    o.push_back(
        {"hours_since_last", Value(Since(e.last_seen_ms, now_ms, kHourMs))});
    events.push_back({e.name, std::move(stats)});
  }
  for (std::string_view name : kStandardEvents) {
    if (!profile.HasSeen(name)) {
      events.push_back({std::string(name), WindowObject(WindowTotals())});
    }
  }
  return Value(std::move(events));
}

Value VisitorObject(const Profile& profile, int64_t now_ms) {
  const WindowTotals sessions = profile.SessionTotals(now_ms);
  const bool seen = !profile.empty();
  Object o;
  o.push_back({"sessions", Value(sessions.all_time.count)});
  o.push_back({"sessions_24h", Value(sessions.last_24h.count)});
  o.push_back({"sessions_7d", Value(sessions.last_7d.count)});
  o.push_back({"sessions_30d", Value(sessions.last_30d.count)});
  o.push_back({"pages_this_session", Value(profile.PagesThisSession(now_ms))});
  o.push_back(
      {"days_since_first_seen",
       Value(seen ? Since(profile.first_seen_ms(), now_ms, kDayMs) : 0.0)});
  o.push_back(
      {"days_since_last_seen",
       Value(seen ? Since(profile.last_seen_ms(), now_ms, kDayMs) : 0.0)});
  o.push_back({"identified", Value(!profile.user_id().empty())});
  return Value(std::move(o));
}

Value ContextObject(const Context& context, int64_t now_ms) {
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

  Object o;
  o.push_back({"device", Value(context.device)});
  o.push_back({"hour", Value(hour)});
  o.push_back({"weekday", Value(weekday)});
  o.push_back({"utc_offset_minutes", Value(offset)});
  o.push_back({"path", Value(context.path)});
  o.push_back({"url", Value(context.url)});
  o.push_back({"referrer", Value(context.referrer)});
  o.push_back({"language", Value(context.language)});
  if (context.extra.is_object()) {
    const size_t built_in = o.size();
    for (const Member& m : context.extra.as_object()) {
      const bool taken =
          std::any_of(o.begin(), o.begin() + built_in,
                      [&m](const Member& b) { return b.key == m.key; });
      if (!taken) o.push_back(m);
    }
  }
  return Value(std::move(o));
}

}  // namespace

Value DeriveAttributes(const Profile& profile, const Context& context,
                       int64_t now_ms) {
  Object root;
  root.reserve(10);
  root.push_back({"id", profile.anonymous_id().empty()
                            ? Value()
                            : Value(profile.anonymous_id())});
  root.push_back({"userId", profile.user_id().empty()
                                ? Value()
                                : Value(profile.user_id())});
  root.push_back({"event", EventsObject(profile, now_ms)});
  root.push_back({"visitor", VisitorObject(profile, now_ms)});

  Array names;
  Object shares;
  for (const CategoryAffinity& a : profile.TopAffinities(now_ms)) {
    names.push_back(Value(a.category));
    shares.push_back({a.category, Value(a.share)});
  }
  root.push_back({"affinities", Value(std::move(names))});
  root.push_back({"affinity", Value(std::move(shares))});
  root.push_back({"traits", profile.traits().is_object()
                                ? profile.traits()
                                : Value::MakeObject()});
  root.push_back({"context", ContextObject(context, now_ms)});
  root.push_back({"segments", Value::MakeArray()});
  root.push_back({"cluster", Value()});
  return Value(std::move(root));
}

}  // namespace tessera
