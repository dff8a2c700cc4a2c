#include "condition_js_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

#include "compact_sort.h"
#include "decimal_conversion.h"
#include "lower_case_table.h"

namespace tessera {
namespace condition_internal {
namespace {

// Own string-keyed properties of Object.prototype and Array.prototype in
// Node 20 (V8 11). `in` finds them on every object/array, so a dotted path
// such as "tags.map" reaches a function in GrowthBook.
constexpr const char* kObjectPrototypeNames[] = {
    "constructor",    "__defineGetter__",     "__defineSetter__",
    "hasOwnProperty", "__lookupGetter__",     "__lookupSetter__",
    "isPrototypeOf",  "propertyIsEnumerable", "toString",
    "valueOf",        "toLocaleString"};
constexpr const char* kArrayPrototypeNames[] = {
    "at",        "concat",        "copyWithin",
    "fill",      "find",          "findIndex",
    "findLast",  "findLastIndex", "lastIndexOf",
    "pop",       "push",          "reverse",
    "shift",     "unshift",       "slice",
    "sort",      "splice",        "includes",
    "indexOf",   "join",          "keys",
    "entries",   "values",        "forEach",
    "filter",    "flat",          "flatMap",
    "map",       "every",         "some",
    "reduce",    "reduceRight",   "toLocaleString",
    "toString",  "toReversed",    "toSorted",
    "toSpliced", "with"};

template <size_t N>
const char* FindName(const char* const (&names)[N], std::string_view key) {
  for (const char* name : names) {
    if (key == name) return name;
  }
  return nullptr;
}

const Value& EmptyArray() {
  static const Value* const empty = new Value(Value::MakeArray());
  return *empty;
}
const Value& EmptyObject() {
  static const Value* const empty = new Value(Value::MakeObject());
  return *empty;
}

JsValue Function(const char* name) {
  JsValue v;
  v.kind = JsValue::Kind::kFunction;
  v.function_name = name;
  return v;
}

JsValue Prototype(JsValue::Proto proto) {
  JsValue v;
  v.proto = proto;
  if (proto == JsValue::Proto::kArrayPrototype) {
    v.kind = JsValue::Kind::kArray;
    v.value = &EmptyArray();
  } else {
    v.kind = JsValue::Kind::kObject;
    v.value = &EmptyObject();
  }
  return v;
}

// Inherited lookups shared by objects and arrays once own properties missed.
bool GetInherited(const JsValue& holder, std::string_view key, JsValue* out) {
  const bool is_array = holder.kind == JsValue::Kind::kArray;
  if (key == "__proto__") {
    if (holder.proto == JsValue::Proto::kObjectPrototype) {
      *out = JsValue::Null();  // Object.prototype.__proto__ is null
    } else if (is_array && holder.proto == JsValue::Proto::kNone) {
      *out = Prototype(JsValue::Proto::kArrayPrototype);
    } else {
      *out = Prototype(JsValue::Proto::kObjectPrototype);
    }
    return true;
  }
  if (key == "constructor") {
    *out = Function(is_array ? "Array" : "Object");
    return true;
  }
  const char* name = nullptr;
  if (is_array) name = FindName(kArrayPrototypeNames, key);
  if (name == nullptr) name = FindName(kObjectPrototypeNames, key);
  if (name == nullptr) return false;
  *out = Function(name);
  return true;
}

// Decodes one code point at *i, advancing it. A byte that does not start a
// well-formed sequence decodes alone, to a value above U+10FFFF, so malformed
// text still compares deterministically and is never case-mapped.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(*i);
  size_t length = lead < 0x80    ? 1
                  : lead >= 0xF0 ? 4
                  : lead >= 0xE0 ? 3
                  : lead >= 0xC0 ? 2
                                 : 0;
  if (length == 1) {
    ++*i;
    return lead;
  }
  constexpr uint32_t kMalformed = 0x110000;
  if (length == 0 || *i + length > s.size()) {
    ++*i;
    return kMalformed + lead;
  }
  uint32_t cp = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    const unsigned char c = byte(*i + k);
    if ((c & 0xC0) != 0x80) {
      ++*i;
      return kMalformed + lead;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *i += length;
  return cp;
}

// String.prototype.toLowerCase of one code point, where the result is one
// code point (U+0130 is the caller's: it lowers to two).
uint32_t LowerCodePoint(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  // The last run starting at or before cp.
  const LowerCaseRun* run = std::upper_bound(
      std::begin(kLowerCaseRuns), std::end(kLowerCaseRuns), cp,
      [](uint32_t c, const LowerCaseRun& r) { return c < (r.packed & 0x1FFFFF); });
  if (run == std::begin(kLowerCaseRuns)) return cp;
  --run;
  const uint32_t offset = cp - (run->packed & 0x1FFFFF);
  const uint32_t stride = (run->packed >> 21 & 1) + 1;
  if (offset % stride != 0 || offset / stride > run->packed >> 22) return cp;
  return cp + run->delta;
}

// Cased (Unicode): approximated as having a lower-case mapping or being the
// lower case of one, plus the lower-case letters of Latin, IPA and Greek
// that are neither (final sigma, dotless i, micro sign, IPA letters);
// misses rarer ones.
bool IsCased(uint32_t cp) {
  if (cp < 0x80) return (cp | 32) >= 'a' && (cp | 32) <= 'z';
  if (cp == 0x130 || LowerCodePoint(cp) != cp) return true;
  if (cp == 0xAA || cp == 0xB5 || cp == 0xBA || cp == 0x131 || cp == 0x138 ||
      cp == 0x149 || cp == 0x17F || (cp >= 0x250 && cp <= 0x2B8) ||
      cp == 0x390 || cp == 0x3B0 || cp == 0x3C2 ||
      (cp >= 0x3D0 && cp <= 0x3D6) || (cp >= 0x1D00 && cp <= 0x1DBF)) {
    return true;
  }
  for (const LowerCaseRun& run : kLowerCaseRuns) {
    const uint32_t offset = cp - run.delta - (run.packed & 0x1FFFFF);
    const uint32_t stride = (run.packed >> 21 & 1) + 1;
    if (offset % stride == 0 && offset / stride <= run.packed >> 22) return true;
  }
  return false;
}

// Case_Ignorable (Unicode), approximated by the characters found in words:
// apostrophes and other mid-word punctuation, combining marks, modifier
// letters and symbols, format characters.
bool IsCaseIgnorable(uint32_t cp) {
  return cp == '\'' || cp == '.' || cp == ':' || cp == '^' || cp == '`' ||
         cp == 0xA8 || cp == 0xAD || cp == 0xAF || cp == 0xB4 || cp == 0xB7 ||
         cp == 0xB8 || (cp >= 0x2B0 && cp <= 0x36F) || cp == 0x374 ||
         cp == 0x375 || cp == 0x37A || cp == 0x384 || cp == 0x385 ||
         cp == 0x387 || (cp >= 0x483 && cp <= 0x489) ||
         (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x200B && cp <= 0x200F) || cp == 0x2018 || cp == 0x2019 ||
         cp == 0x2024 || cp == 0x2027 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
         cp == 0xFEFF;
}

// Unicode's Final_Sigma: the capital sigma at s[begin, end) lowers to U+03C2
// when a cased letter precedes it and none follows it (case-ignorable
// characters skipped on both sides): "ΟΔΟΣ" lowers to "οδος".
bool IsFinalSigma(std::string_view s, size_t begin, size_t end) {
  bool preceded = false;
  while (begin > 0) {
    size_t start = begin - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t next = start;
    const uint32_t cp = DecodeUtf8(s, &next);
    if (next != begin) break;  // malformed: neither cased nor ignorable
    if (IsCased(cp)) {
      preceded = true;
      break;
    }
    if (!IsCaseIgnorable(cp)) break;
    begin = start;
  }
  if (!preceded) return false;
  while (end < s.size()) {
    const uint32_t cp = DecodeUtf8(s, &end);
    if (IsCased(cp)) return false;
    if (!IsCaseIgnorable(cp)) break;
  }
  return true;
}

// Lowered code points of `s` one at a time, as toLowerCase would produce
// them: U+0130 becomes "i" then U+0307, a final capital sigma U+03C2.
struct LowerCaseReader {
  std::string_view s;
  size_t i = 0;
  uint32_t pending = 0;
  bool done() const { return pending == 0 && i >= s.size(); }
  uint32_t Next() {
    if (pending != 0) return std::exchange(pending, 0);
    const size_t start = i;
    const uint32_t cp = DecodeUtf8(s, &i);
    if (cp == 0x130) {
      pending = 0x307;
      return 'i';
    }
    if (cp == 0x3A3 && IsFinalSigma(s, start, i)) return 0x3C2;
    return LowerCodePoint(cp);
  }
};

bool IsJsWhitespace(uint32_t cp) {
  return cp == 0x09 || cp == 0x0A || cp == 0x0B || cp == 0x0C || cp == 0x0D ||
         cp == 0x20 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

std::string_view TrimJsWhitespace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t next = begin;
    if (!IsJsWhitespace(DecodeUtf8(s, &next))) break;
    begin = next;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t start = end - 1;  // back up to the lead byte of the last character
    while (start > begin &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t next = start;
    if (!IsJsWhitespace(DecodeUtf8(s, &next)) || next != end) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Formats integers below 2^53 (exactly what JavaScript prints for them)
// without allocating; returns false for numbers needing FormatJsNumber.
bool FormatSmallInteger(double d, char (&buffer)[24], size_t* length) {
  if (!(std::fabs(d) < 9007199254740992.0) || d != std::floor(d)) return false;
  size_t n = 0;
  if (d < 0) buffer[n++] = '-';  // -0 prints as "0"
  uint64_t magnitude = static_cast<uint64_t>(std::fabs(d));
  char digits[20];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  while (count > 0) buffer[n++] = digits[--count];
  *length = n;
  return true;
}

void AppendFunctionSource(const char* name, std::string* out) {
  out->append("function ");
  out->append(name);
  out->append("() { [native code] }");
}

// ToPrimitive with the "number" hint leaves primitives alone and turns
// arrays, objects and functions into their strings.
struct Primitive {
  JsValue::Kind kind;
  double number = 0;
  std::string_view text;
  std::string storage;
};

void ToPrimitive(const JsValue& v, Primitive* p) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      p->kind = JsValue::Kind::kNumber;
      p->number = 0;
      return;
    case JsValue::Kind::kBool:
      p->kind = JsValue::Kind::kNumber;
      p->number = v.boolean ? 1 : 0;
      return;
    case JsValue::Kind::kNumber:
      p->kind = JsValue::Kind::kNumber;
      p->number = v.number;
      return;
    case JsValue::Kind::kString:
      p->kind = JsValue::Kind::kString;
      p->text = v.string();
      return;
    default:
      p->kind = JsValue::Kind::kString;
      AppendJsString(v, &p->storage);
      p->text = p->storage;
      return;
  }
}

bool IsNullForStringify(const JsValue& v) {
  return v.kind == JsValue::Kind::kNull ||
         (v.kind == JsValue::Kind::kNumber && !std::isfinite(v.number));
}

bool HasIndexKey(const Object& object) {
  for (const Member& m : object) {
    if (MakePropertyKey(m.key).is_index) return true;
  }
  return false;
}

// Member positions in JavaScript's own-key order: array indices ascending,
// then the other keys in insertion order.
std::vector<size_t> JsKeyOrder(const Object& object) {
  std::vector<std::pair<uint32_t, size_t>> indexed;
  std::vector<size_t> order;
  for (size_t i = 0; i < object.size(); ++i) {
    PropertyKey key = MakePropertyKey(object[i].key);
    if (key.is_index) {
      indexed.emplace_back(key.index, i);
    } else {
      order.push_back(i);
    }
  }
  CompactSort(indexed.begin(), indexed.end());
  std::vector<size_t> result;
  result.reserve(object.size());
  for (const auto& entry : indexed) result.push_back(entry.second);
  result.insert(result.end(), order.begin(), order.end());
  return result;
}

}  // namespace

JsValue JsValue::Of(const Value& value) {
  JsValue v;
  switch (value.type()) {
    case Value::Type::kNull:
      break;
    case Value::Type::kBool:
      v.kind = Kind::kBool;
      v.boolean = value.as_bool();
      break;
    case Value::Type::kNumber:
      v.kind = Kind::kNumber;
      v.number = value.as_number();
      break;
    case Value::Type::kString:
      v.kind = Kind::kString;
      v.value = &value;
      break;
    case Value::Type::kArray:
      v.kind = Kind::kArray;
      v.value = &value;
      break;
    case Value::Type::kObject:
      v.kind = Kind::kObject;
      v.value = &value;
      break;
  }
  return v;
}

PropertyKey MakePropertyKey(std::string_view name) {
  PropertyKey key;
  key.name = name;
  key.maybe_inherited = name == "length" || name == "__proto__" ||
                        FindName(kObjectPrototypeNames, name) != nullptr ||
                        FindName(kArrayPrototypeNames, name) != nullptr;
  if (name.empty() || name.size() > 10 || (name[0] == '0' && name.size() > 1)) {
    return key;
  }
  uint64_t index = 0;
  for (char c : name) {
    if (!IsDigit(c)) return key;
    index = index * 10 + static_cast<uint64_t>(c - '0');
  }
  if (index >= 4294967295u) return key;  // 2^32 - 1 is not an array index
  key.is_index = true;
  key.index = static_cast<uint32_t>(index);
  return key;
}

const Value* FindOwn(const Value& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  if (key.empty()) {
    for (const Member& m : object.as_object()) {
      if (m.key.empty()) return &m.value;
    }
    return nullptr;
  }
  // Attribute names are short: an inline byte loop beats a memcmp call, and
  // checking the size and first byte first skips most members.
  const char first = key[0];
  const size_t size = key.size();
  for (const Member& m : object.as_object()) {
    if (m.key.size() != size || m.key[0] != first) continue;
    const char* a = m.key.data();
    size_t i = 1;
    while (i < size && a[i] == key[i]) ++i;
    if (i == size) return &m.value;
  }
  return nullptr;
}

bool GetProperty(const JsValue& holder, const PropertyKey& key, JsValue* out) {
  if (holder.kind == JsValue::Kind::kArray) {
    const size_t size = holder.array_size();
    if (key.is_index) {
      if (key.index < size) {
        *out = JsValue::Of(holder.element(key.index));
        return true;
      }
      return false;
    }
    if (!key.maybe_inherited) return false;
    if (key.name == "length") {
      *out = JsValue::Number(static_cast<double>(size));
      return true;
    }
    return GetInherited(holder, key.name, out);
  }
  if (holder.kind == JsValue::Kind::kObject) {
    if (const Value* own = FindOwn(*holder.value, key.name)) {
      *out = JsValue::Of(*own);
      return true;
    }
    return key.maybe_inherited && GetInherited(holder, key.name, out);
  }
  return false;
}

namespace {
bool ElementsThrow(const Array& elements) {
  for (const Value& e : elements) {
    if (e.is_object() && FindOwn(e, "toString") != nullptr) return true;
    if (e.is_array() && ElementsThrow(e.as_array())) return true;
  }
  return false;
}
}  // namespace

bool ToPrimitiveThrows(const JsValue& v) {
  if (v.proto != JsValue::Proto::kNone) return false;
  if (v.kind == JsValue::Kind::kObject) {
    return FindOwn(*v.value, "toString") != nullptr;
  }
  if (v.kind == JsValue::Kind::kArray)
    return ElementsThrow(v.value->as_array());
  return false;
}

bool Truthy(const JsValue& v) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      return false;
    case JsValue::Kind::kBool:
      return v.boolean;
    case JsValue::Kind::kNumber:
      return v.number != 0 && !std::isnan(v.number);
    case JsValue::Kind::kString:
      return !v.string().empty();
    default:
      return true;
  }
}

