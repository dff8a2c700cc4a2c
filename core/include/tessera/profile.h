// Profile: what one visitor's own browser remembers about that visitor, so
// decisions can be personalized without sending a clickstream anywhere.
//
// It keeps aggregates, never the events themselves:
//  - per event type: counts and sums of properties.value over the last 1h,
//    24h, 7d, 30d, 90d and lifetime (time buckets of growing width, see
//    "Window accuracy" below), first and last seen;
//  - first/last seen overall, sessions (a new one starts after 30 minutes
//    without events) with windowed session counts and pages this session;
//  - decayed category affinities from properties.category, .categories[]
//    and .items[].category (half-life 14 days; weight per event: purchase
//    10, add to cart 4, remove from cart 0, any other event 1);
//  - a 168-bucket hour-of-week engagement histogram in the visitor's local
//    time (the caller passes the UTC offset with each event);
//  - identity: an anonymous id, an optional user id and traits from identify.
//
// Window accuracy: a window counts every event inside it and may also count
// events up to one bucket width older (1 min for 1h, 1 h for 24h, 6 h for
// 7d, 1 day for 30d and 90d). Events timestamped after `now` count as recent.
// Out-of-order events land in the right bucket while it is still kept.
//
// Memory is bounded: at most kMaxEventTypes event types (when full, the least
// recently seen custom type is evicted; the standard types of event.h never
// are), at most 206 buckets per type, kAffinityCapacity categories and
// kMaxTraitsBytes of traits. Worst case (64 types each seen every minute for
// 90 days) about 250 KB in memory and 250 KB serialized; a returning shopper
// with 20 event types over 90 days (profile_test) takes about 9 KB in memory
// and 2.2 KB serialized.
//
// Storage: Serialize() gives a compact binary record (magic "TSPR", format
// version, payload, CRC-32). Deserialize() reads every format version this
// build knows and rejects truncated, corrupted or oversized bytes with
// DataLoss (a newer, unknown version with Unsupported); it never crashes and
// never allocates more than the input can justify.
//
// A Profile is a plain value (copyable, movable) with no shared state; it is
// not synchronized, so use one from one thread at a time. Time is passed in as
// epoch milliseconds; the profile reads no clock.
#ifndef TESSERA_PROFILE_H_
#define TESSERA_PROFILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/event.h"
#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

// How many events, and how much value, fell in one window.
struct Tally {
  uint64_t count = 0;
  double sum_value = 0;  // saturates at +-DBL_MAX, so it is always finite
};

struct WindowTotals {
  Tally last_1h, last_24h, last_7d, last_30d, last_90d, all_time;
};

struct EventTypeSummary {
  std::string name;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  WindowTotals totals;
};

struct CategoryAffinity {
  std::string category;
  double score = 0;  // decayed weight at the query time
  double share = 0;  // score / sum of the reported scores, in (0, 1]
};

class Profile {
 public:
  static constexpr size_t kMaxEventTypes = 64;
  static constexpr size_t kMaxNameBytes = 64;  // event types, categories
  static constexpr size_t kMaxIdBytes = 256;   // anonymous and user ids
  static constexpr size_t kMaxTraitsBytes = 16 * 1024;  // traits as JSON
  static constexpr size_t kMaxCategoriesPerEvent = 16;
  static constexpr size_t kAffinityCapacity = 16;  // tracked categories
  static constexpr size_t kTopAffinities = 8;      // reported categories
  static constexpr int64_t kSessionGapMs = 30 * 60 * 1000;
  static constexpr int64_t kAffinityHalfLifeMs = 14LL * 24 * 60 * 60 * 1000;
  static constexpr int kMaxUtcOffsetMinutes = 18 * 60;
  static constexpr int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31
  static constexpr size_t kHoursPerWeek = 168;
  static constexpr size_t kMaxSerializedBytes = 1024 * 1024;
  static constexpr uint32_t kFormatVersion = 1;

  Profile();
  ~Profile();
  Profile(const Profile& other);
  Profile& operator=(const Profile& other);
  Profile(Profile&& other);  // leaves `other` empty, as after Clear()
  Profile& operator=(Profile&& other);

