// RegexMatcher backed by the host's JavaScript RegExp: exactly GrowthBook's
// $regex semantics, and no std::regex bytes in the wasm binary.
#ifndef TESSERA_WASM_JS_REGEX_MATCHER_H_
#define TESSERA_WASM_JS_REGEX_MATCHER_H_

#include "tessera/condition.h"

namespace tessera::wasm {

class JsRegexMatcher : public RegexMatcher {
 public:
  std::optional<bool> Search(std::string_view pattern, std::string_view subject,
                             bool ignore_case) const override;
};

}  // namespace tessera::wasm

#endif  // TESSERA_WASM_JS_REGEX_MATCHER_H_
