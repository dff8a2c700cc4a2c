// JavaScript value semantics, as far as GrowthBook's evalCondition relies on
// them, over tessera::Value.
//
// GrowthBook's conditions are plain JavaScript: `value + ""`, `value * 1`,
// `a < b`, `JSON.stringify(a) === JSON.stringify(b)`, `key in object`. Matching
// its answers means reproducing those coercions exactly, including the
// non-JSON things a dotted path can reach in JavaScript: an array's `length`,
// an inherited method such as `toString`, or a prototype object via
// `__proto__` (names as in Node 20's V8). JsValue is a non-owning view of such
// a value; it never outlives the Values it points into.
#ifndef TESSERA_SRC_CONDITION_JS_VALUE_H_
#define TESSERA_SRC_CONDITION_JS_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/json.h"

namespace tessera {
namespace condition_internal {

struct JsValue {
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kNumber,
    kString,
    kArray,     // includes Array.prototype (an empty array in every respect)
    kObject,    // includes Object.prototype
    kFunction,  // a built-in method reached through the prototype chain
  };
  enum class Proto : uint8_t { kNone, kObjectPrototype, kArrayPrototype };

  Kind kind = Kind::kNull;
  Proto proto = Proto::kNone;
  bool boolean = false;
  double number = 0;
  const Value* value = nullptr;         // kString, kArray, kObject
  const char* function_name = nullptr;  // kFunction: "toString", "Object", ...

  static JsValue Null() { return JsValue(); }
  static JsValue Number(double d) {
    JsValue v;
    v.kind = Kind::kNumber;
    v.number = d;
    return v;
  }
  static JsValue Of(const Value& value);

  bool is_null() const { return kind == Kind::kNull; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  std::string_view string() const { return value->as_string(); }
  size_t array_size() const { return value->as_array().size(); }
  const Value& element(size_t i) const { return value->as_array()[i]; }
};

// A property key with its array-index reading precomputed.
struct PropertyKey {
  std::string_view name;
  bool is_index = false;  // a canonical array index ("0", "17"; not "01")
  uint32_t index = 0;
  // Whether the name is inherited by some object or array ("length",
  // "toString", "__proto__", ...); most attribute names are not, which spares
  // the lookup of the prototype tables.
  bool maybe_inherited = true;
};
PropertyKey MakePropertyKey(std::string_view name);

// `key in holder ? holder[key] : <absent>` for an object-typed holder (array
// or object, prototypes included). False when the key is absent or the
// holder is not an object (JavaScript's `typeof holder === "object"` test).
bool GetProperty(const JsValue& holder, const PropertyKey& key, JsValue* out);

// The own enumerable property `key` of a JSON object, nullptr when absent.
const Value* FindOwn(const Value& object, std::string_view key);

// JavaScript truthiness (`!!v`).
bool Truthy(const JsValue& v);

// Whether converting `v` to a primitive (`v + ""`, `v * 1`, `v < x`,
// String(v)) throws a TypeError in JavaScript: an object whose own "toString"
// key shadows the inherited method has no usable conversion, and an array
// joins its elements, so one such object inside it throws too. Callers check
// this before the conversions below, which assume it is false.
bool ToPrimitiveThrows(const JsValue& v);

// ToString(v), i.e. `v + ""` for everything JSON can hold, appended to *out.
void AppendJsString(const JsValue& v, std::string* out);
std::string JsString(const JsValue& v);
// ToString(v) === text, without allocating for primitives.
bool JsStringEquals(const JsValue& v, std::string_view text);

// ToNumber(v), i.e. `v * 1`.
double JsNumber(const JsValue& v);
// StringToNumber: the JavaScript grammar (whitespace trimmed, "" is 0, hex,
// octal and binary literals, "Infinity"); NaN when the text is not a number.
double JsStringToNumber(std::string_view text);

// `a === b` where b comes from JSON; objects are never identical.
bool StrictEquals(const JsValue& a, const Value& b);

// The abstract relational comparison behind `<`, `<=`, `>`, `>=`.
enum class Comparison { kLess, kEqual, kGreater, kUnordered };
Comparison JsCompare(const JsValue& a, const JsValue& b);
bool JsLess(const JsValue& a, const JsValue& b);
bool JsLessOrEqual(const JsValue& a, const JsValue& b);

// Orders two UTF-8 strings as JavaScript orders their UTF-16 forms.
int CompareUtf16(std::string_view a, std::string_view b);

// JSON.stringify(a) === JSON.stringify(b) where b is a JSON array or object.
bool StringifyEquals(const JsValue& a, const Value& b);

// String.prototype.toLowerCase equality (`a.toLowerCase() === b.toLowerCase()`)
// over all of Unicode (lower_case_table.h), U+0130 to "i" U+0307 included,
// and the final-sigma rule with approximated Cased/Case_Ignorable sets.
bool LowerCaseEquals(std::string_view a, std::string_view b);
void AppendLowerCase(std::string_view text, std::string* out);

// GrowthBook's getType: "null", "array", "string", "number", "boolean",
// "object" or "unknown" (a function). Never "undefined": getPath yields null
// for a missing attribute.
const char* TypeName(const JsValue& v);

// A JavaScript property key for a JSON value (ToPropertyKey): strings as they
// are, everything else through ToString.
std::string PropertyKeyText(const Value& v);

}  // namespace condition_internal
}  // namespace tessera

#endif  // TESSERA_SRC_CONDITION_JS_VALUE_H_
