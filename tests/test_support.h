// Small helpers shared by the core's GoogleTest suites.
#ifndef TESSERA_TESTS_TEST_SUPPORT_H_
#define TESSERA_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tessera/json.h"
#include "tessera/validation.h"

namespace tessera {

// Parses JSON written in a test; a typo fails the test instead of passing
// null along silently.
inline Value Json(std::string_view text) {
  Result<Value> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text;
  return parsed.ok() ? parsed.value() : Value();
}

// Whether `problems` has one at exactly `path` whose message contains
// `fragment`; on failure it lists what was found.
inline ::testing::AssertionResult HasProblem(const Problems& problems,
                                             const std::string& path,
                                             const std::string& fragment = "") {
  for (const Problem& p : problems) {
    if (p.path == path && p.message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no problem at " << path << " mentioning \"" << fragment
         << "\"; got:\n"
         << FormatProblems(problems);
}

}  // namespace tessera

#endif  // TESSERA_TESTS_TEST_SUPPORT_H_
