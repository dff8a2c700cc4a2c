// The pieces of GrowthBook's evalCondition shared by the interpreter
// (EvalCondition) and compiled conditions: outcomes that can be "GrowthBook
// would have thrown", attribute paths, membership and saved groups.
#ifndef TESSERA_SRC_CONDITION_EVAL_INTERNAL_H_
#define TESSERA_SRC_CONDITION_EVAL_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "condition_js_value.h"
#include "tessera/condition.h"
#include "tessera/json.h"

namespace tessera {
namespace condition_internal {

// GrowthBook's evalCondition throws a TypeError on a few malformed shapes (a
// null sub-condition, `$or: null`, `$elemMatch: null`). A throw escapes every
// enclosing $not/$nor, so it is carried as a third outcome and only turned
// into `false` at the top.
enum class Outcome : uint8_t { kFalse, kTrue, kThrow };

inline Outcome ToOutcome(bool b) {
  return b ? Outcome::kTrue : Outcome::kFalse;
}
inline Outcome Negate(Outcome o) {
  return o == Outcome::kThrow
             ? o
             : (o == Outcome::kTrue ? Outcome::kFalse : Outcome::kTrue);
}

struct EvalContext {
  const Value* saved_groups = nullptr;  // object of id -> group, or absent
  const RegexMatcher* regex = nullptr;
};

// The saved-group ids being resolved, innermost first, to stop cycles.
struct VisitedGroups {
  std::string_view id;
  const VisitedGroups* parent = nullptr;
  static bool Contains(const VisitedGroups* v, std::string_view id) {
    for (; v != nullptr; v = v->parent) {
      if (v->id == id) return true;
    }
    return false;
  }
};

// GrowthBook's getPath: a missing step (or a step into a non-object) gives
// null, never undefined.
JsValue GetPath(const JsValue& obj, std::string_view dotted_path);

// GrowthBook's isIn: SameValueZero membership, or case-folded for
// $ini/$nini; an array attribute matches when any element is a member.
bool IsIn(const JsValue& actual, const Array& expected, bool insensitive);

// What `savedGroups[key]` gives $inGroup/$notInGroup: an unknown id is an
// empty list, a list entry its values, anything else no list at all.
struct SavedGroupList {
  enum class Kind : uint8_t { kUnknownId, kList, kNotAList } kind;
  const Array* values = nullptr;  // kList
};
SavedGroupList LookupSavedGroupList(const EvalContext& ctx,
                                    std::string_view key);

// `$inGroup` (negate = false) and `$notInGroup` (negate = true).
bool EvalInGroup(const JsValue& actual, std::string_view group_key, bool negate,
                 const EvalContext& ctx);

// A `$savedGroup` reference already known to have a string id and an
// optional string attribute key (nullptr when absent).
Outcome EvalSavedGroup(const JsValue& obj, std::string_view id,
                       const std::string* attribute_key, const EvalContext& ctx,
                       const VisitedGroups* visited);

// $regex/$regexi: false without a matcher or for an invalid pattern.
bool EvalRegex(const JsValue& actual, std::string_view pattern,
               bool ignore_case, const EvalContext& ctx);

// The interpreter's entry point for a condition in condition position.
Outcome InterpretCondition(const JsValue& obj, const Value* condition,
                           const EvalContext& ctx,
                           const VisitedGroups* visited);

// Whether GrowthBook's isOperatorObject holds for a JSON object: non-empty,
// and every key starts with "$".
bool IsOperatorObject(const Value& object);

}  // namespace condition_internal
}  // namespace tessera

#endif  // TESSERA_SRC_CONDITION_EVAL_INTERNAL_H_
