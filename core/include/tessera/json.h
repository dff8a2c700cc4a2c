// tessera::Value: the JSON document model shared by every part of the core.
//
// Why our own: the whole browser SDK has a 50 KB gzip budget and
// nlohmann/json's parser and serializer alone cost about 43 KB of it in the
// wasm build. This is a small DOM with exactly the semantics the core needs:
//  - numbers are IEEE doubles, like JavaScript's;
//  - objects keep insertion order (JavaScript's for non-index keys), and a
//    duplicate key in parsed text keeps the last value, like JSON.parse;
//  - Dump() writes what JavaScript's JSON.stringify writes for the same value
//    (shortest round-trip numbers, the same escapes), so documents compare
//    equal across C++ and JS by their text.
// Parsing never throws or crashes: malformed text, invalid UTF-8, nesting past
// the depth limit or input past the size limit give an InvalidArgument/
// OutOfRange status naming the byte offset. A Value owns its children; it is a
// regular value type (copyable, movable) with no shared state.
#ifndef TESSERA_JSON_H_
#define TESSERA_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/status.h"

namespace tessera {

class Value;
struct Member;
using Array = std::vector<Value>;
using Object = std::vector<Member>;

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  Value() {}  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(double d) : type_(Type::kNumber), number_(d) {}
  Value(int i) : Value(static_cast<double>(i)) {}
  Value(unsigned i) : Value(static_cast<double>(i)) {}
  Value(int64_t i) : Value(static_cast<double>(i)) {}
  Value(uint64_t i) : Value(static_cast<double>(i)) {}
  Value(const char* s) : type_(Type::kString), string_(s) {}
  Value(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), string_(s) {}
  Value(Array a) : type_(Type::kArray), array_(std::move(a)) {}
  Value(Object o) : type_(Type::kObject), object_(std::move(o)) {}

  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value();

