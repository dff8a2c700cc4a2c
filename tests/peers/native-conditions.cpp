// Runs a vector file written by differential-conditions.mjs --write (the
// conditions_random.json format, one case per line, possibly larger than
// the JSON parser's 4 MB limit) through both native evaluators, the
// interpreter and the compiled form, and prints disagreements with
// GrowthBook's answers. Not part of ctest: a tool for the differential
// search. Pass "noregex" to skip $regex cases (std::regex is not JavaScript's
// RegExp; see tessera/std_regex_matcher.h).
//
//   cmake --build build/native --target tessera_core_condition tessera_core_std_regex
//   g++ -O2 -std=c++20 -Icore/include tests/peers/native-conditions.cpp \
//     build/native/core/libtessera_core_{condition,std_regex,json}.a -o /tmp/native-conditions
//   /tmp/native-conditions vectors.json [noregex]
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/condition.h"
#include "tessera/json.h"
#include "tessera/std_regex_matcher.h"

using namespace tessera;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s vectors.json [noregex]\n", argv[0]);
    return 2;
  }
  const bool skip_regex = argc > 2 && std::string_view(argv[2]) == "noregex";
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) return 2;
  std::string text;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  std::fclose(f);

  Value groups;
  StdRegexMatcher regex;
  size_t total = 0, compiled_count = 0, interpreter_wrong = 0, compiled_wrong = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == ',') line.pop_back();
    constexpr std::string_view kGroups = "\"savedGroups\":";
    if (line.rfind(kGroups, 0) == 0) {
      groups = *ParseJson(line.substr(kGroups.size()));
      continue;
    }
    if (line.rfind("  {", 0) != 0) continue;
    Result<Value> parsed = ParseJson(line);
    if (!parsed.ok()) continue;
    const Value& condition = *parsed->find("condition");
    const Value& attributes = *parsed->find("attributes");
    const bool expected = parsed->find("expected")->as_bool();
    const std::string shown = condition.Dump() + " on " + attributes.Dump();
    if (skip_regex && shown.find("$regex") != std::string::npos) continue;
    ++total;
    if (EvalCondition(attributes, condition, groups, &regex) != expected &&
        ++interpreter_wrong <= 40) {
      std::printf("interpreter, GrowthBook %d: %s\n", expected, shown.c_str());
    }
    Result<CompiledCondition> compiled = CompiledCondition::Compile(condition, &regex);
    if (!compiled.ok()) continue;
    ++compiled_count;
    if (compiled->Evaluate(attributes, groups, &regex) != expected &&
        ++compiled_wrong <= 40) {
      std::printf("compiled, GrowthBook %d: %s\n", expected, shown.c_str());
    }
  }
  std::printf("%zu cases (%zu compile): %zu interpreter and %zu compiled disagree\n",
              total, compiled_count, interpreter_wrong, compiled_wrong);
  return interpreter_wrong + compiled_wrong == 0 ? 0 : 1;
}