void AppendJsString(const JsValue& v, std::string* out) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      out->append("null");
      return;
    case JsValue::Kind::kBool:
      out->append(v.boolean ? "true" : "false");
      return;
    case JsValue::Kind::kNumber: {
      char buffer[24];
      size_t length = 0;
      if (FormatSmallInteger(v.number, buffer, &length)) {
        out->append(buffer, length);
      } else {
        out->append(FormatJsNumber(v.number));
      }
      return;
    }
    case JsValue::Kind::kString:
      out->append(v.string());
      return;
    case JsValue::Kind::kArray: {
      // Array.prototype.join: null elements (and holes) become "".
      const Array& elements = v.value->as_array();
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out->push_back(',');
        if (!elements[i].is_null())
          AppendJsString(JsValue::Of(elements[i]), out);
      }
      return;
    }
    case JsValue::Kind::kObject:
      out->append("[object Object]");
      return;
    case JsValue::Kind::kFunction:
      AppendFunctionSource(v.function_name, out);
      return;
  }
}

std::string JsString(const JsValue& v) {
  std::string out;
  AppendJsString(v, &out);
  return out;
}

bool JsStringEquals(const JsValue& v, std::string_view text) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      return text == "null";
    case JsValue::Kind::kBool:
      return text == (v.boolean ? "true" : "false");
    case JsValue::Kind::kString:
      return v.string() == text;
    case JsValue::Kind::kNumber: {
      char buffer[24];
      size_t length = 0;
      if (FormatSmallInteger(v.number, buffer, &length)) {
        return std::string_view(buffer, length) == text;
      }
      return FormatJsNumber(v.number) == text;
    }
    default:
      return JsString(v) == text;
  }
}

