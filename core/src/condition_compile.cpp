// CompiledCondition: a condition checked once and turned into a tree whose
// evaluation does no parsing, no string splitting and, for the usual attribute
// types, no allocation. Its answers equal the interpreter's (EvalCondition)
// for every well-formed condition; malformed ones are rejected instead.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compact_sort.h"
#include "condition_eval_internal.h"
#include "condition_js_value.h"
#include "short_text.h"
#include "tessera/condition.h"
#include "tessera/validation.h"
#include "version_compare.h"

namespace tessera {
namespace condition_internal {

struct OperatorClause;
struct CompiledCond;

// A condition value: what an attribute path (or an array element) is matched
// against.
struct CompiledValue {
  enum class Kind : uint8_t {
    kString,     // `value + "" === text` (or case-folded inside $alli)
    kNumber,     // `value * 1 === number`
    kBool,       // `value !== null && !!value === boolean`
    kNull,       // `value === null`
    kStringify,  // JSON.stringify equality with `literal`
    kOperators,  // every operator clause holds
  };
  Kind kind = Kind::kNull;
  bool boolean = false;
  bool insensitive = false;  // kString inside $alli
  // kString: the number whose JavaScript text is exactly `text`, if any, so
  // that a number attribute is compared without formatting it.
  bool has_number_form = false;
  double number = 0;
  std::string text;
  Value literal;
  std::vector<OperatorClause> ops;
};

enum class Op : uint8_t {
  kEq,
  kNe,
  kLt,
  kLte,
  kGt,
  kGte,
  kExists,
  kIn,
  kNin,
  kIni,
  kNini,
  kInGroup,
  kNotInGroup,
  kNot,
  kSize,
  kElemMatchValue,
  kElemMatchCondition,
  kAll,
  kAlli,
  kRegex,
  kRegexi,
  kType,
  kVeq,
  kVne,
  kVgt,
  kVgte,
  kVlt,
  kVlte,
};

// A $in/$nin list, sorted for binary search.
struct MemberSet {
  std::vector<std::string> strings;  // sorted (original text for $ini/$nini)
  std::vector<double> numbers;       // sorted
  bool has_true = false, has_false = false, has_null = false, has_nan = false;
  // One bit per TextBit() of the strings: a text whose bit is clear is in
  // no list, which settles most lookups of an id array against a short id
  // list without comparing text.
  uint64_t text_bits = 0;

  // A bit from the size and the last byte, where ids like "seg12" and
  // "seg13" differ.
  static uint64_t TextBit(std::string_view text) {
    const size_t size = text.size();
    const unsigned last =
        size == 0 ? 0u : static_cast<unsigned char>(text[size - 1]);
    return uint64_t{1} << ((size * 8 + last) & 63u);
  }
  bool MayHoldString(std::string_view text) const {
    return (text_bits & TextBit(text)) != 0;
  }
};

struct OperatorClause {
  Op op = Op::kEq;
  Value operand;      // $eq/$ne/$lt/$lte/$gt/$gte
  bool flag = false;  // $exists
  std::string text;   // padded version, pattern, type name, group id
  MemberSet set;
  std::vector<CompiledValue> values;     // $not/$size/$elemMatch: one; $all: n
  std::vector<CompiledCond> conditions;  // $elemMatch on plain conditions
};

// Where a path step last found its key among an object's members. Attribute
// objects are rebuilt with the same layout for every decision, so trying that
// position first turns most lookups into a single comparison. A relaxed
// atomic keeps concurrent evaluations of one shared condition free of data
// races; a stale hint only costs the scan it would have saved. (Objects
// holding one key twice, which neither ParseJson nor Value::set produce, may
// resolve to either copy.)
class MemberHint {
 public:
  MemberHint() = default;
  MemberHint(const MemberHint& other) : position_(other.get()) {}
  MemberHint& operator=(const MemberHint& other) {
    set(other.get());
    return *this;
  }
  uint32_t get() const { return position_.load(std::memory_order_relaxed); }
  void set(uint32_t position) const {
    position_.store(position, std::memory_order_relaxed);
  }

