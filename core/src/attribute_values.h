// How each time-dependent member of the derived attributes (attributes.h) is
// computed, written once for the two places that compute them:
// DeriveAttributes, which builds the whole object, and AttributeWatch, which
// after a tracked event or a clock move recomputes only the members the
// artifact's conditions and templates read.
#ifndef TESSERA_SRC_ATTRIBUTE_VALUES_H_
#define TESSERA_SRC_ATTRIBUTE_VALUES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/attributes.h"
#include "tessera/json.h"
#include "tessera/profile.h"

namespace tessera::attribute_values {

// The members of event.<type>, in attribute order. A type the profile holds
// has all of them; a standard type never seen has the first
// kWindowStatCount (zero), not the *_since_* ones.
inline constexpr std::string_view kEventStats[] = {
    "count_1h",        "count_24h",        "count_7d",         "count_30d",
    "count_90d",       "count_all",        "sum_value_1h",     "sum_value_24h",
    "sum_value_7d",    "sum_value_30d",    "sum_value_90d",    "sum_value_all",
    "days_since_last", "days_since_first", "hours_since_last",
};
inline constexpr size_t kWindowStatCount = 12;

// event.<type>.<kEventStats[stat]> for a type with these totals; `summary`
// may be a default one (never seen) for the first kWindowStatCount stats.
double EventStat(size_t stat, const EventTypeSummary& summary, int64_t now_ms);

// The numeric members of visitor, in attribute order (visitor.identified,
// a boolean, follows them).
inline constexpr std::string_view kVisitorStats[] = {
    "sessions",
    "sessions_24h",
    "sessions_7d",
    "sessions_30d",
    "pages_this_session",
    "days_since_first_seen",
    "days_since_last_seen",
};

// visitor.<kVisitorStats[stat]>; `sessions` is profile.SessionTotals(now).
double VisitorStat(size_t stat, const Profile& profile,
                   const WindowTotals& sessions, int64_t now_ms);

// context.hour and context.weekday at `now_ms`, and the clamped offset they
// use (context.utc_offset_minutes).
struct LocalClock {
  int offset_minutes = 0;
  int64_t hour = 0;
  int64_t weekday = 0;  // 0 = Sunday
};
LocalClock LocalClockAt(const Context& context, int64_t now_ms);

// context.<name> other than hour and weekday (which move with the clock): a
// built-in member (device, utc_offset_minutes, path, url, referrer,
// language) or one of Context::extra. Writes it to *out and returns true, or
// returns false when the context has no such member.
bool ContextMember(const Context& context, std::string_view name, Value* out);
// Whether context.<name> is one of the members every context has (a string
// or a number), rather than one of Context::extra.
bool IsBuiltInContextMember(std::string_view name);

// The index of `name` in `names`, or `count` when absent.
template <size_t N>
size_t IndexOf(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return i;
  }
  return N;
}

}  // namespace tessera::attribute_values

#endif  // TESSERA_SRC_ATTRIBUTE_VALUES_H_