double JsStringToNumber(std::string_view text) {
  std::string_view s = TrimJsWhitespace(text);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    const char marker = s[1];
    const int bits_per_digit = marker == 'x' || marker == 'X'   ? 4
                               : marker == 'o' || marker == 'O' ? 3
                               : marker == 'b' || marker == 'B' ? 1
                                                                : 0;
    // Correctly rounded however long, as JavaScript reads them.
    if (bits_per_digit != 0) {
      return decimal::ParseRadixInteger(s.substr(2), bits_per_digit);
    }
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (s.substr(i) == "Infinity") return negative ? -INFINITY : INFINITY;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return NAN;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return NAN;
  }
  if (i != s.size()) return NAN;
  return decimal::ParseDecimal(s);
}

double JsNumber(const JsValue& v) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      return 0;
    case JsValue::Kind::kBool:
      return v.boolean ? 1 : 0;
    case JsValue::Kind::kNumber:
      return v.number;
    case JsValue::Kind::kString:
      return JsStringToNumber(v.string());
    case JsValue::Kind::kArray:
      if (v.array_size() == 0) return 0;
      return JsStringToNumber(JsString(v));
    default:
      return NAN;  // "[object Object]" and function sources are not numbers
  }
}

bool StrictEquals(const JsValue& a, const Value& b) {
  switch (b.type()) {
    case Value::Type::kNull:
      return a.kind == JsValue::Kind::kNull;
    case Value::Type::kBool:
      return a.kind == JsValue::Kind::kBool && a.boolean == b.as_bool();
    case Value::Type::kNumber:
      return a.kind == JsValue::Kind::kNumber && a.number == b.as_number();
    case Value::Type::kString:
      return a.kind == JsValue::Kind::kString && a.string() == b.as_string();
    default:
      return false;
  }
}

