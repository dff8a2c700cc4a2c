#include "js_regex_matcher.h"

#include <emscripten.h>

// Returns 1 for a match, 0 for none, -1 when the pattern does not compile.
// Compiled RegExps are cached by source and flags: conditions repeat.
EM_JS(int, tessera_regex_test,
      (const char* pattern, int pattern_len, const char* subject,
       int subject_len, int ignore_case),
      {
        const decode = (ptr, len) => UTF8ToString(ptr, len);
        const source = decode(pattern, pattern_len);
        const flags = ignore_case ? "i" : "";
        const cache = Module.tesseraRegexCache || (Module.tesseraRegexCache = new Map());
        const key = flags + "/" + source;
        let re = cache.get(key);
        if (re === undefined) {
          try {
            re = new RegExp(source, flags);
          } catch (e) {
            re = null;
          }
          if (cache.size > 256) cache.clear();
          cache.set(key, re);
        }
        if (re === null) return -1;
        return re.test(decode(subject, subject_len)) ? 1 : 0;
      });

namespace tessera::wasm {

std::optional<bool> JsRegexMatcher::Search(std::string_view pattern,
                                           std::string_view subject,
                                           bool ignore_case) const {
  int result = tessera_regex_test(
      pattern.data(), static_cast<int>(pattern.size()), subject.data(),
      static_cast<int>(subject.size()), ignore_case ? 1 : 0);
  if (result < 0) return std::nullopt;
  return result == 1;
}

}  // namespace tessera::wasm
