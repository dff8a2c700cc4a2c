// Targeting conditions: GrowthBook's MongoDB-style condition dialect.
//
// EvalCondition gives the same answer as GrowthBook's JS `evalCondition` for
// every input, malformed conditions included (an unknown operator is simply
// false there, and here). CompiledCondition parses a condition once for fast
// repeated evaluation and, unlike EvalCondition, rejects a malformed condition
// with an InvalidArgument status naming the offending path
// ("$.$and[1].age.$gt: $in needs an array").
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
#include <string_view>

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

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;  // immutable after Compile, so shared
};

}  // namespace tessera

#endif  // TESSERA_CONDITION_H_