int CompareUtf16(std::string_view a, std::string_view b) {
  const size_t common = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < common && a[i] == b[i]) ++i;
  if (i == common) {
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
  }
  // Back up to the start of the character that differs; the prefix is shared.
  size_t start = i;
  while (start > 0 && (static_cast<unsigned char>(a[start]) & 0xC0) == 0x80) {
    --start;
  }
  size_t ia = start, ib = start;
  uint32_t ca = DecodeUtf8(a, &ia), cb = DecodeUtf8(b, &ib);
  // Supplementary characters sort by their lead surrogate (0xD800-0xDBFF),
  // below U+E000-U+FFFF, unlike in code point order.
  const auto first_unit = [](uint32_t cp) {
    return cp >= 0x10000 ? 0xD800 + ((cp - 0x10000) >> 10) : cp;
  };
  uint32_t ua = first_unit(ca), ub = first_unit(cb);
  if (ua != ub) return ua < ub ? -1 : 1;
  if (ca != cb) return ca < cb ? -1 : 1;
  // Equal decoded characters from different bytes (malformed input).
  return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i])
             ? -1
             : 1;
}

Comparison JsCompare(const JsValue& a, const JsValue& b) {
  Primitive pa, pb;
  ToPrimitive(a, &pa);
  ToPrimitive(b, &pb);
  if (pa.kind == JsValue::Kind::kString && pb.kind == JsValue::Kind::kString) {
    int c = CompareUtf16(pa.text, pb.text);
    return c < 0   ? Comparison::kLess
           : c > 0 ? Comparison::kGreater
                   : Comparison::kEqual;
  }
  double x =
      pa.kind == JsValue::Kind::kString ? JsStringToNumber(pa.text) : pa.number;
  double y =
      pb.kind == JsValue::Kind::kString ? JsStringToNumber(pb.text) : pb.number;
  if (std::isnan(x) || std::isnan(y)) return Comparison::kUnordered;
  return x < y   ? Comparison::kLess
         : x > y ? Comparison::kGreater
                 : Comparison::kEqual;
}

