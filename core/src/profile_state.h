// The data behind tessera::Profile, shared by its behaviour (profile.cpp)
// and its storage format (profile_serialization.cpp). Invariants the
// serializer relies on and the reader re-checks:
//  - without activity, everything but identity is empty;
//  - event type names are unique, non-empty, at most kMaxNameBytes;
//  - every stored type's counter is non-empty and first <= last seen;
//  - affinity categories are unique with a positive, finite score.
#ifndef TESSERA_SRC_PROFILE_STATE_H_
#define TESSERA_SRC_PROFILE_STATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/json.h"
#include "tessera/profile.h"
#include "windowed_counter.h"

namespace tessera {

struct EventTypeEntry {
  std::string name;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  WindowedCounter counter;
};

struct AffinityEntry {
  std::string category;
  double score = 0;        // decayed weight as of updated_ms
  int64_t updated_ms = 0;  // the time `score` refers to
};

struct Profile::State {
  std::string anonymous_id;
  std::string user_id;
  Value traits;  // object or null
  // traits as the stored JSON text ("" for null): traits change only with
  // identify, while the profile is saved after every event.
  std::string traits_json;
  int utc_offset_minutes = 0;

  bool has_activity = false;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;  // also the session's last activity
  int64_t session_start_ms = 0;
  uint64_t pages_this_session = 0;
  WindowedCounter session_starts;
  std::vector<EventTypeEntry> event_types;  // in first-recorded order
  std::vector<AffinityEntry> affinities;    // unordered, <= kAffinityCapacity
  std::array<uint32_t, Profile::kHoursPerWeek> hour_of_week{};
};

}  // namespace tessera

#endif  // TESSERA_SRC_PROFILE_STATE_H_