 private:
  mutable std::atomic<uint32_t> position_{0};
};

struct PathStep {
  std::string name;
  bool is_index = false;
  uint32_t index = 0;
  bool maybe_inherited = true;
  MemberHint hint;
};

struct CondClause;

struct CompiledCond {
  std::vector<CondClause> clauses;  // all must hold
};

struct CondClause {
  enum class Kind : uint8_t { kPath, kAnd, kOr, kNor, kNot, kSavedGroup };
  Kind kind = Kind::kPath;
  std::vector<PathStep> path;
  CompiledValue value;                 // kPath
  std::vector<CompiledCond> children;  // kAnd/kOr/kNor; kNot has one
  std::string group_id;                // kSavedGroup
  bool has_attribute_key = false;
  std::string attribute_key;
};

namespace {

// ---------------------------------------------------------------------------
// Evaluation

Outcome Eval(const CompiledCond& cond, const JsValue& obj,
             const EvalContext& ctx);
Outcome Eval(const CompiledValue& cv, const JsValue& value,
             const EvalContext& ctx);

PropertyKey KeyOf(const PathStep& step) {
  PropertyKey key;
  key.name = step.name;
  key.is_index = step.is_index;
  key.index = step.index;
  key.maybe_inherited = step.maybe_inherited;
  return key;
}

// a == b for ids compared against many others: sizes first, then the last
// byte, where ids such as "seg12" and "seg13" differ, then the rest.
inline bool SameText(std::string_view a, std::string_view b) {
  const size_t size = a.size();
  if (b.size() != size) return false;
  if (size == 0) return true;
  if (a[size - 1] != b[size - 1]) return false;
  return short_text::SameBytes(a.data(), b.data(), size);
}

// FindOwn(object, step.name), trying the step's hint first.
const Value* FindMember(const Value& object, const PathStep& step) {
  const Object& members = object.as_object();
  const std::string& name = step.name;
  const size_t size = name.size();
  const uint32_t hint = step.hint.get();
  if (hint < members.size() && short_text::Same(members[hint].key, name)) {
    return &members[hint].value;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    const std::string& key = members[i].key;
    if (key.size() != size || (size != 0 && key[0] != name[0])) continue;
    if (short_text::SameBytes(key.data(), name.data(), size)) {
      step.hint.set(static_cast<uint32_t>(i));
      return &members[i].value;
    }
  }
  return nullptr;
}

// GrowthBook's getPath. Plain JSON steps (an own key of an object, an element
// of an array) walk Value pointers directly; only the rare inherited names go
// through the general JavaScript lookup.
JsValue Resolve(const std::vector<PathStep>& path, const JsValue& obj) {
  if (obj.proto == JsValue::Proto::kNone &&
      (obj.kind == JsValue::Kind::kObject ||
       obj.kind == JsValue::Kind::kArray)) {
    const Value* current = obj.value;
    size_t i = 0;
    for (; i < path.size(); ++i) {
      const PathStep& step = path[i];
      const Value* next = nullptr;
      if (current->is_object()) {
        next = FindMember(*current, step);
      } else if (current->is_array()) {
        if (step.is_index && step.index < current->as_array().size()) {
          next = &current->as_array()[step.index];
        }
      } else {
        return JsValue::Null();  // primitives have no properties to walk
      }
      if (next == nullptr) {
        if (!step.maybe_inherited) return JsValue::Null();
        break;  // an inherited name: continue in the general lookup
      }
      current = next;
    }
    if (i == path.size()) return JsValue::Of(*current);
    JsValue holder = JsValue::Of(*current);
    for (; i < path.size(); ++i) {
      JsValue next;
      if (!GetProperty(holder, KeyOf(path[i]), &next)) return JsValue::Null();
      holder = next;
    }
    return holder;
  }
  JsValue current = obj;
  for (const PathStep& step : path) {
    JsValue next;
    if (!GetProperty(current, KeyOf(step), &next)) return JsValue::Null();
    current = next;
  }
  return current;
}

bool SearchStrings(const std::vector<std::string>& strings,
                   std::string_view text) {
  return std::binary_search(
      strings.begin(), strings.end(), text,
      [](std::string_view a, std::string_view b) { return a < b; });
}

// Exact membership of `text` in the set's sorted strings. Lists in
// conditions are mostly a handful of ids: a scan beats a binary search of
// three-way string comparisons there.
inline bool HasString(const MemberSet& set, std::string_view text) {
  if (!set.MayHoldString(text)) return false;
  if (set.strings.size() > 8) return SearchStrings(set.strings, text);
  for (const std::string& s : set.strings) {
    if (SameText(s, text)) return true;
  }
  return false;
}

bool SetContains(const MemberSet& set, const JsValue& v, bool insensitive) {
  switch (v.kind) {
    case JsValue::Kind::kString:
      if (insensitive) {
        for (const std::string& s : set.strings) {
          if (LowerCaseEquals(v.string(), s)) return true;
        }
        return false;
      }
      return HasString(set, v.string());
    case JsValue::Kind::kNumber:
      if (std::isnan(v.number)) return set.has_nan && !insensitive;
      return std::binary_search(set.numbers.begin(), set.numbers.end(),
                                v.number);
    case JsValue::Kind::kBool:
      return v.boolean ? set.has_true : set.has_false;
    case JsValue::Kind::kNull:
      return set.has_null;
    default:
      return false;  // objects and functions are never identical to literals
  }
}

bool SetIsIn(const MemberSet& set, const JsValue& actual, bool insensitive) {
  if (actual.is_array()) {
    // The common case, a list of ids against an array of ids: string
    // elements are looked up directly, without a JsValue view each.
    for (const Value& element : actual.value->as_array()) {
      if (!insensitive && element.is_string()) {
        const std::string& text = element.as_string();
        if (HasString(set, text)) return true;
      } else if (SetContains(set, JsValue::Of(element), insensitive)) {
        return true;
      }
    }
    return false;
  }
  return SetContains(set, actual, insensitive);
}

bool StringMatches(const CompiledValue& cv, const JsValue& value) {
  if (cv.insensitive) {
    if (value.is_string()) return LowerCaseEquals(value.string(), cv.text);
    return LowerCaseEquals(JsString(value), cv.text);
  }
  switch (value.kind) {
    case JsValue::Kind::kString:
      return value.string() == cv.text;
    case JsValue::Kind::kNumber:
      if (std::isnan(value.number)) return cv.text == "NaN";
      return cv.has_number_form && value.number == cv.number;
    default:
      return JsStringEquals(value, cv.text);
  }
}

// Whether some element matches `cv` ($all's test of one value): kTrue at
// the first match, kThrow when an element before it throws, else kFalse.
// String elements against a string are compared directly: a string converts
// to a primitive without throwing and matches by its exact text.
Outcome AnyElementMatches(const CompiledValue& cv, const Array& elements,
                          const EvalContext& ctx) {
  const bool plain_text =
      cv.kind == CompiledValue::Kind::kString && !cv.insensitive;
  for (const Value& element : elements) {
    if (plain_text && element.is_string()) {
      if (SameText(element.as_string(), cv.text)) return Outcome::kTrue;
      continue;
    }
    Outcome r = Eval(cv, JsValue::Of(element), ctx);
    if (r != Outcome::kFalse) return r;
  }
  return Outcome::kFalse;
}

int CompareVersionsWith(const JsValue& actual, const std::string& padded) {
  PaddedVersion a(actual);
  return CompareVersions(a.view(), padded);
}

// $lt/$lte/$gt/$gte; the operand is a number or a string.
Outcome EvalOrdering(const OperatorClause& c, const JsValue& actual) {
  if (actual.kind == JsValue::Kind::kNumber && c.operand.is_number()) {
    // Number against number, the usual case: no coercion, and a NaN on
    // either side makes every comparison false, as in JavaScript.
    const double a = actual.number;
    const double b = c.operand.as_number();
    switch (c.op) {
      case Op::kLt:
        return ToOutcome(a < b);
      case Op::kLte:
        return ToOutcome(a <= b);
      case Op::kGt:
        return ToOutcome(a > b);
      default:
        return ToOutcome(a >= b);
    }
  }
  if (ToPrimitiveThrows(actual)) return Outcome::kThrow;
  const JsValue operand = JsValue::Of(c.operand);
  switch (c.op) {
    case Op::kLt:
      return ToOutcome(JsLess(actual, operand));
    case Op::kLte:
      return ToOutcome(JsLessOrEqual(actual, operand));
    case Op::kGt:
      return ToOutcome(JsLess(operand, actual));
    default:
      return ToOutcome(JsLessOrEqual(operand, actual));
  }
}

Outcome EvalOp(const OperatorClause& c, const JsValue& actual,
               const EvalContext& ctx) {
  switch (c.op) {
    case Op::kEq:
      return ToOutcome(StrictEquals(actual, c.operand));
    case Op::kNe:
      return ToOutcome(!StrictEquals(actual, c.operand));
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte:
      return EvalOrdering(c, actual);
    case Op::kExists:
      return ToOutcome(c.flag != actual.is_null());
    case Op::kIn:
      return ToOutcome(SetIsIn(c.set, actual, false));
    case Op::kNin:
      return ToOutcome(!SetIsIn(c.set, actual, false));
    case Op::kIni:
      return ToOutcome(SetIsIn(c.set, actual, true));
    case Op::kNini:
      return ToOutcome(!SetIsIn(c.set, actual, true));
    case Op::kInGroup:
      return ToOutcome(EvalInGroup(actual, c.text, false, ctx));
    case Op::kNotInGroup:
      return ToOutcome(EvalInGroup(actual, c.text, true, ctx));
    case Op::kNot:
      return Negate(Eval(c.values[0], actual, ctx));
    case Op::kSize:
      if (!actual.is_array()) return Outcome::kFalse;
      return Eval(c.values[0],
                  JsValue::Number(static_cast<double>(actual.array_size())),
                  ctx);
    case Op::kElemMatchValue:
    case Op::kElemMatchCondition: {
      if (!actual.is_array()) return Outcome::kFalse;
      for (size_t i = 0; i < actual.array_size(); ++i) {
        const Value& element = actual.element(i);
        if (element.is_null()) continue;
        Outcome r = c.op == Op::kElemMatchValue
                        ? Eval(c.values[0], JsValue::Of(element), ctx)
                        : Eval(c.conditions[0], JsValue::Of(element), ctx);
        if (r != Outcome::kFalse) return r;
      }
      return Outcome::kFalse;
    }
    case Op::kAll:
    case Op::kAlli: {
      if (!actual.is_array()) return Outcome::kFalse;
      const Array& elements = actual.value->as_array();
      for (const CompiledValue& expected : c.values) {
        Outcome r = AnyElementMatches(expected, elements, ctx);
        if (r != Outcome::kTrue) return r;
      }
      return Outcome::kTrue;
    }
    case Op::kRegex:
    case Op::kRegexi:
      return ToOutcome(EvalRegex(actual, c.text, c.op == Op::kRegexi, ctx));
    case Op::kType:
      return ToOutcome(c.text == TypeName(actual));
    case Op::kVeq:
      return ToOutcome(CompareVersionsWith(actual, c.text) == 0);
    case Op::kVne:
      return ToOutcome(CompareVersionsWith(actual, c.text) != 0);
    case Op::kVgt:
      return ToOutcome(CompareVersionsWith(actual, c.text) > 0);
    case Op::kVgte:
      return ToOutcome(CompareVersionsWith(actual, c.text) >= 0);
    case Op::kVlt:
      return ToOutcome(CompareVersionsWith(actual, c.text) < 0);
    case Op::kVlte:
      return ToOutcome(CompareVersionsWith(actual, c.text) <= 0);
  }
  return Outcome::kFalse;
}

Outcome Eval(const CompiledValue& cv, const JsValue& value,
             const EvalContext& ctx) {
  switch (cv.kind) {
    case CompiledValue::Kind::kString:
      if (ToPrimitiveThrows(value)) return Outcome::kThrow;
      return ToOutcome(StringMatches(cv, value));
    case CompiledValue::Kind::kNumber:
      if (ToPrimitiveThrows(value)) return Outcome::kThrow;
      return ToOutcome(JsNumber(value) == cv.number);
    case CompiledValue::Kind::kBool:
      return ToOutcome(!value.is_null() && Truthy(value) == cv.boolean);
    case CompiledValue::Kind::kNull:
      return ToOutcome(value.is_null());
    case CompiledValue::Kind::kStringify:
      return ToOutcome(StringifyEquals(value, cv.literal));
    case CompiledValue::Kind::kOperators:
      for (const OperatorClause& c : cv.ops) {
        Outcome r = EvalOp(c, value, ctx);
        if (r != Outcome::kTrue) return r;
      }
      return Outcome::kTrue;
  }
  return Outcome::kFalse;
}

Outcome EvalClause(const CondClause& clause, const JsValue& obj,
                   const EvalContext& ctx) {
  switch (clause.kind) {
    case CondClause::Kind::kPath:
      return Eval(clause.value, Resolve(clause.path, obj), ctx);
    case CondClause::Kind::kAnd:
      for (const CompiledCond& c : clause.children) {
        Outcome r = Eval(c, obj, ctx);
        if (r != Outcome::kTrue) return r;
      }
      return Outcome::kTrue;
    case CondClause::Kind::kOr:
    case CondClause::Kind::kNor: {
      Outcome any = clause.children.empty() ? Outcome::kTrue : Outcome::kFalse;
      for (const CompiledCond& c : clause.children) {
        Outcome r = Eval(c, obj, ctx);
        if (r != Outcome::kFalse) {
          any = r;
          break;
        }
      }
      return clause.kind == CondClause::Kind::kOr ? any : Negate(any);
    }
    case CondClause::Kind::kNot:
      return Negate(Eval(clause.children[0], obj, ctx));
    case CondClause::Kind::kSavedGroup:
      return EvalSavedGroup(
          obj, clause.group_id,
          clause.has_attribute_key ? &clause.attribute_key : nullptr, ctx,
          nullptr);
  }
  return Outcome::kFalse;
}

Outcome Eval(const CompiledCond& cond, const JsValue& obj,
             const EvalContext& ctx) {
  for (const CondClause& clause : cond.clauses) {
    Outcome r = EvalClause(clause, obj, ctx);
    if (r != Outcome::kTrue) return r;
  }
  return Outcome::kTrue;
}

// ---------------------------------------------------------------------------
// Compilation

Status Invalid(const std::string& path, const std::string& message) {
  return Status::InvalidArgument(path + ": " + message);
}

constexpr const char* kConditionExpected = "expects an object (a condition)";
constexpr const char* kPrimitiveExpected =
    "expects a string, number, boolean or null";

struct OperatorName {
  const char* name;
  Op op;
};
constexpr OperatorName kOperators[] = {
    {"$eq", Op::kEq},
    {"$ne", Op::kNe},
    {"$lt", Op::kLt},
    {"$lte", Op::kLte},
    {"$gt", Op::kGt},
    {"$gte", Op::kGte},
    {"$exists", Op::kExists},
    {"$in", Op::kIn},
    {"$nin", Op::kNin},
    {"$ini", Op::kIni},
    {"$nini", Op::kNini},
    {"$inGroup", Op::kInGroup},
    {"$notInGroup", Op::kNotInGroup},
    {"$not", Op::kNot},
    {"$size", Op::kSize},
    {"$elemMatch", Op::kElemMatchValue},
    {"$all", Op::kAll},
    {"$alli", Op::kAlli},
    {"$regex", Op::kRegex},
    {"$regexi", Op::kRegexi},
    {"$type", Op::kType},
    {"$veq", Op::kVeq},
    {"$vne", Op::kVne},
    {"$vgt", Op::kVgt},
    {"$vgte", Op::kVgte},
    {"$vlt", Op::kVlt},
    {"$vlte", Op::kVlte},
};

constexpr const char* kTypeNames[] = {"string", "number", "boolean",  "array",
                                      "object", "null",   "undefined"};

bool IsPrimitive(const Value& v) { return !v.is_array() && !v.is_object(); }

class Compiler {
 public:
  explicit Compiler(const RegexMatcher* regex) : regex_(regex) {}