  static Value MakeArray() { return Value(Array{}); }
  static Value MakeObject() { return Value(Object{}); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors. The typed ones require the matching type (checked with
  // is_*() first); the *_or ones return the fallback on a type mismatch.
  bool as_bool() const { return Checked(Type::kBool).bool_; }
  double as_number() const { return Checked(Type::kNumber).number_; }
  const std::string& as_string() const {
    return Checked(Type::kString).string_;
  }
  const Array& as_array() const { return Checked(Type::kArray).array_; }
  Array& as_array() { return const_cast<Array&>(Checked(Type::kArray).array_); }
  const Object& as_object() const { return Checked(Type::kObject).object_; }
  Object& as_object() {
    return const_cast<Object&>(Checked(Type::kObject).object_);
  }
  // Makes this the number `d`; in place when it already is a number (the
  // decision path rewrites many numbers).
  void set_number(double d) {
    if (type_ != Type::kNumber) *this = Value(d);
    number_ = d;
  }
  bool bool_or(bool fallback) const;
  double number_or(double fallback) const;
  std::string string_or(std::string_view fallback) const;

  // Object member lookup; nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Dotted path lookup ("event.page_view.count_24h"), descending through
  // objects only, as GrowthBook's getPath does. nullptr when any step misses.
  const Value* find_path(std::string_view dotted_path) const;
  // Sets (replacing in place, or appending) an object member. Turns a null
  // into an empty object first; a no-op on other non-object types.
  Value& set(std::string key, Value value);
  // The same for a fixed key (most callers): the key string is built here
  // rather than at every call site.
  Value& set(const char* key, Value value);
  // Removes an object member; returns whether it existed.
  bool erase(std::string_view key);
  // Appends to an array. Turns a null into an empty array first.
  Value& push_back(Value value);
  // Number of array elements or object members; 0 otherwise.
  size_t size() const;

  // JSON.stringify-compatible compact text.
  std::string Dump() const;
  // Structural equality: objects compare as key sets (order-insensitive),
  // numbers by value (so NaN != NaN), arrays element-wise.
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  // The typed accessors' check. Natively a misuse throws (std::logic_error,
  // as std::get's std::bad_variant_access did). The browser's release build
  // has no exceptions, so the check could only abort, and it was a
  // measurable part of every attribute read on the decision path: there the
  // caller's is_*() test (which the accessors require) is the only check.
  const Value& Checked(Type expected) const {
#if !(defined(__EMSCRIPTEN__) && defined(NDEBUG))
    if (type_ != expected) ThrowWrongType();
#else
    (void)expected;
#endif
    return *this;
  }
  [[noreturn]] static void ThrowWrongType();
  // Leaves this null, releasing what a string, array or object held.
  void Reset();
  // Makes this (null) hold `other`'s value: copied from an lvalue, moved
  // from an rvalue, as std::variant's move did (`other` keeps its type, an
  // emptied string or container).
  template <typename Source>
  void ConstructFrom(Source&& other);

  // A tagged union rather than std::variant: the same size, with one
  // out-of-line copy, move and destruction instead of the variant's visitor
  // tables and per-alternative dispatch functions (-0.9 KB gzip of wasm).
  Type type_ = Type::kNull;
  union {
    bool bool_;
    double number_;
    std::string string_;
    Array array_;
    Object object_;
  };
};

struct Member {
  std::string key;
  Value value;
};

struct JsonParseOptions {
  size_t max_depth = 64;               // nested arrays/objects beyond this fail
  size_t max_bytes = 4 * 1024 * 1024;  // longer input fails before parsing
};

// The number of bytes `value.Dump()` writes, counted without building the
// text (no allocation, except for numbers that are neither whole nor short
// decimals such as 74.5 or 0.25: those are formatted to be counted).
size_t JsonLength(const Value& value);

// JavaScript truthiness of the value (`!!value`): null, false, 0, NaN and ""
// are falsy; every array and object is truthy.
bool IsJsTruthy(const Value& value);

// Parses one JSON text (RFC 8259; surrounding whitespace allowed).
Result<Value> ParseJson(std::string_view text,
                        const JsonParseOptions& options = {});

// Writers for JSON text built without a Value tree, byte for byte what
// Dump() writes: `s` quoted and escaped as JSON.stringify escapes it (`s`
// is assumed valid UTF-8, as every string in a Value is), and a number as
// JSON.stringify writes it (non-finite ones as null).
void AppendJsonString(std::string_view s, std::string* out);
void AppendJsonNumber(double d, std::string* out);

// Formats a double exactly as JavaScript's Number.prototype.toString does
// ("1", "0.1", "1e+21", "1.5e-7"; NaN and infinities as "NaN"/"Infinity").
std::string FormatJsNumber(double d);

// An integer in decimal, exact over the whole range of its type, like
// std::to_string; one small formatter instead of std::to_string's per-type
// copies keeps the browser build small.
std::string SignedMagnitudeText(uint64_t magnitude, bool negative);
template <typename Integer>
std::string IntegerText(Integer n) {
  static_assert(std::is_integral_v<Integer>, "IntegerText takes integers");
  if constexpr (std::is_signed_v<Integer>) {
    // 0 - n in unsigned arithmetic: exact even for the type's minimum.
    return n < 0 ? SignedMagnitudeText(0 - static_cast<uint64_t>(n), true)
                 : SignedMagnitudeText(static_cast<uint64_t>(n), false);
  } else {
    return SignedMagnitudeText(n, false);
  }
}

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, <=
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The length of the longest prefix of `text` free of '"', '\\' and control
// characters (< 0x20): the bytes a JSON string holds as they are. Scans
// eight bytes at a time, since such runs are most of any JSON text.
size_t PlainJsonTextLength(std::string_view text);

// Appends the UTF-8 encoding of `code_point` (a scalar value <= U+10FFFF).
void AppendUtf8(uint32_t code_point, std::string* out);

}  // namespace tessera

#endif  // TESSERA_JSON_H_
