// The key of a row of the SQLite `signals` table (its INTEGER PRIMARY KEY):
// the time the signal was received, in milliseconds, times 2^20, plus the
// signal's place among the signals received in that same millisecond.
//
// Rows are therefore stored in receipt-time order: inserts append to the
// table's B-tree, retention deletes the one key range below a cut-off (no
// day index to maintain), and `key / 2^20` (rounded down) is the receipt
// time. Keys stay below 2^63 for times before the year 2248. Private to the
// server's SQLite engine; schema migration 2 (sqlite_store.cpp) makes the
// same keys for existing rows.
#ifndef TESSERA_SERVER_SIGNAL_KEY_H_
#define TESSERA_SERVER_SIGNAL_KEY_H_

#include <cstdint>
#include <limits>

namespace tessera::server {

inline constexpr int64_t kSignalKeysPerMs = int64_t{1} << 20;

// The smallest key of a signal received at `ms`, saturated at the int64
// limits, so that `key < SignalKeyFloor(cutoff)` selects exactly the
// signals received before `cutoff`.
constexpr int64_t SignalKeyFloor(int64_t ms) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (ms > kMax / kSignalKeysPerMs) return kMax;
  if (ms < kMin / kSignalKeysPerMs) return kMin;
  return ms * kSignalKeysPerMs;
}

// The receipt time (milliseconds) a key stands for.
constexpr int64_t SignalKeyTime(int64_t key) {
  int64_t quotient = key / kSignalKeysPerMs;
  return key % kSignalKeysPerMs < 0 ? quotient - 1 : quotient;
}

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SIGNAL_KEY_H_
