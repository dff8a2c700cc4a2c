#include "windowed_counter.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "amount_sum.h"

namespace tessera {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

struct TierSpec {
  int64_t width_ms;
  int64_t span_ms;
};

constexpr TierSpec kTiers[WindowedCounter::kTierCount] = {
    {kMinuteMs, kHourMs},
    {kHourMs, kDayMs},
    {6 * kHourMs, 7 * kDayMs},
    {kDayMs, 90 * kDayMs},
};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// The oldest bucket index of `tier` still inside its span when the newest
// event is at `newest_ms`: a bucket is kept while it ends after
// newest - span.
int64_t OldestKeptIndex(const TierSpec& tier, int64_t newest_ms) {
  return std::max<int64_t>(0,
                           FloorDiv(newest_ms - tier.span_ms, tier.width_ms));
}

size_t MaxBuckets(const TierSpec& tier) {
  return static_cast<size_t>(tier.span_ms / tier.width_ms + 1);
}

// Values are mostly prices, so sums are stored as whole cents when that is
// exact (2-4 bytes instead of 8), else as a double.
enum AmountKind : uint64_t { kZero = 0, kCents = 1, kDouble = 2 };
AmountKind KindOf(double sum, int64_t* cents) {
  if (sum == 0) return kZero;
  return WholeCents(sum, cents) ? kCents : kDouble;
}

void PutAmount(ProfileWriter* out, AmountKind kind, int64_t cents, double sum) {
  if (kind == kCents) out->PutSigned(cents);
  if (kind == kDouble) out->PutDouble(sum);
}

// Reads an amount of the given kind and insists it is the kind Encode would
// have chosen, so each profile has exactly one byte form.
bool ReadAmount(ProfileReader* in, uint64_t kind, double* sum) {
  *sum = 0;
  int64_t cents = 0;
  if (kind == kCents) {
    if (!in->ReadSigned(&cents, "amount in cents")) return false;
    *sum = static_cast<double>(cents) / 100;
  } else if (kind == kDouble) {
    if (!in->ReadFiniteDouble(sum, "amount")) return false;
  }
  int64_t check = 0;
  if (KindOf(*sum, &check) != kind || (kind == kCents && check != cents)) {
    return in->Fail("amount is not in its canonical form");
  }
  return true;
}

}  // namespace

void WindowedCounter::Add(int64_t timestamp_ms, double value) {
  if (total_count_ == 0 || timestamp_ms > newest_ms_) newest_ms_ = timestamp_ms;
  if (total_count_ != std::numeric_limits<uint64_t>::max()) ++total_count_;
  total_sum_ = AddAmounts(total_sum_, value);

  for (int t = 0; t < kTierCount; ++t) {
    const TierSpec& spec = kTiers[t];
    const int64_t oldest = OldestKeptIndex(spec, newest_ms_);
    const int64_t index = timestamp_ms / spec.width_ms;
    if (index >= oldest) {
      auto end = buckets_.begin() + tier_end_[t];
      auto it = std::lower_bound(
          buckets_.begin() + TierBegin(t), end, index,
          [](const Bucket& b, int64_t i) { return b.index < i; });
      if (it != end && it->index == index) {
        if (it->count != std::numeric_limits<uint32_t>::max()) ++it->count;
        it->sum = AddAmounts(it->sum, value);
      } else {
        const size_t at = static_cast<size_t>(it - buckets_.begin());
        if (buckets_.size() == buckets_.capacity()) {
          buckets_.reserve(buckets_.size() + 4);
        }
        buckets_.insert(buckets_.begin() + static_cast<std::ptrdiff_t>(at),
                        Bucket{static_cast<uint32_t>(index), 1, value});
        for (int u = t; u < kTierCount; ++u) ++tier_end_[u];
      }
    }
    auto begin = buckets_.begin() + TierBegin(t);
    auto first_kept =
        std::find_if(begin, buckets_.begin() + tier_end_[t],
                     [oldest](const Bucket& b) { return b.index >= oldest; });
    const auto dropped = static_cast<uint16_t>(first_kept - begin);
    if (dropped > 0) {
      buckets_.erase(begin, first_kept);
      for (int u = t; u < kTierCount; ++u) tier_end_[u] -= dropped;
    }
  }
}

