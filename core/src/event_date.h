// Dates in events: the event timestamp and properties named *_at / *_date.
//
// One reader for every date so all of them accept the same forms and land in
// the same unit (epoch ms). See tessera/event.h for the accepted forms and
// the supported range.
#ifndef TESSERA_SRC_EVENT_DATE_H_
#define TESSERA_SRC_EVENT_DATE_H_

#include <cstdint>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

// Earliest and latest supported instants. Below 1e11 ms a number would be
// read back as epoch seconds, so an earlier date would not survive a second
// normalization unchanged.
inline constexpr int64_t kEarliestEventDateMs = 100000000000;   // 1973-03-03
inline constexpr int64_t kLatestEventDateMs = 253402300799999;  // 9999-12-31

// `value` as epoch ms. On failure the InvalidArgument message says what was
// wrong without naming the field; the caller prefixes the path.
Result<int64_t> ParseEventDate(const Value& value);

}  // namespace tessera

#endif  // TESSERA_SRC_EVENT_DATE_H_
