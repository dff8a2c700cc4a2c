// The stored profile record:
//
//   "TSPR"  magic, 4 bytes
//   varint  format version (1)
//   ...     payload of that version
//   u32 LE  CRC-32 of everything before it
//
// Payload, version 1 (varints throughout; "signed" = zigzag varint; doubles
// are 8 bytes little-endian; strings are a varint length then UTF-8):
//   string anonymous_id, string user_id, string traits (JSON, "" for none)
//   signed utc_offset_minutes
//   varint has_activity (0 or 1); when 1:
//     signed first_seen_ms, signed last_seen_ms, signed session_start_ms
//     varint pages_this_session, counter session_starts
//     varint n, then n x (string name, signed first, signed last, counter)
//     varint n, then n x (string category, double score, signed updated_ms)
//     varint n, then n x (varint hour gap, varint count): non-zero
//            hour-of-week buckets, the gap counted from the previous one + 1
//   ("counter" is WindowedCounter::Encode's layout.)
//
// Future versions add a case to the version switch in Deserialize and keep
// the older readers, so a visitor's stored profile survives an SDK upgrade.
#include <algorithm>
#include <limits>
#include <string>

#include "profile_codec.h"
#include "profile_state.h"
#include "tessera/profile.h"

namespace tessera {
namespace {

constexpr char kMagic[] = {'T', 'S', 'P', 'R'};
constexpr size_t kMagicSize = sizeof kMagic;
constexpr size_t kCrcSize = 4;

bool ReadTimestamp(ProfileReader* in, int64_t* ms, const char* what) {
  if (!in->ReadSigned(ms, what)) return false;
  if (*ms < 0 || *ms > Profile::kMaxTimestampMs) {
    return in->Fail(std::string(what) + " " + IntegerText(*ms) +
                    " is out of range");
  }
  return true;
}

Status Corrupted(const std::string& why) {
  return Status::DataLoss("profile record corrupted: " + why);
}

}  // namespace

// Reads and writes Profile::State (a friend of Profile).
class ProfileCodec {
 public:
  static void EncodeV1(const Profile::State& s, ProfileWriter* out);
  static bool DecodeV1(ProfileReader* in, Profile::State* s);

 private:
  static bool DecodeActivityV1(ProfileReader* in, Profile::State* s);
};

void ProfileCodec::EncodeV1(const Profile::State& s, ProfileWriter* out) {
  out->PutString(s.anonymous_id);
  out->PutString(s.user_id);
  out->PutString(s.traits_json);
  out->PutSigned(s.utc_offset_minutes);
  out->PutVarint(s.has_activity ? 1 : 0);
  if (!s.has_activity) return;
  out->PutSigned(s.first_seen_ms);
  out->PutSigned(s.last_seen_ms);
  out->PutSigned(s.session_start_ms);
  out->PutVarint(s.pages_this_session);
  s.session_starts.Encode(out);
  out->PutVarint(s.event_types.size());
  for (const EventTypeEntry& e : s.event_types) {
    out->PutString(e.name);
    out->PutSigned(e.first_seen_ms);
    out->PutSigned(e.last_seen_ms);
    e.counter.Encode(out);
  }
  out->PutVarint(s.affinities.size());
  for (const AffinityEntry& a : s.affinities) {
    out->PutString(a.category);
    out->PutDouble(a.score);
    out->PutSigned(a.updated_ms);
  }
  size_t nonzero = 0;
  for (uint32_t c : s.hour_of_week) nonzero += c != 0;
  out->PutVarint(nonzero);
  size_t next = 0;
  for (size_t h = 0; h < s.hour_of_week.size(); ++h) {
    if (s.hour_of_week[h] == 0) continue;
    out->PutVarint(h - next);
    out->PutVarint(s.hour_of_week[h]);
    next = h + 1;
  }
}

bool ProfileCodec::DecodeV1(ProfileReader* in, Profile::State* s) {
  std::string traits_text;
  if (!in->ReadString(Profile::kMaxIdBytes, &s->anonymous_id, "anonymous id") ||
      !in->ReadString(Profile::kMaxIdBytes, &s->user_id, "user id") ||
      !in->ReadString(Profile::kMaxTraitsBytes, &traits_text, "traits")) {
    return false;
  }
  if (!traits_text.empty()) {
    Result<Value> traits = ParseJson(traits_text);
    if (!traits.ok()) {
      return in->Fail("traits are not valid JSON: " +
                      traits.status().message());
    }
    if (!traits->is_object()) return in->Fail("traits are not an object");
    s->traits = std::move(traits).value();
    s->traits_json = s->traits.Dump();
  }
  int64_t offset;
  if (!in->ReadSigned(&offset, "utc offset")) return false;
  if (offset < -Profile::kMaxUtcOffsetMinutes ||
      offset > Profile::kMaxUtcOffsetMinutes) {
    return in->Fail("utc offset " + IntegerText(offset) + " is out of range");
  }
  s->utc_offset_minutes = static_cast<int>(offset);
  uint64_t has_activity;
  if (!in->ReadBounded(1, &has_activity, "activity flag")) return false;
  s->has_activity = has_activity == 1;
  return !s->has_activity || DecodeActivityV1(in, s);
}

bool ProfileCodec::DecodeActivityV1(ProfileReader* in, Profile::State* s) {
  if (!ReadTimestamp(in, &s->first_seen_ms, "first seen") ||
      !ReadTimestamp(in, &s->last_seen_ms, "last seen") ||
      !ReadTimestamp(in, &s->session_start_ms, "session start") ||
      !in->ReadVarint(&s->pages_this_session, "pages this session") ||
      !s->session_starts.Decode(in)) {
    return false;
  }
  if (s->first_seen_ms > s->last_seen_ms ||
      s->session_start_ms < s->first_seen_ms ||
      s->session_start_ms > s->last_seen_ms) {
    return in->Fail("first seen, session start and last seen are out of order");
  }
  if (s->session_starts.empty()) return in->Fail("activity without a session");

  uint64_t n;
  if (!in->ReadBounded(Profile::kMaxEventTypes, &n, "event type count")) {
    return false;
  }
  s->event_types.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < s->event_types.size(); ++i) {
    EventTypeEntry& e = s->event_types[i];
    if (!in->ReadString(Profile::kMaxNameBytes, &e.name, "event type name") ||
        !ReadTimestamp(in, &e.first_seen_ms, "event first seen") ||
        !ReadTimestamp(in, &e.last_seen_ms, "event last seen") ||
        !e.counter.Decode(in)) {
      return false;
    }
    if (e.name.empty()) return in->Fail("empty event type name");
    for (size_t j = 0; j < i; ++j) {
      if (s->event_types[j].name == e.name) {
        return in->Fail("event type '" + e.name + "' stored twice");
      }
    }
    if (e.counter.empty())
      return in->Fail("event type '" + e.name + "' has no events");
    if (e.first_seen_ms > e.last_seen_ms ||
        e.first_seen_ms < s->first_seen_ms ||
        e.last_seen_ms > s->last_seen_ms) {
      return in->Fail("event type '" + e.name +
                      "' first/last seen out of order");
    }
  }