WindowTotals WindowedCounter::Totals(int64_t now_ms, unsigned windows) const {
  now_ms = std::max<int64_t>(now_ms, 0);  // keeps now - window from overflowing
  auto tally = [&](unsigned window, int tier, int64_t window_ms) {
    Tally out;
    if ((windows & window) == 0) return out;
    const int64_t width = kTiers[tier].width_ms;
    const size_t end = tier_end_[tier];
    size_t begin = end;  // the buckets in the window: [begin, end)
    double sum = 0;
    double magnitude = 0;
    for (; begin > TierBegin(tier); --begin) {
      const Bucket& bucket = buckets_[begin - 1];
      if ((static_cast<int64_t>(bucket.index) + 1) * width <=
          now_ms - window_ms) {
        break;
      }
      out.count += bucket.count;
      sum += bucket.sum;
      magnitude += std::fabs(bucket.sum);
    }
    if (DoubleSumIsExact(sum, magnitude)) {
      out.sum_value = sum;
    } else {
      AmountSum exact;  // in the same order, so a fallback to doubles agrees
      for (size_t i = end; i > begin; --i) exact.Add(buckets_[i - 1].sum);
      out.sum_value = exact.value();
    }
    return out;
  };
  WindowTotals totals;
  totals.last_1h = tally(k1h, 0, kHourMs);
  totals.last_24h = tally(k24h, 1, kDayMs);
  totals.last_7d = tally(k7d, 2, 7 * kDayMs);
  totals.last_30d = tally(k30d, 3, 30 * kDayMs);
  totals.last_90d = tally(k90d, 3, 90 * kDayMs);
  totals.all_time.count = total_count_;
  totals.all_time.sum_value = total_sum_;
  return totals;
}

size_t WindowedCounter::TierBegin(int tier) const {
  return tier == 0 ? 0 : tier_end_[tier - 1];
}

size_t WindowedCounter::HeapBytes() const {
  return buckets_.capacity() * sizeof(Bucket);
}

// Layout: total_count; when non-zero: newest_ms, the kind and amount of
// total_sum, then per tier a bucket count and the buckets (index as a gap from
// the previous one, count<<2 | amount kind, the amount unless zero: most
// events carry no value, so most buckets cost two or three bytes).
void WindowedCounter::Encode(ProfileWriter* out) const {
  out->PutVarint(total_count_);
  if (total_count_ == 0) return;
  out->PutSigned(newest_ms_);
  int64_t cents = 0;
  AmountKind kind = KindOf(total_sum_, &cents);
  out->PutVarint(kind);
  PutAmount(out, kind, cents, total_sum_);
  for (int t = 0; t < kTierCount; ++t) {
    out->PutVarint(tier_end_[t] - TierBegin(t));
    uint32_t previous = 0;
    for (size_t i = TierBegin(t); i < tier_end_[t]; ++i) {
      const Bucket& b = buckets_[i];
      out->PutVarint(i == TierBegin(t) ? b.index : b.index - previous - 1);
      previous = b.index;
      kind = KindOf(b.sum, &cents);
      out->PutVarint((static_cast<uint64_t>(b.count) << 2) | kind);
      PutAmount(out, kind, cents, b.sum);
    }
  }
}

bool WindowedCounter::Decode(ProfileReader* in) {
  if (!in->ReadVarint(&total_count_, "counter total")) return false;
  if (total_count_ == 0) return true;
  if (!in->ReadSigned(&newest_ms_, "counter newest time")) return false;
  if (newest_ms_ < 0 || newest_ms_ > Profile::kMaxTimestampMs) {
    return in->Fail("counter newest time " + IntegerText(newest_ms_) +
                    " is out of range");
  }
  uint64_t kind;
  if (!in->ReadBounded(kDouble, &kind, "amount kind") ||
      !ReadAmount(in, kind, &total_sum_)) {
    return false;
  }
  for (int t = 0; t < kTierCount; ++t) {
    const TierSpec& spec = kTiers[t];
    const int64_t oldest = OldestKeptIndex(spec, newest_ms_);
    const int64_t newest = newest_ms_ / spec.width_ms;
    uint64_t n;
    if (!in->ReadBounded(MaxBuckets(spec), &n, "bucket count")) return false;
    buckets_.reserve(buckets_.size() + static_cast<size_t>(n));
    uint64_t counted = 0;
    int64_t index = -1;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t gap, count_and_kind;
      if (!in->ReadBounded(static_cast<uint64_t>(newest), &gap, "bucket gap") ||
          !in->ReadBounded(
              uint64_t{std::numeric_limits<uint32_t>::max()} << 2 | 3,
              &count_and_kind, "bucket count")) {
        return false;
      }
      index = i == 0 ? static_cast<int64_t>(gap)
                     : index + 1 + static_cast<int64_t>(gap);
      if (index < oldest || index > newest) {
        return in->Fail("bucket " + IntegerText(index) +
                        " lies outside its tier's span");
      }
      Bucket b{static_cast<uint32_t>(index),
               static_cast<uint32_t>(count_and_kind >> 2), 0};
      if (b.count == 0) return in->Fail("empty bucket stored");
      if ((count_and_kind & 3) > kDouble)
        return in->Fail("unknown amount kind");
      if (!ReadAmount(in, count_and_kind & 3, &b.sum)) return false;
      counted += b.count;
      buckets_.push_back(b);
    }
    tier_end_[t] = static_cast<uint16_t>(buckets_.size());
    if (counted > total_count_) {
      return in->Fail("buckets hold more events than the counter's total");
    }
  }
  return true;
}

}  // namespace tessera