  Status CompileCondition(const Value& condition, const std::string& path,
                          CompiledCond* out) {
    if (!condition.is_object()) return Invalid(path, kConditionExpected);
    for (const Member& m : condition.as_object()) {
      const std::string member_path = JoinPath(path, m.key);
      CondClause clause;
      Status s = CompileEntry(m, member_path, &clause);
      if (!s.ok()) return s;
      out->clauses.push_back(std::move(clause));
    }
    return Status::Ok();
  }

 private:
  Status CompileEntry(const Member& m, const std::string& path,
                      CondClause* clause) {
    const std::string& key = m.key;
    if (key == "$and" || key == "$or" || key == "$nor") {
      clause->kind = key == "$and"  ? CondClause::Kind::kAnd
                     : key == "$or" ? CondClause::Kind::kOr
                                    : CondClause::Kind::kNor;
      if (!m.value.is_array()) {
        return Invalid(path, "expects an array of conditions");
      }
      const Array& items = m.value.as_array();
      clause->children.resize(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        Status s =
            CompileCondition(items[i], JoinPath(path, i), &clause->children[i]);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    }
    if (key == "$not") {
      clause->kind = CondClause::Kind::kNot;
      clause->children.resize(1);
      return CompileCondition(m.value, path, &clause->children[0]);
    }
    if (key == "$savedGroup") return CompileSavedGroup(m.value, path, clause);
    if (!key.empty() && key[0] == '$') {
      return Invalid(path,
                     "unknown operator here (a condition's keys are $and, "
                     "$or, $nor, $not, $savedGroup or attribute paths)");
    }
    clause->kind = CondClause::Kind::kPath;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      PathStep step;
      step.name = key.substr(
          start, dot == std::string::npos ? std::string::npos : dot - start);
      PropertyKey pk = MakePropertyKey(step.name);
      step.is_index = pk.is_index;
      step.index = pk.index;
      step.maybe_inherited = pk.maybe_inherited;
      clause->path.push_back(std::move(step));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return CompileValue(m.value, path, false, &clause->value);
  }

  Status CompileSavedGroup(const Value& ref, const std::string& path,
                           CondClause* clause) {
    clause->kind = CondClause::Kind::kSavedGroup;
    if (!ref.is_object()) {
      return Invalid(path,
                     "expects an object {\"id\": string, \"attributeKey\"?: "
                     "string}");
    }
    bool has_id = false;
    for (const Member& m : ref.as_object()) {
      if (m.key == "id") {
        if (!m.value.is_string()) {
          return Invalid(JoinPath(path, m.key), "expects a string");
        }
        has_id = true;
        clause->group_id = m.value.as_string();
      } else if (m.key == "attributeKey") {
        if (!m.value.is_string()) {
          return Invalid(JoinPath(path, m.key), "expects a string");
        }
        clause->has_attribute_key = true;
        clause->attribute_key = m.value.as_string();
      } else {
        return Invalid(JoinPath(path, m.key),
                       "unknown key (a saved group reference has \"id\" and "
                       "\"attributeKey\")");
      }
    }
    if (!has_id) return Invalid(JoinPath(path, "id"), "is required");
    return Status::Ok();
  }

  // A condition value: a literal to compare with, or an operator object.
  Status CompileValue(const Value& v, const std::string& path, bool insensitive,
                      CompiledValue* out) {
    switch (v.type()) {
      case Value::Type::kString: {
        out->kind = CompiledValue::Kind::kString;
        out->insensitive = insensitive;
        out->text = v.as_string();
        const double n = JsStringToNumber(out->text);
        if (!std::isnan(n) && FormatJsNumber(n) == out->text) {
          out->has_number_form = true;
          out->number = n;
        }
        return Status::Ok();
      }
      case Value::Type::kNumber:
        out->kind = CompiledValue::Kind::kNumber;
        out->number = v.as_number();
        return Status::Ok();
      case Value::Type::kBool:
        out->kind = CompiledValue::Kind::kBool;
        out->boolean = v.as_bool();
        return Status::Ok();
      case Value::Type::kNull:
        out->kind = CompiledValue::Kind::kNull;
        return Status::Ok();
      case Value::Type::kArray:
        out->kind = CompiledValue::Kind::kStringify;
        out->literal = v;
        return Status::Ok();
      case Value::Type::kObject:
        break;
    }
    const Object& members = v.as_object();
    size_t operators = 0;
    for (const Member& m : members) {
      if (!m.key.empty() && m.key[0] == '$') ++operators;
    }
    if (operators == 0) {  // includes {}: equality with a plain object
      out->kind = CompiledValue::Kind::kStringify;
      out->literal = v;
      return Status::Ok();
    }
    if (operators != members.size()) {
      return Invalid(path,
                     "mixes operators with plain keys (GrowthBook would "
                     "compare the whole object for equality)");
    }
    out->kind = CompiledValue::Kind::kOperators;
    for (const Member& m : members) {
      OperatorClause clause;
      Status s =
          CompileOperator(m.key, m.value, JoinPath(path, m.key), &clause);
      if (!s.ok()) return s;
      out->ops.push_back(std::move(clause));
    }
    return Status::Ok();
  }

  Status CompileMemberSet(const Value& list, const std::string& path,
                          MemberSet* set) {
    if (!list.is_array()) return Invalid(path, "expects an array");
    const Array& items = list.as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      const Value& item = items[i];
      switch (item.type()) {
        case Value::Type::kString:
          set->strings.push_back(item.as_string());
          break;
        case Value::Type::kNumber:
          if (std::isnan(item.as_number())) {
            set->has_nan = true;
          } else {
            set->numbers.push_back(item.as_number());
          }
          break;
        case Value::Type::kBool:
          (item.as_bool() ? set->has_true : set->has_false) = true;
          break;
        case Value::Type::kNull:
          set->has_null = true;
          break;
        default:
          return Invalid(JoinPath(path, i),
                         std::string(kPrimitiveExpected) +
                             " (arrays and objects never match)");
      }
    }
    CompactSort(set->strings.begin(), set->strings.end());
    CompactSort(set->numbers.begin(), set->numbers.end());
    for (const std::string& text : set->strings) {
      set->text_bits |= MemberSet::TextBit(text);
    }
    return Status::Ok();
  }

