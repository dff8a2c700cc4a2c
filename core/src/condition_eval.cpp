// The condition interpreter: GrowthBook's evalCondition over tessera::Value,
// malformed conditions included. It mirrors the reference step by step (see
// packages/sdk-js/src/mongrule.ts of @growthbook/growthbook 1.8.0) so that the
// compiled form, which only accepts well-formed conditions, has something
// exact to be checked against.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "compact_sort.h"
#include "condition_eval_internal.h"
#include "condition_js_value.h"
#include "tessera/condition.h"
#include "version_compare.h"

namespace tessera {
namespace condition_internal {
namespace {

Outcome EvalConditionValue(const Value& condition, const JsValue& value,
                           bool insensitive, const EvalContext& ctx,
                           const VisitedGroups* visited);

std::string IndexKey(size_t i) { return IntegerText(i); }

bool SameValueZero(const JsValue& a, const Value& b) {
  if (a.kind == JsValue::Kind::kNumber && b.is_number() &&
      std::isnan(a.number) && std::isnan(b.as_number())) {
    return true;
  }
  return StrictEquals(a, b);
}

// `caseFold(a) === caseFold(b)`, folding strings only.
bool FoldedEquals(const JsValue& a, const Value& b) {
  if (a.is_string() && b.is_string()) {
    return LowerCaseEquals(a.string(), b.as_string());
  }
  return StrictEquals(a, b);
}

bool IsMember(const JsValue& a, const Array& expected, bool insensitive) {
  for (const Value& e : expected) {
    if (insensitive ? FoldedEquals(a, e) : SameValueZero(a, e)) return true;
  }
  return false;
}

// A condition that is a single UTF-16 code unit of a string: its only entry
// is ["0", unit]. A lone surrogate equals no string built from valid text.
Outcome EvalCodeUnitCondition(const JsValue& obj, std::string_view unit) {
  const JsValue value = GetPath(obj, "0");
  if (ToPrimitiveThrows(value)) return Outcome::kThrow;
  if (unit.empty()) return Outcome::kFalse;
  return ToOutcome(JsStringEquals(value, unit));
}

// Calls visit(code_unit_index, unit_text) per UTF-16 code unit of `text`,
// with empty unit_text for the halves of a surrogate pair. Stops when visit
// returns false.
template <typename Visit>
void ForEachCodeUnit(std::string_view text, Visit visit) {
  size_t unit = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (i + length > text.size()) length = text.size() - i;
    if (length == 4) {
      if (!visit(unit, std::string_view())) return;
      if (!visit(unit + 1, std::string_view())) return;
      unit += 2;
    } else {
      if (!visit(unit, text.substr(i, length))) return;
      unit += 1;
    }
    i += length;
  }
}

// `for (i = 0; i < conds.length; i++) evalCondition(obj, conds[i])` with
// $or's early `if (!conds.length) return true`, over whatever JSON value the
// condition holds where an array belongs.
Outcome EvalOrAnd(const JsValue& obj, const Value& conds, bool is_or,
                  const EvalContext& ctx, const VisitedGroups* visited) {
  if (conds.is_null()) return Outcome::kThrow;  // null.length
  Outcome result = is_or ? Outcome::kFalse : Outcome::kTrue;
  // Returns false to stop: on a throw, on $or's first true or $and's first
  // false.
  const auto take = [&](Outcome item) {
    if (item == Outcome::kThrow || (item == Outcome::kTrue) == is_or) {
      result = item;
      return false;
    }
    return true;
  };
  if (conds.is_array()) {
    if (is_or && conds.as_array().empty()) return Outcome::kTrue;
    for (const Value& c : conds.as_array()) {
      if (!take(InterpretCondition(obj, &c, ctx, visited))) break;
    }
    return result;
  }
  if (conds.is_string()) {
    const std::string& text = conds.as_string();
    if (is_or && text.empty()) return Outcome::kTrue;
    ForEachCodeUnit(text, [&](size_t, std::string_view unit) {
      return take(EvalCodeUnitCondition(obj, unit));
    });
    return result;
  }
  if (!conds.is_object()) return Outcome::kTrue;  // length is undefined
  const Value* length = FindOwn(conds, "length");
  if (length == nullptr) return Outcome::kTrue;
  const JsValue js_length = JsValue::Of(*length);
  if (is_or && !Truthy(js_length)) return Outcome::kTrue;
  if (ToPrimitiveThrows(js_length)) return Outcome::kThrow;  // i < length
  for (size_t i = 0; JsLess(JsValue::Number(static_cast<double>(i)), js_length);
       ++i) {
    // A missing index is `undefined`, and Object.entries(undefined) throws.
    const Value* item = FindOwn(conds, IndexKey(i));
    if (!take(InterpretCondition(obj, item, ctx, visited))) break;
  }
  return result;
}

Outcome EvalElemMatch(const JsValue& actual, const Value& expected,
                      const EvalContext& ctx, const VisitedGroups* visited) {
  if (!actual.is_array()) return Outcome::kFalse;
  if (expected.is_null()) return Outcome::kThrow;  // Object.keys(null)
  const bool is_operator = expected.is_object() && IsOperatorObject(expected);
  for (size_t i = 0; i < actual.array_size(); ++i) {
    const Value& element = actual.element(i);
    if (element.is_null()) continue;
    Outcome r = is_operator ? EvalConditionValue(expected, JsValue::Of(element),
                                                 false, ctx, visited)
                            : InterpretCondition(JsValue::Of(element),
                                                 &expected, ctx, visited);
    if (r != Outcome::kFalse) return r;
  }
  return Outcome::kFalse;
}

Outcome EvalAll(const JsValue& actual, const Array& expected, bool insensitive,
                const EvalContext& ctx, const VisitedGroups* visited) {
  if (!actual.is_array()) return Outcome::kFalse;
  for (const Value& e : expected) {
    bool passed = false;
    for (size_t j = 0; j < actual.array_size() && !passed; ++j) {
      Outcome r = EvalConditionValue(e, JsValue::Of(actual.element(j)),
                                     insensitive, ctx, visited);
      if (r == Outcome::kThrow) return r;
      passed = r == Outcome::kTrue;
    }
    if (!passed) return Outcome::kFalse;
  }
  return Outcome::kTrue;
}

Outcome EvalOperator(std::string_view op, const JsValue& actual,
                     const Value& expected, const EvalContext& ctx,
                     const VisitedGroups* visited) {
  const JsValue js_expected = JsValue::Of(expected);
  if (op.size() >= 4 && op[1] == 'v' &&
      (op == "$veq" || op == "$vne" || op == "$vgt" || op == "$vgte" ||
       op == "$vlt" || op == "$vlte")) {
    PaddedVersion a(actual), e(js_expected);
    const int c = CompareVersions(a.view(), e.view());
    if (op == "$veq") return ToOutcome(c == 0);
    if (op == "$vne") return ToOutcome(c != 0);
    if (op == "$vgt") return ToOutcome(c > 0);
    if (op == "$vgte") return ToOutcome(c >= 0);
    if (op == "$vlt") return ToOutcome(c < 0);
    return ToOutcome(c <= 0);
  }
  if (op == "$eq") return ToOutcome(StrictEquals(actual, expected));
  if (op == "$ne") return ToOutcome(!StrictEquals(actual, expected));
  const bool ordering =
      op == "$lt" || op == "$lte" || op == "$gt" || op == "$gte";
  if (ordering &&
      (ToPrimitiveThrows(actual) || ToPrimitiveThrows(js_expected))) {
    return Outcome::kThrow;
  }
  if (op == "$lt") return ToOutcome(JsLess(actual, js_expected));
  if (op == "$lte") return ToOutcome(JsLessOrEqual(actual, js_expected));
  if (op == "$gt") return ToOutcome(JsLess(js_expected, actual));
  if (op == "$gte") return ToOutcome(JsLessOrEqual(js_expected, actual));
  if (op == "$exists") {
    return ToOutcome(Truthy(js_expected) ? !actual.is_null()
                                         : actual.is_null());
  }
  if (op == "$in" || op == "$ini" || op == "$nin" || op == "$nini") {
    if (!expected.is_array()) return Outcome::kFalse;
    const bool insensitive = op.back() == 'i';
    const bool in = IsIn(actual, expected.as_array(), insensitive);
    return ToOutcome(op[1] == 'n' ? !in : in);
  }
  if (op == "$inGroup" || op == "$notInGroup") {
    // savedGroups[expected] converts the operand to a property key.
    if (ToPrimitiveThrows(js_expected)) return Outcome::kThrow;
    return ToOutcome(
        EvalInGroup(actual, PropertyKeyText(expected), op[1] == 'n', ctx));
  }
  if (op == "$not") {
    return Negate(EvalConditionValue(expected, actual, false, ctx, visited));
  }
  if (op == "$size") {
    if (!actual.is_array()) return Outcome::kFalse;
    return EvalConditionValue(
        expected, JsValue::Number(static_cast<double>(actual.array_size())),
        false, ctx, visited);
  }
  if (op == "$elemMatch") return EvalElemMatch(actual, expected, ctx, visited);
  if (op == "$all" || op == "$alli") {
    if (!expected.is_array()) return Outcome::kFalse;
    return EvalAll(actual, expected.as_array(), op == "$alli", ctx, visited);
  }
  if (op == "$regex" || op == "$regexi") {
    // A non-string pattern makes GrowthBook's getRegex throw, caught as false.
    if (!expected.is_string()) return Outcome::kFalse;
    return ToOutcome(
        EvalRegex(actual, expected.as_string(), op == "$regexi", ctx));
  }
  if (op == "$type") {
    return ToOutcome(expected.is_string() &&
                     expected.as_string() == TypeName(actual));
  }
  return Outcome::kFalse;  // unknown operator
}

Outcome EvalConditionValue(const Value& condition, const JsValue& value,
                           bool insensitive, const EvalContext& ctx,
                           const VisitedGroups* visited) {
  switch (condition.type()) {
    case Value::Type::kString:
      if (ToPrimitiveThrows(value)) return Outcome::kThrow;
      if (insensitive) {
        return ToOutcome(
            LowerCaseEquals(JsString(value), condition.as_string()));
      }
      return ToOutcome(JsStringEquals(value, condition.as_string()));
    case Value::Type::kNumber:
      if (ToPrimitiveThrows(value)) return Outcome::kThrow;
      return ToOutcome(JsNumber(value) == condition.as_number());
    case Value::Type::kBool:
      return ToOutcome(!value.is_null() &&
                       Truthy(value) == condition.as_bool());
    case Value::Type::kNull:
      return ToOutcome(value.is_null());
    case Value::Type::kArray:
      return ToOutcome(StringifyEquals(value, condition));
    case Value::Type::kObject:
      break;
  }
  if (!IsOperatorObject(condition)) {
    return ToOutcome(StringifyEquals(value, condition));
  }
  for (const Member& m : condition.as_object()) {
    Outcome r = EvalOperator(m.key, value, m.value, ctx, visited);
    if (r != Outcome::kTrue) return r;
  }
  return Outcome::kTrue;
}

Outcome EvalSavedGroupReference(const JsValue& obj, const Value& reference,
                                const EvalContext& ctx,
                                const VisitedGroups* visited) {
  if (!reference.is_object()) return Outcome::kFalse;
  const Value* id = FindOwn(reference, "id");
  if (id == nullptr || !id->is_string()) return Outcome::kFalse;
  const Value* attribute_key = FindOwn(reference, "attributeKey");
  if (attribute_key != nullptr && !attribute_key->is_string()) {
    return Outcome::kFalse;
  }
  return EvalSavedGroup(obj, id->as_string(),
                        attribute_key ? &attribute_key->as_string() : nullptr,
                        ctx, visited);
}

Outcome EvalEntry(const JsValue& obj, const Member& entry,
                  const EvalContext& ctx, const VisitedGroups* visited) {
  const std::string& key = entry.key;
  if (!key.empty() && key[0] == '$') {
    if (key == "$or") return EvalOrAnd(obj, entry.value, true, ctx, visited);
    if (key == "$nor") {
      return Negate(EvalOrAnd(obj, entry.value, true, ctx, visited));
    }
    if (key == "$and") return EvalOrAnd(obj, entry.value, false, ctx, visited);
    if (key == "$not") {
      return Negate(InterpretCondition(obj, &entry.value, ctx, visited));
    }
    if (key == "$savedGroup") {
      return EvalSavedGroupReference(obj, entry.value, ctx, visited);
    }
  }
  return EvalConditionValue(entry.value, GetPath(obj, key), false, ctx,
                            visited);
}

}  // namespace

JsValue GetPath(const JsValue& obj, std::string_view dotted_path) {
  JsValue current = obj;
  size_t start = 0;
  while (true) {
    size_t dot = dotted_path.find('.', start);
    std::string_view part = dotted_path.substr(
        start,
        dot == std::string_view::npos ? std::string_view::npos : dot - start);
    JsValue next;
    if (!GetProperty(current, MakePropertyKey(part), &next)) {
      return JsValue::Null();
    }
    current = next;
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
}

bool IsIn(const JsValue& actual, const Array& expected, bool insensitive) {
  if (actual.is_array()) {
    for (size_t i = 0; i < actual.array_size(); ++i) {
      if (IsMember(JsValue::Of(actual.element(i)), expected, insensitive)) {
        return true;
      }
    }
    return false;
  }
  return IsMember(actual, expected, insensitive);
}

SavedGroupList LookupSavedGroupList(const EvalContext& ctx,
                                    std::string_view key) {
  static const Value* const empty_groups = new Value(Value::MakeObject());
  const Value* groups = ctx.saved_groups;
  // `savedGroups || {}`; other non-objects are outside the contract and read
  // as {} too.
  if (groups == nullptr || !(groups->is_object() || groups->is_array())) {
    groups = empty_groups;
  }
  JsValue entry;
  if (!GetProperty(JsValue::Of(*groups), MakePropertyKey(key), &entry)) {
    return {SavedGroupList::Kind::kUnknownId, nullptr};
  }
  if (entry.is_array()) {
    return {SavedGroupList::Kind::kList, &entry.value->as_array()};
  }
  if (entry.kind == JsValue::Kind::kObject) {
    JsValue type, values;
    if (GetProperty(entry, MakePropertyKey("type"), &type) &&
        type.is_string() && type.string() == "list") {
      if (GetProperty(entry, MakePropertyKey("values"), &values) &&
          values.is_array()) {
        return {SavedGroupList::Kind::kList, &values.value->as_array()};
      }
    }
  }
  return {SavedGroupList::Kind::kNotAList, nullptr};
}

bool EvalInGroup(const JsValue& actual, std::string_view group_key, bool negate,
                 const EvalContext& ctx) {
  SavedGroupList list = LookupSavedGroupList(ctx, group_key);
  // A malformed entry matches nobody either way: $notInGroup over "no list"
  // passing everyone would be the dangerous reading.
  if (list.kind == SavedGroupList::Kind::kNotAList) return false;
  bool in = list.kind == SavedGroupList::Kind::kList &&
            IsIn(actual, *list.values, false);
  return negate ? !in : in;
}

Outcome EvalSavedGroup(const JsValue& obj, std::string_view id,
                       const std::string* attribute_key, const EvalContext& ctx,
                       const VisitedGroups* visited) {
  if (VisitedGroups::Contains(visited, id)) return Outcome::kFalse;
  static const Value* const empty_groups = new Value(Value::MakeObject());
  const Value* groups = ctx.saved_groups;
  if (groups == nullptr || !(groups->is_object() || groups->is_array())) {
    groups = empty_groups;
  }
  JsValue entry;
  if (!GetProperty(JsValue::Of(*groups), MakePropertyKey(id), &entry) ||
      entry.kind != JsValue::Kind::kObject) {
    return Outcome::kFalse;
  }
  const VisitedGroups next{id, visited};
  JsValue type;
  if (!GetProperty(entry, MakePropertyKey("type"), &type) ||
      !type.is_string()) {
    return Outcome::kFalse;
  }
  if (type.string() == "list") {
    JsValue key, values;
    std::string_view path;
    if (attribute_key != nullptr) {
      path = *attribute_key;
    } else if (GetProperty(entry, MakePropertyKey("attributeKey"), &key) &&
               key.is_string()) {
      path = key.string();
    } else {
      return Outcome::kFalse;
    }
    if (!GetProperty(entry, MakePropertyKey("values"), &values) ||
        !values.is_array()) {
      return Outcome::kFalse;
    }
    return ToOutcome(IsIn(GetPath(obj, path), values.value->as_array(), false));
  }
  if (type.string() == "condition") {
    JsValue condition;
    if (!GetProperty(entry, MakePropertyKey("condition"), &condition) ||
        !(condition.kind == JsValue::Kind::kObject ||
          condition.kind == JsValue::Kind::kArray)) {
      return Outcome::kFalse;
    }
    return InterpretCondition(obj, condition.value, ctx, &next);
  }
  return Outcome::kFalse;  // a group type newer than this code
}

bool EvalRegex(const JsValue& actual, std::string_view pattern,
               bool ignore_case, const EvalContext& ctx) {
  if (ctx.regex == nullptr) return false;
  // RegExp.prototype.test converts its argument inside GrowthBook's try.
  if (ToPrimitiveThrows(actual)) return false;
  std::optional<bool> found;
  if (actual.is_string()) {
    found = ctx.regex->Search(pattern, actual.string(), ignore_case);
  } else {
    found = ctx.regex->Search(pattern, JsString(actual), ignore_case);
  }
  return found.value_or(false);
}

bool IsOperatorObject(const Value& object) {
  const Object& members = object.as_object();
  if (members.empty()) return false;
  for (const Member& m : members) {
    if (m.key.empty() || m.key[0] != '$') return false;
  }
  return true;
}

Outcome InterpretCondition(const JsValue& obj, const Value* condition,
                           const EvalContext& ctx,
                           const VisitedGroups* visited) {
  // Object.entries(undefined | null) throws.
  if (condition == nullptr || condition->is_null()) return Outcome::kThrow;
  switch (condition->type()) {
    case Value::Type::kBool:
    case Value::Type::kNumber:
      return Outcome::kTrue;  // no entries
    case Value::Type::kString: {
      // Entries of a string are its code units under index keys.
      Outcome result = Outcome::kTrue;
      ForEachCodeUnit(condition->as_string(),
                      [&](size_t index, std::string_view unit) {
                        const JsValue value = GetPath(obj, IndexKey(index));
                        if (ToPrimitiveThrows(value)) {
                          result = Outcome::kThrow;
                          return false;
                        }
                        if (unit.empty() || !JsStringEquals(value, unit)) {
                          result = Outcome::kFalse;
                          return false;
                        }
                        return true;
                      });
      return result;
    }
    case Value::Type::kArray: {
      const Array& items = condition->as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        Outcome r = EvalConditionValue(items[i], GetPath(obj, IndexKey(i)),
                                       false, ctx, visited);
        if (r != Outcome::kTrue) return r;
      }
      return Outcome::kTrue;
    }
    default:
      break;
  }
  const Object& members = condition->as_object();
  // Object.entries visits array-index keys first, in numeric order; the order
  // decides whether a throwing entry is reached before a false one.
  std::vector<std::pair<uint32_t, size_t>> index_keys;
  for (size_t i = 0; i < members.size(); ++i) {
    PropertyKey key = MakePropertyKey(members[i].key);
    if (key.is_index) index_keys.emplace_back(key.index, i);
  }
  if (!index_keys.empty()) {
    CompactSort(index_keys.begin(), index_keys.end());
    for (const auto& k : index_keys) {
      Outcome r = EvalEntry(obj, members[k.second], ctx, visited);
      if (r != Outcome::kTrue) return r;
    }
  }
  for (const Member& m : members) {
    if (!index_keys.empty() && MakePropertyKey(m.key).is_index) continue;
    Outcome r = EvalEntry(obj, m, ctx, visited);
    if (r != Outcome::kTrue) return r;
  }
  return Outcome::kTrue;
}

}  // namespace condition_internal

bool EvalCondition(const Value& attributes, const Value& condition,
                   const Value& saved_groups, const RegexMatcher* regex) {
  condition_internal::EvalContext ctx;
  ctx.saved_groups = &saved_groups;
  ctx.regex = regex;
  return condition_internal::InterpretCondition(
             condition_internal::JsValue::Of(attributes), &condition, ctx,
             nullptr) == condition_internal::Outcome::kTrue;
}

}  // namespace tessera
