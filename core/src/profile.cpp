#include "tessera/profile.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "profile_state.h"

namespace tessera {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

bool IsStandardEvent(std::string_view name) {
  return name == kPageView || name == kAddToCart || name == kRemoveFromCart ||
         name == kPurchaseComplete || name == kFormSubmit ||
         name == kVideoPlayed;
}

// How strongly an event says "interested in this category": buying is the
// clearest signal, putting in a cart the next, looking the weakest; taking
// out of the cart says nothing positive.
double AffinityWeight(std::string_view event_name) {
  if (event_name == kPurchaseComplete) return 10;
  if (event_name == kAddToCart) return 4;
  if (event_name == kRemoveFromCart) return 0;
  return 1;
}

// a * b as an exact sum *hi + *lo (Dekker's product; needs no FMA).
void ExactProduct(double a, double b, double* hi, double* lo) {
  auto split = [](double v, double* high, double* low) {
    const double c = 134217729.0 * v;  // 2^27 + 1
    *high = c - (c - v);
    *low = v - *high;
  };
  double ah, al, bh, bl;
  split(a, &ah, &al);
  split(b, &bh, &bl);
  *hi = a * b;
  *lo = ((ah * bh - *hi) + ah * bl + al * bh) + al * bl;
}

// a + b as an exact sum *sum + *error (Knuth's two-sum).
void ExactSum(double a, double b, double* sum, double* error) {
  *sum = a + b;
  const double b_part = *sum - a;
  *error = (a - (*sum - b_part)) + (b - b_part);
}

// 2^k for -1022 <= k <= 1023, exactly.
double NormalPowerOfTwo(int k) {
  const uint64_t bits = static_cast<uint64_t>(k + 1023) << 52;
  double power;
  std::memcpy(&power, &bits, sizeof power);
  return power;
}

// value * 2^k for value in [0.5, 2] and -1100 <= k <= 0 (what PowerOfTwo
// passes), rounded once as std::ldexp rounds it; libm's ldexp stays out of
// the browser build. Below 2^-1022 the exact product with 2^(k + 1022), a
// normal double, comes first, and the one multiplication that can round last.
double ScaleByPowerOfTwo(double value, int k) {
  if (k >= -1022) return value * NormalPowerOfTwo(k);
  return value * NormalPowerOfTwo(k + 1022) * NormalPowerOfTwo(-1022);
}

// 2^x for x <= 0, rounded as std::exp2 rounds it in all but a few inputs in
// a thousand (then one unit in the last place apart), and the same in every
// build. Not std::exp2: libm's version brings a 2 KB table of doubles (which
// hardly compresses) into the browser build, and glibc's and the browser
// build's libm need not agree in the last bit. With x = n + f, n an integer
// and |f| <= 1/2, the factor 2^n is exact and 2^f = e^y with y = f ln 2,
// |y| <= 0.35: 1 + y + y^2/2 is summed in double-double arithmetic and the
// rest of the Taylor series (below 0.008) in doubles.
double PowerOfTwo(double x) {
  if (x < -1100) return 0;  // below the smallest subnormal double
  const double n = std::floor(x + 0.5);
  const double f = x - n;
  double y, y_low;  // f ln 2, with ln 2 = 0.6931471805599453 + 2.319e-17
  ExactProduct(f, 0.6931471805599453, &y, &y_low);
  y_low += f * 2.3190468138462996e-17;
  double square, square_low;
  ExactProduct(y, y, &square, &square_low);
  // series = 1/3 + y/12 + y^2/60 + ... = (e^y - 1 - y - y^2/2) * 2 / y^3,
  // the sum of 2 y^j / (j + 3)! (Horner; no division on this hot path).
  static constexpr std::array<double, 15> kSeries = [] {
    std::array<double, 15> c{};
    double factorial = 6;  // 3!
    for (size_t j = 0; j < c.size(); ++j) {
      c[j] = 2 / factorial;
      factorial *= static_cast<double>(j + 4);
    }
    return c;
  }();
  double series = kSeries.back();
  for (size_t j = kSeries.size() - 1; j-- > 0;)
    series = kSeries[j] + y * series;
  double sum, error1, error2;
  ExactSum(1, y, &sum, &error1);
  ExactSum(sum, square * 0.5, &sum, &error2);
  const double low = error1 + error2 + square_low * 0.5 + y_low + y * y_low +
                     square * y * series * 0.5;
  return ScaleByPowerOfTwo(sum + low, static_cast<int>(n));
}

// The weight left after `elapsed_ms`: halves every kAffinityHalfLifeMs.
double Decay(int64_t elapsed_ms) {
  if (elapsed_ms <= 0) return 1;
  return PowerOfTwo(-static_cast<double>(elapsed_ms) /
                    static_cast<double>(Profile::kAffinityHalfLifeMs));
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

size_t HourOfWeek(int64_t timestamp_ms, int utc_offset_minutes) {
  const int64_t local_ms = timestamp_ms + utc_offset_minutes * kMinuteMs;
  const int64_t day = FloorDiv(local_ms, kDayMs);
  const int64_t weekday = ((day + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  const int64_t hour = (local_ms - day * kDayMs) / kHourMs;
  return static_cast<size_t>(weekday * 24 + hour);
}

bool IsUsableCategory(const Value& v) {
  return v.is_string() && !v.as_string().empty() &&
         v.as_string().size() <= Profile::kMaxNameBytes &&
         IsValidUtf8(v.as_string());
}

// The distinct categories an event mentions: properties.category,
// properties.categories[] and properties.items[].category.
std::vector<std::string> CategoriesOf(const Value& properties) {
  std::vector<std::string> out;
  auto add = [&out](const Value* v) {
    if (v == nullptr || !IsUsableCategory(*v) ||
        out.size() >= Profile::kMaxCategoriesPerEvent) {
      return;
    }
    if (std::find(out.begin(), out.end(), v->as_string()) == out.end()) {
      out.push_back(v->as_string());
    }
  };
  add(properties.find("category"));
  if (const Value* list = properties.find("categories");
      list != nullptr && list->is_array()) {
    for (const Value& v : list->as_array()) add(&v);
  }
  if (const Value* items = properties.find("items");
      items != nullptr && items->is_array()) {
    for (const Value& item : items->as_array()) add(item.find("category"));
  }
  return out;
}

double MonetaryValue(const Event& event) {
  const Value* v = event.properties.find("value");
  if (v == nullptr || !v->is_number() || !std::isfinite(v->as_number())) {
    return 0;
  }
  return v->as_number();
}

void AddAffinity(std::vector<AffinityEntry>* entries,
                 const std::string& category, double weight, int64_t at_ms) {
  for (AffinityEntry& e : *entries) {
    if (e.category != category) continue;
    if (at_ms >= e.updated_ms) {
      e.score = e.score * Decay(at_ms - e.updated_ms) + weight;
      e.updated_ms = at_ms;
    } else {
      e.score += weight * Decay(e.updated_ms - at_ms);
    }
    return;
  }
  if (entries->size() < Profile::kAffinityCapacity) {
    entries->push_back(AffinityEntry{category, weight, at_ms});
    return;
  }
  // Full: the newcomer replaces the weakest category if it is now stronger,
  // comparing both at the latest of their times.
  int64_t reference = at_ms;
  for (const AffinityEntry& e : *entries)
    reference = std::max(reference, e.updated_ms);
  auto strength = [reference](const AffinityEntry& e) {
    return e.score * Decay(reference - e.updated_ms);
  };
  auto weakest =
      std::min_element(entries->begin(), entries->end(),
                       [&](const AffinityEntry& a, const AffinityEntry& b) {
                         return strength(a) < strength(b);
                       });
  if (weight * Decay(reference - at_ms) > strength(*weakest)) {
    *weakest = AffinityEntry{category, weight, at_ms};
  }
}

}  // namespace

Profile::Profile() : state_(std::make_unique<State>()) {}
Profile::~Profile() = default;
Profile::Profile(const Profile& other)
    : state_(std::make_unique<State>(*other.state_)) {}
Profile& Profile::operator=(const Profile& other) {
  if (this != &other) *state_ = *other.state_;
  return *this;
}
Profile::Profile(Profile&& other)
    : state_(std::exchange(other.state_, std::make_unique<State>())) {}
Profile& Profile::operator=(Profile&& other) {
  if (this != &other) {
    state_ = std::exchange(other.state_, std::make_unique<State>());
  }
  return *this;
}

Status Profile::Record(const Event& event, int utc_offset_minutes) {
  if (event.name.empty() || event.name.size() > kMaxNameBytes ||
      !IsValidUtf8(event.name)) {
    return Status::InvalidArgument("event name must be 1 to " +
                                   IntegerText(kMaxNameBytes) +
                                   " bytes of UTF-8");
  }
  const int64_t ts = event.timestamp_ms;
  if (ts < 0 || ts > kMaxTimestampMs) {
    return Status::InvalidArgument("event timestamp " + IntegerText(ts) +
                                   " ms is outside years 1970 to 9999");
  }
  if (utc_offset_minutes < -kMaxUtcOffsetMinutes ||
      utc_offset_minutes > kMaxUtcOffsetMinutes) {
    return Status::InvalidArgument(
        "utc_offset_minutes " + IntegerText(utc_offset_minutes) +
        " is beyond +-" + IntegerText(kMaxUtcOffsetMinutes));
  }
  State& s = *state_;

  // Per-type counters. When the table is full, the least recently seen
  // custom type makes room, unless this event is older still.
  auto entry = std::find_if(
      s.event_types.begin(), s.event_types.end(),
      [&](const EventTypeEntry& e) { return e.name == event.name; });
  if (entry == s.event_types.end()) {
    bool admit = true;
    if (s.event_types.size() >= kMaxEventTypes) {
      auto victim = s.event_types.end();
      for (auto it = s.event_types.begin(); it != s.event_types.end(); ++it) {
        if (IsStandardEvent(it->name)) continue;
        if (victim == s.event_types.end() ||
            it->last_seen_ms < victim->last_seen_ms) {
          victim = it;
        }
      }
      admit = victim != s.event_types.end() &&
              (IsStandardEvent(event.name) || ts >= victim->last_seen_ms);
      if (admit) s.event_types.erase(victim);
    }
    if (admit) {
      // Small steps: each entry is ~170 bytes, doubling would waste KBs.
      if (s.event_types.size() == s.event_types.capacity()) {
        s.event_types.reserve(s.event_types.size() + 4);
      }
      s.event_types.push_back(EventTypeEntry{event.name, ts, ts, {}});
      entry = s.event_types.end() - 1;
    }
  }
  if (entry != s.event_types.end()) {
    entry->counter.Add(ts, MonetaryValue(event));
    entry->first_seen_ms = std::min(entry->first_seen_ms, ts);
    entry->last_seen_ms = std::max(entry->last_seen_ms, ts);
  }

  // Sessions. A late event just before the current session stretches it
  // back; one older than that belongs to a past session whose shape is no
  // longer known, so it changes no session state.
  auto start_session = [&s, ts] {
    s.session_starts.Add(ts, 0);
    s.session_start_ms = ts;
    s.pages_this_session = 0;
  };
  if (!s.has_activity || ts > s.last_seen_ms + kSessionGapMs) {
    start_session();
  } else if (ts < s.session_start_ms &&
             ts >= s.session_start_ms - kSessionGapMs) {
    s.session_start_ms = ts;
  }
  if (event.name == kPageView && ts >= s.session_start_ms) {
    ++s.pages_this_session;
  }

  if (!s.has_activity) {
    s.first_seen_ms = s.last_seen_ms = ts;
    s.has_activity = true;
  } else {
    s.first_seen_ms = std::min(s.first_seen_ms, ts);
    s.last_seen_ms = std::max(s.last_seen_ms, ts);
  }

  uint32_t& hour_count = s.hour_of_week[HourOfWeek(ts, utc_offset_minutes)];
  if (hour_count != std::numeric_limits<uint32_t>::max()) ++hour_count;

  const double weight = AffinityWeight(event.name);
  if (weight > 0) {
    for (const std::string& category : CategoriesOf(event.properties)) {
      AddAffinity(&s.affinities, category, weight, ts);
    }
  }
  s.utc_offset_minutes = utc_offset_minutes;
  return Status::Ok();
}

Status Profile::Identify(std::string user_id, const Value& traits) {
  if (user_id.size() > kMaxIdBytes || !IsValidUtf8(user_id)) {
    return Status::InvalidArgument("user id must be at most " +
                                   IntegerText(kMaxIdBytes) +
                                   " bytes of UTF-8");
  }
  if (!traits.is_null() && !traits.is_object()) {
    return Status::InvalidArgument("traits must be an object or null");
  }
  // A member takes at least 5 bytes of JSON (`"":0,`): more cannot fit, and
  // merging them one by one would take time quadratic in their number.
  constexpr size_t kMinMemberBytes = 5;
  if (traits.is_object() && traits.size() > kMaxTraitsBytes / kMinMemberBytes) {
    return Status::OutOfRange("traits have " + IntegerText(traits.size()) +
                              " keys, more than fit in the " +
                              IntegerText(kMaxTraitsBytes) +
                              " bytes allowed");
  }
  State& s = *state_;
  const bool other_person =
      !user_id.empty() && !s.user_id.empty() && user_id != s.user_id;
  Value merged = other_person ? Value() : s.traits;
  if (traits.is_object()) {
    for (const Member& m : traits.as_object()) merged.set(m.key, m.value);
  }
  std::string text;
  if (!merged.is_null()) {
    text = merged.Dump();
    if (text.size() > kMaxTraitsBytes) {
      return Status::OutOfRange("traits take " + IntegerText(text.size()) +
                                " bytes as JSON, more than the " +
                                IntegerText(kMaxTraitsBytes) + " allowed");
    }
    // Stored traits must load again from the stored text (nesting depth,
    // UTF-8), or the whole profile would become unreadable.
    if (!ParseJson(text).ok()) {
      return Status::InvalidArgument(
          "traits cannot be stored: they do not survive a JSON round trip "
          "(too deeply nested or not UTF-8)");
    }
  }
  if (!user_id.empty()) s.user_id = std::move(user_id);
  s.traits = std::move(merged);
  s.traits_json = std::move(text);
  return Status::Ok();
}

Status Profile::SetAnonymousId(std::string anonymous_id) {
  if (anonymous_id.size() > kMaxIdBytes || !IsValidUtf8(anonymous_id)) {
    return Status::InvalidArgument("anonymous id must be at most " +
                                   IntegerText(kMaxIdBytes) +
                                   " bytes of UTF-8");
  }
  state_->anonymous_id = std::move(anonymous_id);
  return Status::Ok();
}

void Profile::Clear() { *state_ = State(); }

void Profile::ForgetIdentity() {
  State& s = *state_;
  s.user_id.clear();
  s.traits = Value();
  s.traits_json.clear();
}

const std::string& Profile::anonymous_id() const {
  return state_->anonymous_id;
}
const std::string& Profile::user_id() const { return state_->user_id; }
const Value& Profile::traits() const { return state_->traits; }
int Profile::utc_offset_minutes() const { return state_->utc_offset_minutes; }

WindowTotals Profile::Totals(std::string_view event, int64_t now_ms) const {
  for (const EventTypeEntry& e : state_->event_types) {
    if (e.name == event) return e.counter.Totals(now_ms);
  }
  return WindowTotals();
}

bool Profile::HasSeen(std::string_view event) const {
  for (const EventTypeEntry& e : state_->event_types) {
    if (e.name == event) return true;
  }
  return false;
}

std::vector<EventTypeSummary> Profile::EventTypes(int64_t now_ms) const {
  std::vector<EventTypeSummary> out;
  out.reserve(state_->event_types.size());
  for (const EventTypeEntry& e : state_->event_types) {
    out.push_back(EventTypeSummary{e.name, e.first_seen_ms, e.last_seen_ms,
                                   e.counter.Totals(now_ms)});
  }
  return out;
}

bool Profile::EventType(std::string_view event, int64_t now_ms,
                        EventTypeSummary* out, unsigned windows) const {
  for (const EventTypeEntry& e : state_->event_types) {
    if (e.name == event) {
      out->first_seen_ms = e.first_seen_ms;
      out->last_seen_ms = e.last_seen_ms;
      out->totals = e.counter.Totals(now_ms, windows);
      return true;
    }
  }
  return false;
}

size_t Profile::event_type_count() const { return state_->event_types.size(); }
bool Profile::empty() const { return !state_->has_activity; }
int64_t Profile::first_seen_ms() const { return state_->first_seen_ms; }
int64_t Profile::last_seen_ms() const { return state_->last_seen_ms; }

uint64_t Profile::session_count() const {
  return state_->session_starts.Totals(0).all_time.count;
}

WindowTotals Profile::SessionTotals(int64_t now_ms) const {
  return state_->session_starts.Totals(now_ms);
}

int64_t Profile::current_session_start_ms() const {
  return state_->session_start_ms;
}

uint64_t Profile::PagesThisSession(int64_t now_ms) const {
  if (!state_->has_activity || now_ms > state_->last_seen_ms + kSessionGapMs) {
    return 0;
  }
  return state_->pages_this_session;
}

std::vector<CategoryAffinity> Profile::TopAffinities(int64_t now_ms) const {
  // Ranks entries by position and copies only the reported names: this runs
  // on every decision after an event, and most tracked categories are not
  // among the reported ones.
  struct Ranked {
    double score;
    const AffinityEntry* entry;
  };
  const auto before = [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.entry->category < b.entry->category;
  };
  Ranked top[kTopAffinities];
  size_t count = 0;
  for (const AffinityEntry& e : state_->affinities) {
    const Ranked candidate{e.score * Decay(now_ms - e.updated_ms), &e};
    if (!(candidate.score > 0)) continue;
    if (count == kTopAffinities && !before(candidate, top[count - 1])) continue;
    // Insertion into the sorted top list, the weakest falling off the end.
    size_t at = count < kTopAffinities ? count++ : count - 1;
    for (; at > 0 && before(candidate, top[at - 1]); --at)
      top[at] = top[at - 1];
    top[at] = candidate;
  }
  double total = 0;
  for (size_t i = 0; i < count; ++i) total += top[i].score;
  std::vector<CategoryAffinity> reported(count);
  for (size_t i = 0; i < count; ++i) {
    reported[i].category = top[i].entry->category;
    reported[i].score = top[i].score;
    reported[i].share = top[i].score / total;
  }
  return reported;
}

const std::array<uint32_t, Profile::kHoursPerWeek>& Profile::hour_of_week()
    const {
  return state_->hour_of_week;
}

size_t Profile::ApproximateMemoryBytes() const {
  const State& s = *state_;
  auto heap = [](const std::string& str) {
    return str.capacity() > 15 ? str.capacity() + 1 : 0;
  };
  size_t n = sizeof(Profile) + sizeof(State) + heap(s.anonymous_id) +
             heap(s.user_id) + s.session_starts.HeapBytes();
  // A DOM costs a few times its text; twice the JSON is close enough here.
  n += 2 * s.traits_json.size() + heap(s.traits_json);
  n += s.event_types.capacity() * sizeof(EventTypeEntry);
  for (const EventTypeEntry& e : s.event_types) {
    n += heap(e.name) + e.counter.HeapBytes();
  }
  n += s.affinities.capacity() * sizeof(AffinityEntry);
  for (const AffinityEntry& e : s.affinities) n += heap(e.category);
  return n;
}

}  // namespace tessera