  Status CompileOperator(const std::string& name, const Value& operand,
                         const std::string& path, OperatorClause* c) {
    const OperatorName* found = nullptr;
    for (const OperatorName& entry : kOperators) {
      if (name == entry.name) found = &entry;
    }
    if (found == nullptr) return Invalid(path, "unknown operator");
    c->op = found->op;
    switch (c->op) {
      case Op::kEq:
      case Op::kNe:
        // `===` on an array or object literal is never true.
        if (!IsPrimitive(operand)) return Invalid(path, kPrimitiveExpected);
        c->operand = operand;
        return Status::Ok();
      case Op::kLt:
      case Op::kLte:
      case Op::kGt:
      case Op::kGte:
        if (!operand.is_number() && !operand.is_string()) {
          return Invalid(path, "expects a number or a string");
        }
        c->operand = operand;
        return Status::Ok();
      case Op::kExists:
        if (!operand.is_bool()) return Invalid(path, "expects a boolean");
        c->flag = operand.as_bool();
        return Status::Ok();
      case Op::kIn:
      case Op::kNin:
      case Op::kIni:
      case Op::kNini:
        return CompileMemberSet(operand, path, &c->set);
      case Op::kInGroup:
      case Op::kNotInGroup:
        if (!operand.is_string()) {
          return Invalid(path, "expects a string (a saved group id)");
        }
        c->text = operand.as_string();
        return Status::Ok();
      case Op::kNot:
        c->values.resize(1);
        return CompileValue(operand, path, false, &c->values[0]);
      case Op::kSize:
        if (!operand.is_number() &&
            !(operand.is_object() && operand.size() > 0 &&
              IsOperatorObject(operand))) {
          return Invalid(path,
                         "expects a number or an operator object such as "
                         "{\"$gt\": 0}");
        }
        c->values.resize(1);
        return CompileValue(operand, path, false, &c->values[0]);
      case Op::kElemMatchValue:
        if (!operand.is_object()) {
          return Invalid(path, "expects an object (a condition or operators)");
        }
        if (IsOperatorObject(operand)) {
          c->values.resize(1);
          return CompileValue(operand, path, false, &c->values[0]);
        }
        c->op = Op::kElemMatchCondition;
        c->conditions.resize(1);
        return CompileCondition(operand, path, &c->conditions[0]);
      case Op::kAll:
      case Op::kAlli: {
        if (!operand.is_array()) return Invalid(path, "expects an array");
        const Array& items = operand.as_array();
        c->values.resize(items.size());
        for (size_t i = 0; i < items.size(); ++i) {
          Status s = CompileValue(items[i], JoinPath(path, i),
                                  c->op == Op::kAlli, &c->values[i]);
          if (!s.ok()) return s;
        }
        return Status::Ok();
      }
      case Op::kRegex:
      case Op::kRegexi:
        if (!operand.is_string()) {
          return Invalid(path, "expects a string (a regular expression)");
        }
        if (regex_ != nullptr &&
            !regex_->Search(operand.as_string(), "", c->op == Op::kRegexi)) {
          return Invalid(path, "is not a valid regular expression");
        }
        c->text = operand.as_string();
        return Status::Ok();
      case Op::kType:
        for (const char* type : kTypeNames) {
          if (operand.is_string() && operand.as_string() == type) {
            c->text = type;
            return Status::Ok();
          }
        }
        return Invalid(path,
                       "expects one of \"string\", \"number\", \"boolean\", "
                       "\"array\", \"object\", \"null\", \"undefined\"");
      case Op::kVeq:
      case Op::kVne:
      case Op::kVgt:
      case Op::kVgte:
      case Op::kVlt:
      case Op::kVlte:
        if (!operand.is_string() && !operand.is_number()) {
          return Invalid(path, "expects a version string such as \"1.2.3\"");
        }
        c->text = PaddedVersionString(JsValue::Of(operand));
        return Status::Ok();
      case Op::kElemMatchCondition:
        break;
    }
    return Invalid(path, "unknown operator");
  }

