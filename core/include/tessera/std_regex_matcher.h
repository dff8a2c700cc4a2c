// StdRegexMatcher: the native RegexMatcher, over std::regex's ECMAScript
// grammar.
//
// Native builds only (tests, the server, benchmarks): the browser build hands
// $regex to the host's RegExp instead, which keeps std::regex out of the wasm.
// The ECMAScript grammar of std::regex is close to JavaScript's RegExp but not
// equal: it works on bytes (so "." matches one byte of a multi-byte UTF-8
// character), and it lacks lookbehind, named groups and the `u`/`s` flags. Its
// matcher recurses, so a very long subject can exhaust the stack; conditions
// are meant for short attribute strings.
//
// Compiled patterns are cached (bounded); the cache is guarded by a mutex, so
// one matcher may be shared across threads.
#ifndef TESSERA_STD_REGEX_MATCHER_H_
#define TESSERA_STD_REGEX_MATCHER_H_

#include <memory>
#include <optional>
#include <string_view>

#include "tessera/condition.h"

namespace tessera {

class StdRegexMatcher : public RegexMatcher {
 public:
  StdRegexMatcher();
  ~StdRegexMatcher() override;
  StdRegexMatcher(const StdRegexMatcher&) = delete;
  StdRegexMatcher& operator=(const StdRegexMatcher&) = delete;

  std::optional<bool> Search(std::string_view pattern, std::string_view subject,
                             bool ignore_case) const override;

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace tessera

#endif  // TESSERA_STD_REGEX_MATCHER_H_
