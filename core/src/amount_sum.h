// Sums of money amounts (event values are mostly prices) that are exact in
// whole cents, for the profile's windows and the signals' event sums.
#ifndef TESSERA_SRC_AMOUNT_SUM_H_
#define TESSERA_SRC_AMOUNT_SUM_H_

#include <cmath>
#include <cstdint>
#include <limits>

namespace tessera {

inline constexpr int64_t kMaxCents = int64_t{1} << 40;

// Whether `amount` is a whole number of cents (at most kMaxCents of them).
// Rounds by conversion rather than std::nearbyint, a libm call natively:
// this runs for every bucket a decision tallies.
inline bool WholeCents(double amount, int64_t* cents) {
  const double scaled = amount * 100;
  if (!(std::fabs(scaled) <= static_cast<double>(kMaxCents))) return false;
  *cents = static_cast<int64_t>(scaled + (scaled < 0 ? -0.5 : 0.5));
  return static_cast<double>(*cents) / 100 == amount;
}

// Adds finite amounts the way a till does: whole cents as integers, so that
// sums of prices are exact (as doubles, 0.01 + 2.09 is 2.0999999999999996,
// which a rule "sum_value_24h >= 2.1" misses and a template prints). Once an
// amount is not whole cents, the sum is the doubles', saturating at the
// largest double as counts saturate: an infinite sum (or the NaN a refund
// would make of it) could not be stored, and the profile would fail to load.
class AmountSum {
 public:
  void Add(double amount) {
    if (amount == 0) return;  // most events carry no value
    int64_t cents = 0;
    whole_cents_ = whole_cents_ && WholeCents(amount, &cents);
    if (whole_cents_) cents_ += cents;
    sum_ += amount;
  }
  double value() const {
    if (whole_cents_) return static_cast<double>(cents_) / 100;
    if (std::isfinite(sum_)) return sum_;
    return std::copysign(std::numeric_limits<double>::max(), sum_);
  }

 private:
  int64_t cents_ = 0;  // at most a few hundred amounts of 2^40 cents each
  double sum_ = 0;
  bool whole_cents_ = true;
};

inline double AddAmounts(double sum, double value) {
  AmountSum total;
  total.Add(sum);
  total.Add(value);
  return total.value();
}

// Whether the doubles' sum of some amounts is what AmountSum gives, so a
// decision's tallies can skip its test of every bucket. When the amounts are
// not all whole cents, AmountSum's answer is that very sum. When they are,
// the sum's rounding error stays below a hundredth of a cent while the
// amounts' magnitudes add up to under 2^33, so a sum that lands on whole
// cents has landed on the exact one.
inline bool DoubleSumIsExact(double sum, double magnitude) {
  int64_t cents = 0;
  return magnitude == 0 || (magnitude < 0x1p33 && WholeCents(sum, &cents));
}

}  // namespace tessera

#endif  // TESSERA_SRC_AMOUNT_SUM_H_
