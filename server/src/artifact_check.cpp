#include "artifact_check.h"

#include "tessera/artifact.h"
#include "tessera/std_regex_matcher.h"

namespace tessera::server {

Problems CheckArtifact(const Value& artifact, const std::string& site) {
  // Shared across request threads: its pattern cache is mutex-guarded.
  static const StdRegexMatcher matcher;
  Problems problems = ValidateArtifact(artifact, &matcher);
  const Value* named = artifact.find("site");
  if (named && named->is_string() && named->as_string() != site) {
    problems.push_back(Problem{
        "$.site", "names site '" + named->as_string() +
                      "' but is being published for site '" + site + "'"});
  }
  return problems;
}

}  // namespace tessera::server
