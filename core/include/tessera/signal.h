// Signals: the one compact document a browser sends the server per flush.
//
// A signal carries what the server needs for its batch work and nothing
// more: windowed aggregates per event type (never the events themselves),
// segment and cluster memberships, experiment exposures, block impressions
// and clicks, an engagement-hour histogram and coarse context, under a
// pseudonymous visitor id and a snapshot of the visitor's consent. The schema
// is documented field by field in docs/signal.md; docs/examples/signal.json
// is a complete valid example.
//
// Browser side: a SignalAccumulator collects records between flushes in
// bounded memory and Build()s the document; EncodeSignal turns it into JSON
// or CBOR bytes. Server side: DecodeSignal, then ValidateSignal (the schema:
// a failure is the sender's bug, HTTP 400), then CheckSignalConsent (the
// consent rules: a failure is a refusal, HTTP 403); CheckSignal runs both.
// TryAcceptJsonSignal is the same judgement for the common case of a valid
// JSON body, made without building a Value, with the full path behind it.
// The core has no randomness and no clock: the idempotency id and the time
// come from the caller. Nothing here throws; bad input gives a Status or
// Problems naming what was wrong. The accumulator is a plain value type (not
// thread-safe; use one per visitor); the free functions are pure.
#ifndef TESSERA_SIGNAL_H_
#define TESSERA_SIGNAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"
#include "tessera/status.h"
#include "tessera/validation.h"

namespace tessera {

inline constexpr int kSignalVersion = 1;

// What the browser sends in one request: under keepalive fetch's and
// sendBeacon's 64 KiB, with room for another request in flight. A signal
// over it (or over the artifact's smaller cap) goes out in parts.
inline constexpr size_t kMaxSignalRequestBytes = 60 * 1024;

// Caps shared by the accumulator (which never builds past them) and the
// validator (which rejects anything past them).
inline constexpr size_t kMaxSignalBytes = 64 * 1024;  // encoded body
inline constexpr size_t kMaxSignalEventTypes = 64;    // keys of `agg`
inline constexpr size_t kMaxSignalSegments = 64;      // entries of `seg`
inline constexpr size_t kMaxSignalExposures = 32;     // entries of `exp`
inline constexpr size_t kMaxSignalSlots = 32;         // keys of `imp`, `clk`
inline constexpr size_t kMaxSignalVariantsPerSlot = 16;
inline constexpr size_t kMaxSignalPurposes = 16;  // consent.granted
inline constexpr size_t kMaxSignalPolicyBytes = 64;  // consent.policy
inline constexpr int kHoursPerWeek = 168;         // `hours` keys 0..167
inline constexpr int kMaxSignalVariation = 1023;  // exp[].var

// Consent purposes the rules below look for in consent.granted.
inline constexpr std::string_view kAnalyticsPurpose = "analytics";
inline constexpr std::string_view kMarketingPurpose = "marketing";

// What identifies a flush and the visitor's state at flush time.
struct SignalHeader {
  // Idempotency id: 16-64 chars of [A-Za-z0-9_-], random, unique per flush
  // and reused verbatim when that flush is retried.
  std::string id;
  std::string site;  // 1-64 chars of [A-Za-z0-9_.-]
  // The SDK's random anonymous visitor id (16-64 chars of [A-Za-z0-9_-]);
  // never a user id or an email address.
  std::string visitor_id;
  int64_t seq = 0;  // flush sequence number for this visitor, >= 0
  // {"granted": ["necessary", "analytics", ...], "policy": <version: a
  // string of at most 64 bytes, "" when unversioned, or an integer>}
  Value consent;
  std::vector<std::string> segments;  // ids of the matched segments
  std::string cluster;                // nearest centroid's id; empty: omitted
  Value context;  // {"dev": ..., "lang": ..., "page": ...}; null: omitted
  // Whether the server may use this signal for email (needs `marketing`).
  bool marketing = false;
};

// Collects one flush worth of records. Memory is bounded by the caps above:
// a record that would add a distinct event type, experiment exposure, slot
// or variant past its cap is refused with OutOfRange and counted in
// dropped() (sent as `drop`, so the server knows the flush is partial);
// records for entries already present keep counting.
class SignalAccumulator {
 public:
  // Counts one event of type `name` (snake_case, 1-64 chars of [a-z0-9_])
  // with monetary `value` (finite; 0 when none) at `ts_ms`, in the visitor's
  // local `hour_of_week` (0 = Monday 00:00-00:59 ... 167; -1 = unknown,
  // left out of the histogram).
  Status RecordEvent(std::string_view name, double value, int64_t ts_ms,
                     int hour_of_week);
  // The visitor's current rolling counts for `name` from the local profile,
  // sent as agg.<name>.n24h/n7d/n30d for the server's features. Replaces
  // earlier window counts for the same name; does not make empty() false.
  Status RecordWindowCounts(std::string_view name, int64_t count_24h,
                            int64_t count_7d, int64_t count_30d);
  // An experiment exposure; repeats of the same (key, variation) within a
  // flush are kept once. `variant_id` may be empty.
  Status RecordExposure(std::string_view key, int variation_index,
                        std::string_view variant_id);
  // A content block `variant` shown / clicked in `slot`.
  Status RecordImpression(std::string_view slot, std::string_view variant);
  Status RecordClick(std::string_view slot, std::string_view variant);

