// WindowedCounter: how often, and for how much value, one thing happened in
// the last hour, day, week, month, quarter and ever, in bounded memory.
//
// Each event is added to four tiers of sparse time buckets (only non-empty
// buckets are stored, sorted by start):
//
//   tier    bucket width   kept for   answers          at most
//   minute  1 min          1 h        last_1h          61 buckets
//   hour    1 h            24 h       last_24h         25 buckets
//   quarter 6 h            7 d        last_7d          29 buckets
//   day     1 d (UTC)      90 d       last_30d/90d     91 buckets
//
// A window of length W answered from buckets of width g includes every
// bucket that ends after now - W. So it never misses an event inside the
// window, and may also include events up to one bucket width older than W:
// the far edge is exact to 1 min for 1h, 1 h for 24h, 6 h for 7d and 1 day
// for 30d/90d. Events stamped after `now` (clock skew) are counted.
//
// Buckets older than their tier's span, measured from the newest event this
// counter has seen, are dropped on Add, which is what bounds memory: at most
// 206 buckets of 16 bytes (~3.3 KB) per counter however many events arrive.
// Out-of-order events land in their own bucket when it is still kept, and
// always count in the lifetime totals.
#ifndef TESSERA_SRC_WINDOWED_COUNTER_H_
#define TESSERA_SRC_WINDOWED_COUNTER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "profile_codec.h"
#include "tessera/profile.h"

namespace tessera {

class WindowedCounter {
 public:
  static constexpr int kTierCount = 4;
  static constexpr size_t kMaxBuckets = 61 + 25 + 29 + 91;

  // `timestamp_ms` must lie in [0, Profile::kMaxTimestampMs]; `value` must be
  // finite (the caller checks both).
  void Add(int64_t timestamp_ms, double value);
  // The windows Totals() tallies (all_time is always known); the bits are
  // Profile::EventType's.
  static constexpr unsigned k1h = 1, k24h = 2, k7d = 4, k30d = 8, k90d = 16;
  static constexpr unsigned kEveryWindow = Profile::kEveryWindow;
  // Counts and sums per window at `now_ms`; only the windows in `windows`
  // are tallied, the others are left zero (a caller reading a few saves
  // walking the buckets of the rest).
  WindowTotals Totals(int64_t now_ms, unsigned windows = kEveryWindow) const;

  bool empty() const { return total_count_ == 0; }
  size_t bucket_count() const { return buckets_.size(); }
  size_t HeapBytes() const;

  void Encode(ProfileWriter* out) const;
  // Reads what Encode wrote into this (empty) counter, checking every
  // invariant Add maintains; reports problems through `in`.
  bool Decode(ProfileReader* in);

 private:
  struct Bucket {
    uint32_t index;  // start time / tier width
    uint32_t count;  // >= 1; saturates
    double sum;      // sum of the events' values
  };

  size_t TierBegin(int tier) const;

  // All tiers in one vector (tier by tier, each sorted by index), which
  // saves three vector headers and their slack per counter; the buckets
  // grow a few slots at a time rather than doubling.
  std::vector<Bucket> buckets_;
  uint16_t tier_end_[kTierCount] = {};  // one past each tier's last bucket
  uint64_t total_count_ = 0;
  double total_sum_ = 0;
  int64_t newest_ms_ = 0;
};

}  // namespace tessera

#endif  // TESSERA_SRC_WINDOWED_COUNTER_H_