  // Folds one event into the aggregates. `utc_offset_minutes` is the
  // visitor's local offset from UTC at that moment (+120 for UTC+2), used for
  // the hour-of-week histogram and remembered as utc_offset_minutes().
  // InvalidArgument (and nothing recorded) for an empty or over-long name, a
  // timestamp outside [0, kMaxTimestampMs] or an offset beyond +-18 h.
  // A non-numeric or non-finite properties.value counts as 0; categories
  // that are empty, longer than kMaxNameBytes or not strings are skipped.
  Status Record(const Event& event, int utc_offset_minutes);

  // Sets the user id and merges `traits` (an object, or null for none) into
  // the stored traits. An empty `user_id` keeps the current one; a different
  // user id than the current one replaces the traits instead of merging, so
  // one person's traits never stick to another. InvalidArgument for
  // non-object traits or an over-long id; OutOfRange when the merged traits
  // would exceed kMaxTraitsBytes (nothing changes on error).
  Status Identify(std::string user_id, const Value& traits);

  // InvalidArgument for an id longer than kMaxIdBytes or not UTF-8.
  Status SetAnonymousId(std::string anonymous_id);

  // Forgets everything, identity included (consent withdrawn).
  void Clear();

  // Forgets the user id and traits only (personalization withdrawn while
  // analytics still needs the aggregates); the anonymous id stays.
  void ForgetIdentity();

  // --- Identity ---
  const std::string& anonymous_id() const;
  const std::string& user_id() const;  // empty when not identified
  const Value& traits() const;         // an object, or null
  int utc_offset_minutes() const;      // from the latest Record

  // --- Events ---
  // Zero totals for a type never seen (or evicted).
  WindowTotals Totals(std::string_view event, int64_t now_ms) const;
  bool HasSeen(std::string_view event) const;
  // One entry per stored type, in the order they were first recorded.
  std::vector<EventTypeSummary> EventTypes(int64_t now_ms) const;
  // One stored type's EventTypes() entry; false (and `out` untouched) when
  // the type is not stored. Only the windows in `windows` are tallied, the
  // others are zero: bit 0 last_1h, 1 last_24h, 2 last_7d, 3 last_30d,
  // 4 last_90d (all_time is always known).
  static constexpr unsigned kEveryWindow = 31;
  bool EventType(std::string_view event, int64_t now_ms, EventTypeSummary* out,
                 unsigned windows = kEveryWindow) const;
  size_t event_type_count() const;
  bool empty() const;             // nothing recorded yet
  int64_t first_seen_ms() const;  // 0 when empty()
  int64_t last_seen_ms() const;   // 0 when empty()

  // --- Sessions ---
  uint64_t session_count() const;
  // Sessions started in each window (same accuracy as event windows).
  WindowTotals SessionTotals(int64_t now_ms) const;
  int64_t current_session_start_ms() const;  // 0 when empty()
  // Page views in the current session; 0 once `now_ms` is more than
  // kSessionGapMs after the last event, as the next event starts a new one.
  uint64_t PagesThisSession(int64_t now_ms) const;

  // --- Interests and habits ---
  // The strongest kTopAffinities categories decayed to `now_ms`, strongest
  // first (ties by name).
  std::vector<CategoryAffinity> TopAffinities(int64_t now_ms) const;
  // Events per local hour of the week: index = weekday * 24 + hour, weekday
  // 0 = Sunday. Counts saturate at 2^32 - 1.
  const std::array<uint32_t, kHoursPerWeek>& hour_of_week() const;

  // Bytes held in memory by this profile (its own struct included).
  size_t ApproximateMemoryBytes() const;

  // --- Storage ---
  std::string Serialize() const;
  static Result<Profile> Deserialize(std::string_view bytes);
  // The same record as base64 text (RFC 4648, padded) for string storage
  // such as localStorage; DeserializeBase64 rejects bad base64 with DataLoss.
  std::string SerializeBase64() const;
  static Result<Profile> DeserializeBase64(std::string_view text);

 private:
  struct State;
  friend class ProfileCodec;
  std::unique_ptr<State> state_;
};

}  // namespace tessera

#endif  // TESSERA_PROFILE_H_