bool JsLess(const JsValue& a, const JsValue& b) {
  return JsCompare(a, b) == Comparison::kLess;
}

bool JsLessOrEqual(const JsValue& a, const JsValue& b) {
  Comparison c = JsCompare(a, b);
  return c == Comparison::kLess || c == Comparison::kEqual;
}

bool StringifyEquals(const JsValue& a, const Value& b) {
  switch (b.type()) {
    case Value::Type::kNull:
      return IsNullForStringify(a);
    case Value::Type::kNumber:
      if (!std::isfinite(b.as_number())) return IsNullForStringify(a);
      return a.kind == JsValue::Kind::kNumber && a.number == b.as_number();
    case Value::Type::kBool:
    case Value::Type::kString:
      return StrictEquals(a, b);
    case Value::Type::kArray: {
      if (a.kind != JsValue::Kind::kArray) return false;
      const Array& right = b.as_array();
      if (a.array_size() != right.size()) return false;
      for (size_t i = 0; i < right.size(); ++i) {
        if (!StringifyEquals(JsValue::Of(a.element(i)), right[i])) return false;
      }
      return true;
    }
    case Value::Type::kObject: {
      if (a.kind != JsValue::Kind::kObject) return false;
      const Object& left = a.value->as_object();
      const Object& right = b.as_object();
      if (left.size() != right.size()) return false;
      if (!HasIndexKey(left) && !HasIndexKey(right)) {
        for (size_t i = 0; i < left.size(); ++i) {
          if (left[i].key != right[i].key ||
              !StringifyEquals(JsValue::Of(left[i].value), right[i].value)) {
            return false;
          }
        }
        return true;
      }
      std::vector<size_t> lo = JsKeyOrder(left), ro = JsKeyOrder(right);
      for (size_t i = 0; i < lo.size(); ++i) {
        const Member& l = left[lo[i]];
        const Member& r = right[ro[i]];
        if (l.key != r.key || !StringifyEquals(JsValue::Of(l.value), r.value)) {
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

bool LowerCaseEquals(std::string_view a, std::string_view b) {
  LowerCaseReader left{a}, right{b};
  while (!left.done() && !right.done()) {
    if (left.Next() != right.Next()) return false;
  }
  return left.done() && right.done();
}

void AppendLowerCase(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const uint32_t cp = DecodeUtf8(text, &i);
    const uint32_t lower = LowerCodePoint(cp);
    if (cp == 0x130) {
      out->append("i\xCC\x87");  // "i" U+0307
    } else if (cp == 0x3A3 && IsFinalSigma(text, start, i)) {
      out->append("\xCF\x82");  // U+03C2
    } else if (lower == cp) {
      out->append(text.substr(start, i - start));  // keeps malformed bytes
    } else {
      AppendUtf8(lower, out);
    }
  }
}

const char* TypeName(const JsValue& v) {
  switch (v.kind) {
    case JsValue::Kind::kNull:
      return "null";
    case JsValue::Kind::kBool:
      return "boolean";
    case JsValue::Kind::kNumber:
      return "number";
    case JsValue::Kind::kString:
      return "string";
    case JsValue::Kind::kArray:
      return "array";
    case JsValue::Kind::kObject:
      return "object";
    case JsValue::Kind::kFunction:
      return "unknown";
  }
  return "unknown";
}

std::string PropertyKeyText(const Value& v) {
  if (v.is_string()) return v.as_string();
  return JsString(JsValue::Of(v));
}

}  // namespace condition_internal
}  // namespace tessera