  const RegexMatcher* regex_;
};

}  // namespace
}  // namespace condition_internal

struct CompiledCondition::Impl {
  Value source;
  condition_internal::CompiledCond root;
};

Result<CompiledCondition> CompiledCondition::Compile(
    const Value& condition, const RegexMatcher* regex) {
  auto impl = std::make_shared<Impl>();
  condition_internal::Compiler compiler(regex);
  Status s = compiler.CompileCondition(condition, "$", &impl->root);
  if (!s.ok()) return s;
  impl->source = condition;
  CompiledCondition compiled;
  compiled.impl_ = std::move(impl);
  return compiled;
}

CompiledCondition::CompiledCondition() = default;
CompiledCondition::~CompiledCondition() = default;
CompiledCondition::CompiledCondition(const CompiledCondition&) = default;
CompiledCondition& CompiledCondition::operator=(const CompiledCondition&) =
    default;
CompiledCondition::CompiledCondition(CompiledCondition&&) noexcept = default;
CompiledCondition& CompiledCondition::operator=(CompiledCondition&&) noexcept =
    default;

bool CompiledCondition::Evaluate(const Value& attributes,
                                 const Value& saved_groups,
                                 const RegexMatcher* regex) const {
  if (impl_ == nullptr) return true;  // the empty condition
  condition_internal::EvalContext ctx;
  ctx.saved_groups = &saved_groups;
  ctx.regex = regex;
  return condition_internal::Eval(impl_->root,
                                  condition_internal::JsValue::Of(attributes),
                                  ctx) == condition_internal::Outcome::kTrue;
}

namespace {

// Paths of `cond` and of its $and/$or/$nor/$not children, which are read
// from the same object. $elemMatch conditions read inside their path's
// value, which that path already covers.
bool CollectPaths(const condition_internal::CompiledCond& cond,
                  std::vector<std::string>* out) {
  using condition_internal::CondClause;
  for (const CondClause& clause : cond.clauses) {
    if (clause.kind == CondClause::Kind::kSavedGroup) return false;
    if (clause.kind == CondClause::Kind::kPath) {
      std::string& dotted = out->emplace_back();
      for (size_t i = 0; i < clause.path.size(); ++i) {
        if (i > 0) dotted += '.';
        dotted += clause.path[i].name;
      }
    }
    for (const auto& child : clause.children) {
      if (!CollectPaths(child, out)) return false;
    }
  }
  return true;
}

}  // namespace

bool CompiledCondition::ReadPaths(std::vector<std::string>* out) const {
  return impl_ == nullptr || CollectPaths(impl_->root, out);
}

const Value& CompiledCondition::source() const {
  static const Value* const empty = new Value(Value::MakeObject());
  return impl_ ? impl_->source : *empty;
}

}  // namespace tessera