  if (!in->ReadBounded(Profile::kAffinityCapacity, &n, "affinity count")) {
    return false;
  }
  s->affinities.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < s->affinities.size(); ++i) {
    AffinityEntry& a = s->affinities[i];
    if (!in->ReadString(Profile::kMaxNameBytes, &a.category, "category") ||
        !in->ReadFiniteDouble(&a.score, "affinity score") ||
        !ReadTimestamp(in, &a.updated_ms, "affinity time")) {
      return false;
    }
    if (a.category.empty()) return in->Fail("empty category");
    if (!(a.score > 0)) return in->Fail("affinity score is not positive");
    for (size_t j = 0; j < i; ++j) {
      if (s->affinities[j].category == a.category) {
        return in->Fail("category '" + a.category + "' stored twice");
      }
    }
  }

  if (!in->ReadBounded(Profile::kHoursPerWeek, &n, "hour-of-week count")) {
    return false;
  }
  uint64_t hour = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t gap, count;
    if (!in->ReadBounded(Profile::kHoursPerWeek, &gap, "hour gap") ||
        !in->ReadBounded(std::numeric_limits<uint32_t>::max(), &count,
                         "hour count")) {
      return false;
    }
    hour += gap;
    if (hour >= Profile::kHoursPerWeek)
      return in->Fail("hour of week past 167");
    if (count == 0) return in->Fail("empty hour-of-week bucket stored");
    s->hour_of_week[hour] = static_cast<uint32_t>(count);
    ++hour;
  }
  return true;
}

std::string Profile::Serialize() const {
  // A few bytes per stored bucket (most carry no amount) plus names, ids
  // and traits: usually a little more than needed, so no regrowth.
  size_t expected = 512 + state_->traits_json.size() +
                    4 * state_->session_starts.bucket_count();
  for (const EventTypeEntry& e : state_->event_types) {
    expected += 80 + 4 * e.counter.bucket_count();
  }
  std::string bytes;
  {
    ProfileWriter out(&bytes, expected);
    out.PutRaw(std::string_view(kMagic, kMagicSize));
    out.PutVarint(kFormatVersion);
    ProfileCodec::EncodeV1(*state_, &out);
    out.PutFixed32(ProfileCrc32(out.written()));
  }
  return bytes;
}

Result<Profile> Profile::Deserialize(std::string_view bytes) {
  if (bytes.size() > kMaxSerializedBytes) {
    return Status::DataLoss("profile record is " + IntegerText(bytes.size()) +
                            " bytes, more than the " +
                            IntegerText(kMaxSerializedBytes) + " limit");
  }
  if (bytes.size() < kMagicSize + 1 + kCrcSize) {
    return Status::DataLoss(
        "profile record truncated: " + IntegerText(bytes.size()) +
        " bytes is shorter than any valid record");
  }
  if (bytes.substr(0, kMagicSize) != std::string_view(kMagic, kMagicSize)) {
    return Status::DataLoss("not a profile record: bad magic bytes");
  }
  const std::string_view sealed = bytes.substr(0, bytes.size() - kCrcSize);
  uint32_t stored = 0;
  for (size_t i = 0; i < kCrcSize; ++i) {
    stored |=
        static_cast<uint32_t>(static_cast<uint8_t>(bytes[sealed.size() + i]))
        << (8 * i);
  }
  if (stored != ProfileCrc32(sealed)) {
    return Corrupted("checksum mismatch (truncated or altered bytes)");
  }

  ProfileReader in(sealed.substr(kMagicSize));
  uint64_t version;
  if (!in.ReadVarint(&version, "format version")) return Corrupted(in.error());
  Profile profile;
  switch (version) {
    case 1:
      ProfileCodec::DecodeV1(&in, profile.state_.get());
      break;
    default:
      if (version == 0) return Corrupted("format version 0 does not exist");
      return Status::Unsupported("profile format version " +
                                 IntegerText(version) +
                                 " is newer than this build reads (up to " +
                                 IntegerText(kFormatVersion) + ")");
  }
  if (!in.ok()) return Corrupted(in.error());
  if (in.remaining() != 0) {
    return Corrupted(IntegerText(in.remaining()) +
                     " unexpected bytes after the payload");
  }
  return profile;
}

}  // namespace tessera
