// CBOR (RFC 8949) for the JSON data model: a compact binary twin of JSON that
// the signal transport can use instead of text.
//
// Only what JSON can represent crosses this boundary, so a document survives
// JSON -> CBOR -> JSON unchanged:
//  - EncodeCbor writes definite lengths only, keeps object member order,
//    writes integral numbers within +-2^53 as CBOR integers and every other
//    number as the shortest IEEE float (16, 32 or 64 bit) that holds it
//    exactly. -0 is written as a float so its sign survives. NaN and the
//    infinities (which a Value can hold but JSON cannot) are written as the
//    canonical float16 NaN/Infinity; DecodeCbor rejects them. Strings are
//    written byte for byte: a string that is not UTF-8 yields CBOR that
//    DecodeCbor rejects.
//  - DecodeCbor accepts maps with text-string keys, arrays, text strings,
//    integers, floats, true/false/null, and both definite and indefinite
//    lengths. `undefined` becomes null; the self-describe tag 55799 is
//    skipped wherever it appears. Everything else is refused with an error
//    that names it: byte strings (JSON has no binary type), any other tag,
//    other simple values, non-text map keys, duplicate map keys, invalid
//    UTF-8, NaN/Infinity, trailing bytes after the top-level item.
// Decoding never crashes or over-allocates on hostile input: every declared
// length is checked against the bytes that remain before anything is
// reserved, and depth, size and item-count limits apply (CborDecodeOptions).
// Failures are InvalidArgument (malformed or outside the JSON model) or
// OutOfRange (a limit), and the message names the byte offset. Both functions
// are pure: no shared state, safe to call from any thread.
#ifndef TESSERA_CBOR_H_
#define TESSERA_CBOR_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

struct CborDecodeOptions {
  size_t max_depth = 64;               // nested arrays/maps beyond this fail
  size_t max_bytes = 4 * 1024 * 1024;  // longer input fails before decoding
  size_t max_items = 1024 * 1024;      // data items in total (keys included)
};

// The CBOR encoding of `value` (never fails; see above for NaN/Infinity).
std::string EncodeCbor(const Value& value);

// Decodes exactly one CBOR data item occupying all of `bytes`.
Result<Value> DecodeCbor(std::string_view bytes,
                         const CborDecodeOptions& options = {});

}  // namespace tessera

#endif  // TESSERA_CBOR_H_
