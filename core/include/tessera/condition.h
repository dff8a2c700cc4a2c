// Targeting conditions: GrowthBook's MongoDB-style condition dialect.
//
// EvalCondition gives the same answer as GrowthBook's JS `evalCondition`
// (reference: @growthbook/growthbook 1.8.0, pinned in tests/peers) for every
// input, malformed conditions included: an unknown operator is false there,
// and here. JavaScript's coercions are reproduced (`"42"` equals 42, a
// missing attribute reads as null, `$gte: 0` holds for it, "a.length" and
// "a.0" reach into arrays); where GrowthBook would throw (a null
// sub-condition), the answer is false. Saved groups follow 1.8.0 too: bare
// arrays and {"type":"list"} entries for $inGroup/$notInGroup, and
// `$savedGroup` references to list and condition groups.
//
// CompiledCondition parses a condition once for fast repeated evaluation
// (no allocation for the usual attribute types) and, unlike EvalCondition,
// rejects a malformed condition with an InvalidArgument status naming the
// offending path ("$.$or[1].country.$in: expects an array"). A condition it
// accepts evaluates exactly as EvalCondition does.
//
// $ini, $nini and $alli lower every letter as String.prototype.toLowerCase
// does (one table for all of Unicode; the dotted capital I becomes "i" and
// U+0307). Its final-sigma rule is followed with short lists of cased and
// case-ignorable letters rather than Unicode's full data, so a capital sigma
// next to rare letters may still differ.
//
// `$regex`/`$regexi` are delegated to a RegexMatcher so that the browser build
// can use the host's JavaScript RegExp (GrowthBook's exact semantics, and no
// std::regex bytes in the wasm); natively, StdRegexMatcher
// (tessera/std_regex_matcher.h) uses std::regex's ECMAScript grammar.
// Evaluation is const and re-entrant: a CompiledCondition can be shared across
// threads if the RegexMatcher can.
#ifndef TESSERA_CONDITION_H_
#define TESSERA_CONDITION_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

class RegexMatcher {
 public:
  virtual ~RegexMatcher() = default;
  // Whether `pattern` matches anywhere in `subject` (RegExp.prototype.test);
  // std::nullopt when the pattern is not a valid regular expression.
  virtual std::optional<bool> Search(std::string_view pattern,
                                     std::string_view subject,
                                     bool ignore_case) const = 0;
};

// Evaluates `condition` against `attributes`. `saved_groups` is an object of
// group id -> array of values (for $inGroup/$notInGroup), or null. With a null
// `regex`, every $regex/$regexi is false.
bool EvalCondition(const Value& attributes, const Value& condition,
                   const Value& saved_groups = Value(),
                   const RegexMatcher* regex = nullptr);

class CompiledCondition {
 public:
  // Parses and checks `condition`. `regex`, when given, is used to reject
  // invalid patterns at compile time (it is not retained).
  static Result<CompiledCondition> Compile(const Value& condition,
                                           const RegexMatcher* regex = nullptr);

  CompiledCondition();  // matches everything, like the empty condition {}
  ~CompiledCondition();
  CompiledCondition(const CompiledCondition&);
  CompiledCondition& operator=(const CompiledCondition&);
  CompiledCondition(CompiledCondition&&) noexcept;
  CompiledCondition& operator=(CompiledCondition&&) noexcept;

  bool Evaluate(const Value& attributes, const Value& saved_groups = Value(),
                const RegexMatcher* regex = nullptr) const;

  // The condition as it was given.
  const Value& source() const;

  // Appends every attribute path the condition looks up from the root, as
  // written in the condition ("a.b"; a key is split at its dots); a path's
  // value is all an answer depends on besides saved groups and regexes, so
  // a caller may reuse an answer while none of these values changed. False
  // (and `out` incomplete) when that cannot be known: a $savedGroup
  // reference evaluates whatever condition the saved groups hold.
  bool ReadPaths(std::vector<std::string>* out) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;  // immutable after Compile, so shared
};

}  // namespace tessera

#endif  // TESSERA_CONDITION_H_
