#include "artifact_cli.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "artifact_check.h"
#include "input_file.h"
#include "tessera/json.h"

namespace tessera::server {
namespace {

// "1 slot", "2 slots": the number of elements of the array `key` of
// `artifact` (0 when absent), named by `noun` in the right number.
std::string CountOf(const Value& artifact, const char* key, const char* noun) {
  const Value* list = artifact.find(key);
  const size_t count = list ? list->size() : 0;
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

int RunCheckArtifact(const CheckArtifactOptions& options) {
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  std::string text;
  if (options.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in;
    if (std::string why = OpenInputFile(options.file, in); !why.empty()) {
      std::cerr << name << ": cannot be read: " << why << std::endl;
      return 1;
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    text = contents.str();
  }
  Result<Value> artifact = ParseJson(text);  // the admin API's 4 MB limit
  if (!artifact.ok()) {
    std::cerr << name << ": not an artifact: " << artifact.status().message()
              << std::endl;
    return 1;
  }
  if (!artifact->is_object()) {
    std::cerr << name << ": $: expected an object" << std::endl;
    return 1;
  }
  Problems problems = CheckArtifact(*artifact, options.site);
  for (const Problem& problem : problems) {
    std::cerr << name << ": " << problem.path << ": " << problem.message
              << "\n";
  }
  if (!problems.empty()) {
    std::cerr << name << ": " << problems.size()
              << " problem(s); it would not be published" << std::endl;
    return 1;
  }
  std::cout << name << ": a valid artifact for site " << options.site << " ("
            << CountOf(*artifact, "segments", "segment") << ", "
            << CountOf(*artifact, "slots", "slot") << ", "
            << CountOf(*artifact, "experiments", "experiment") << ")"
            << std::endl;
  return 0;
}

}  // namespace tessera::server
