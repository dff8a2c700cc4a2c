#include "js_regex_matcher.h"

#include <emscripten.h>

#include <string>
#include <vector>

// Compiles `pattern` into the module's list of RegExps; returns its index,
// or -1 when the pattern does not compile. Text is decoded by length with
// UTF8Decoder (always there, -sTEXTDECODER=2): UTF8ToString stops at a NUL,
// which JSON text may hold ("\u0000"), so "a\u0000b" was tested as "a".
EM_JS(int, tessera_regex_compile,
      (const char* pattern, int pattern_len, int ignore_case), {
        let re;
        try {
          re = new RegExp(
              UTF8Decoder.decode(HEAPU8.subarray(pattern, pattern + pattern_len)),
              ignore_case ? "i" : "");
        } catch (e) {
          return -1;
        }
        const list = Module.tesseraRegexes || (Module.tesseraRegexes = []);
        list.push(re);
        return list.length - 1;
      });

// 1 when RegExp number `index` matches the subject, else 0. Neither flag
// used ("i") keeps state between test() calls.
EM_JS(int, tessera_regex_test,
      (int index, const char* subject, int subject_len), {
        return Module.tesseraRegexes[index].test(UTF8Decoder.decode(
                   HEAPU8.subarray(subject, subject + subject_len))) ? 1 : 0;
      });

EM_JS(void, tessera_regex_clear, (), { Module.tesseraRegexes = []; });

namespace tessera::wasm {
namespace {

// Conditions repeat their patterns on every evaluation, so each (pattern,
// flags) is compiled once and then named by its index: an evaluation passes
// only the subject into JavaScript. One list per module, shared by every
// matcher (wasm here is single-threaded); bounded, since artifacts change.
struct CompiledPattern {
  std::string source;
  bool ignore_case;
  int index;  // -1: the pattern does not compile
};

constexpr size_t kMaxPatterns = 256;

std::vector<CompiledPattern>& Patterns() {
  static std::vector<CompiledPattern>* patterns =
      new std::vector<CompiledPattern>();
  return *patterns;
}

int IndexOf(std::string_view pattern, bool ignore_case) {
  std::vector<CompiledPattern>& patterns = Patterns();
  for (const CompiledPattern& p : patterns) {
    if (p.ignore_case == ignore_case && p.source == pattern) return p.index;
  }
  if (patterns.size() >= kMaxPatterns) {
    tessera_regex_clear();
    patterns.clear();
  }
  const int index =
      tessera_regex_compile(pattern.data(), static_cast<int>(pattern.size()),
                            ignore_case ? 1 : 0);
  patterns.push_back(CompiledPattern{std::string(pattern), ignore_case, index});
  return index;
}

}  // namespace

std::optional<bool> JsRegexMatcher::Search(std::string_view pattern,
                                           std::string_view subject,
                                           bool ignore_case) const {
  const int index = IndexOf(pattern, ignore_case);
  if (index < 0) return std::nullopt;
  return tessera_regex_test(index, subject.data(),
                            static_cast<int>(subject.size())) == 1;
}

}  // namespace tessera::wasm