  // Whether no event, exposure, impression or click was recorded (or
  // dropped) since the last Reset: nothing worth flushing.
  bool empty() const;
  // Records refused by a cap since the last Reset.
  int64_t dropped() const { return dropped_; }

  // The signal document: the header's fields, `from` (earliest event time,
  // or now_ms if earlier or none) and `to` (now_ms), and every non-empty
  // section. Empty sections are left out. Header segments past
  // kMaxSignalSegments, repeated, or not valid labels (and such a cluster)
  // are left out and counted in `drop`, so Build never produces a signal
  // that fails ValidateSignal because of them.
  Value Build(const SignalHeader& header, int64_t now_ms) const;
  // Forgets every record (call after a flush is acknowledged).
  void Reset();

 private:
  struct EventAggregate {
    std::string name;
    int64_t count = 0;
    double sum = 0;
    bool has_windows = false;
    int64_t count_24h = 0, count_7d = 0, count_30d = 0;
  };
  struct Exposure {
    std::string key;
    int variation = 0;
    std::string variant_id;
  };
  struct VariantCount {
    std::string variant;
    int64_t count = 0;
  };
  struct SlotCounts {
    std::string slot;
    std::vector<VariantCount> variants;
  };

  EventAggregate* FindOrAddEvent(std::string_view name);
  Status CountSlotVariant(std::vector<SlotCounts>* slots, std::string_view slot,
                          std::string_view variant);
  Status Drop(const std::string& what);

  std::vector<EventAggregate> events_;
  std::vector<Exposure> exposures_;
  std::vector<SlotCounts> impressions_;
  std::vector<SlotCounts> clicks_;
  std::array<int64_t, kHoursPerWeek> hours_{};
  bool has_activity_ = false;
  bool has_first_ts_ = false;
  int64_t first_ts_ms_ = 0;
  int64_t dropped_ = 0;
};

enum class SignalFormat { kJson, kCbor };

// The body bytes for `signal` (JSON text or CBOR).
std::string EncodeSignal(const Value& signal, SignalFormat format);

// Splits `signal` into signals whose encodings fit in `max_bytes` (a single
// record larger than that travels alone, over it). Records are additive, so
// the parts together count what the signal did; the visitor's memberships,
// cluster, context and dropped count are in the first part only. Each part
// keeps the signal's `id` and `seq`: the caller gives the later parts their
// own.
std::vector<Value> SplitSignal(const Value& signal, SignalFormat format,
                               size_t max_bytes);
// Parses a body: OutOfRange past kMaxSignalBytes, InvalidArgument when
// malformed. Does not validate the schema (see ValidateSignal).
Result<Value> DecodeSignal(std::string_view body, SignalFormat format);

// Every schema problem in `signal` (empty when valid): types, required
// fields, id/vid/site charsets and lengths, non-negative integer counts,
// finite sums, caps, consent snapshot present and well-formed, unknown
// fields at any level, and the privacy guard (no string, key included, may
// look like an email address). The consent RULES are not checked here.
Problems ValidateSignal(const Value& signal);

// The consent rules, for a signal that passed ValidateSignal:
// FailedPrecondition when it carries behavioural data (agg, seg, cl, exp,
// imp, clk, hours) without `analytics` granted, or has `mkt: true` without
// `marketing` granted (or has no usable consent snapshot at all).
Status CheckSignalConsent(const Value& signal);

// ValidateSignal then CheckSignalConsent: InvalidArgument listing every
// schema problem, else the consent status.
Status CheckSignal(const Value& signal);

// The stored form of a signal received as JSON `text` and decoded into
// `parsed`: the text without the whitespace between tokens. As exact as
// re-serializing `parsed` (the decoder accepted the text) and much cheaper,
// since no number is formatted. Only when the text repeats a key (the last
// one wins in the value) do text and value differ; then `parsed` is
// serialized instead.
std::string StoredSignalJson(std::string_view text, const Value& parsed);

// A JSON signal the fast path accepted, as the server stores it.
struct AcceptedSignal {
  std::string site;
  std::string id;     // the idempotency id
  std::string vid;    // the visitor id
  std::string body;   // what StoredSignalJson gives for the body
  int64_t to_ms = 0;  // the end of the period it sums up (its "to")
};

// The ingest fast path for a JSON body, judged without building a Value.
// True when DecodeSignal, ValidateSignal and CheckSignalConsent would all
// accept `body`; then *out holds its site, id, vid and stored form. False
// means "not decided here": the body may be invalid, refused, or valid in a
// form the fast path does not read (string escapes, a repeated key); run
// the full path for the answer and its messages. Never accepts what the
// full path refuses (fuzz/signal_fast_path_fuzz.cpp checks it).
bool TryAcceptJsonSignal(std::string_view body, AcceptedSignal* out);

// Field rules the accumulator and the validator share.
// A site name: 1-64 chars of [A-Za-z0-9_.-]; the server holds API keys and
// CRM imports to the same rule.
bool IsSiteName(std::string_view site);
// An event type: 1-64 chars of [a-z0-9_] (what NormalizeEvent produces).
bool IsSignalEventName(std::string_view name);
// A segment, cluster, slot, variant or experiment id authored in the
// artifact: 1-128 bytes of UTF-8 without control characters and without
// anything shaped like an email address.
bool IsSignalLabel(std::string_view label);

// Whether `text` contains something shaped like an email address
// (local@domain.tld, also with "@" percent-encoded as %40).
bool ContainsEmailAddress(std::string_view text);

}  // namespace tessera

#endif  // TESSERA_SIGNAL_H_
