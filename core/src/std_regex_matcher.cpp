#include "tessera/std_regex_matcher.h"

#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <utility>

#if !defined(__cpp_exceptions)
#error \
    "std_regex_matcher.cpp needs exceptions: std::regex reports an invalid pattern only by throwing"
#endif

namespace tessera {

struct StdRegexMatcher::Cache {
  // Patterns come from a handful of conditions; the bound only guards against
  // a caller that feeds arbitrary patterns.
  static constexpr size_t kMaxEntries = 512;
  std::mutex mutex;
  // (ignore_case, pattern) -> compiled pattern, or null when invalid.
  std::map<std::pair<bool, std::string>, std::shared_ptr<const std::regex>>
      compiled;
};

StdRegexMatcher::StdRegexMatcher() : cache_(std::make_unique<Cache>()) {}
StdRegexMatcher::~StdRegexMatcher() = default;

std::optional<bool> StdRegexMatcher::Search(std::string_view pattern,
                                            std::string_view subject,
                                            bool ignore_case) const {
  std::shared_ptr<const std::regex> re;
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto key = std::make_pair(ignore_case, std::string(pattern));
    auto it = cache_->compiled.find(key);
    if (it != cache_->compiled.end()) {
      re = it->second;
    } else {
      auto flags = std::regex::ECMAScript;
      if (ignore_case) flags |= std::regex::icase;
      try {
        re = std::make_shared<const std::regex>(key.second, flags);
      } catch (const std::regex_error&) {
        re = nullptr;
      }
      if (cache_->compiled.size() >= Cache::kMaxEntries) {
        cache_->compiled.clear();
      }
      cache_->compiled.emplace(std::move(key), re);
    }
  }
  if (re == nullptr) return std::nullopt;
  try {
    return std::regex_search(subject.begin(), subject.end(), *re);
  } catch (const std::regex_error&) {
    return false;  // complexity or stack limits of the matcher
  }
}

}  // namespace tessera
