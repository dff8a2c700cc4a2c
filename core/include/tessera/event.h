// Events: what a site tracks (page views, add to cart, purchases, form
// submits, video plays, and custom events), validated and normalized before
// anything records them.
//
// NormalizeEvent is the single gate every event passes: it returns either a
// clean Event or an InvalidArgument status whose message names the event, the
// offending field and what was wrong, e.g.
//   event "purchase_complete": properties.currency: must be a 3-letter
//   ISO 4217 code, got "dollars"
// It reports the first problem found, never crashes on any input, and is
// idempotent: normalizing a normalized event gives the same event.
//
// Normalization rules:
//  - name: converted to snake_case ("Add To Cart", "addToCart",
//    "add-to-cart" -> "add_to_cart"; runs of spaces, '-', '.' and '_' become
//    one '_'; leading and trailing ones are dropped), then it must match
//    [a-z][a-z0-9_]* and be at most EventLimits::max_name_length bytes.
//  - numeric fields (top-level value, price, quantity, revenue, total;
//    items[].price, items[].quantity; for video_played also duration and
//    percent): numeric strings ("12.50", " 3 ") become numbers; any other
//    string or type is an error.
//  - dates (the timestamp argument, and every property at any depth whose key
//    ends in "_at" or "_date"): ISO-8601 strings ("2024-03-01",
//    "2024-03-01T12:30:00Z", "2024-03-01T12:30:00.250+02:00"; a date-time
//    without an offset is read as UTC, since the core has no time zone) and
//    epoch numbers or digit strings (< 1e11 means seconds, else ms) become
//    epoch ms. Dates must lie in [1973-03-03T09:46:40Z, 9999-12-31]: earlier
//    epoch values cannot be told apart from epoch seconds, and rejecting them
//    keeps normalization idempotent.
//  - category labels (top-level category, each of categories[], and
//    items[].category): trimmed and lower-cased (ASCII letters only; other
//    bytes are kept as they are); blank labels are errors.
//  - standard events check the fields they define; extra fields are allowed
//    on every event (e.g. a category on a page_view):
//      purchase_complete: value (required, >= 0), currency (required, three
//        ASCII letters, upper-cased), items (optional array of objects);
//      add_to_cart, remove_from_cart: items (array of objects), value,
//        quantity (numbers >= 0), currency (as above) if present;
//      page_view: url, path, title, referrer are strings;
//      video_played: video_id a non-empty string, duration >= 0,
//        percent in [0, 100].
//    In the commerce events item prices and quantities must be >= 0.
//  - limits (EventLimits): top-level key count, nesting depth, bytes of any
//    one string or key, bytes of the serialized properties. Every number must
//    be finite (NaN and infinities can come from the JS API), every string and
//    key valid UTF-8, keys non-empty and unique within their object.
//
// Thread-safety: pure functions over values; safe to call concurrently.
#ifndef TESSERA_EVENT_H_
#define TESSERA_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

// Standard event names.
inline constexpr std::string_view kPageView = "page_view";
inline constexpr std::string_view kAddToCart = "add_to_cart";
inline constexpr std::string_view kRemoveFromCart = "remove_from_cart";
inline constexpr std::string_view kPurchaseComplete = "purchase_complete";
inline constexpr std::string_view kFormSubmit = "form_submit";
inline constexpr std::string_view kVideoPlayed = "video_played";

struct Event {
  std::string name;          // normalized snake_case
  int64_t timestamp_ms = 0;  // epoch ms
  Value properties;          // an object (possibly empty); numbers finite
  // The event's monetary value: properties.value when it is a number, else 0.
  double value() const;
};

struct EventLimits {
  size_t max_name_length = 64;         // bytes of the normalized name
  size_t max_properties = 64;          // top-level keys
  size_t max_depth = 4;                // objects/arrays nested in properties:
                                       // properties.items[0] is at depth 2
  size_t max_string_bytes = 1024;      // any one string value or key
  size_t max_total_bytes = 16 * 1024;  // properties serialized (Dump())
  // An explicit timestamp after now: up to this far ahead it is taken as
  // now (the page's clock and whoever dated the event disagree); further
  // ahead it is refused, since a future event would sit in every window of
  // the profile until its date came.
  int64_t max_future_ms = 24 * 3600 * 1000;
};

// Builds an Event from raw input. `properties` must be an object or null (an
// empty object). `timestamp` may be null (then `now_ms` is used), a number
// (epoch seconds if < 1e11, else ms) or an ISO-8601 string; a date after
// `now_ms` becomes `now_ms` within limits.max_future_ms and is refused
// beyond it.
Result<Event> NormalizeEvent(std::string_view name, const Value& properties,
                             const Value& timestamp, int64_t now_ms,
                             const EventLimits& limits = {});

// The name rule of NormalizeEvent on its own, for callers that look events up
// by name (e.g. "Add To Cart" -> "add_to_cart").
Result<std::string> NormalizeEventName(std::string_view name,
                                       const EventLimits& limits = {});

}  // namespace tessera

#endif  // TESSERA_EVENT_H_
