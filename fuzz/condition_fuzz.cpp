// Fuzzes the condition language: arbitrary JSON as a condition (and as
// attributes and saved groups). Nothing may crash, a failed Compile must name
// a path, and whenever Compile accepts a condition the compiled form must give
// EvalCondition's answer.
//
// Input: {"c": condition, "a": attributes, "g": saved groups}, or any other
// JSON value, used as the condition against fixed attributes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "tessera/condition.h"
#include "tessera/json.h"

namespace {

// std::regex recurses per character and would turn long inputs into stack
// overflows that are not ours, so patterns are plain substrings here; "(" at
// the start marks an invalid pattern.
class SubstringMatcher : public tessera::RegexMatcher {
 public:
  std::optional<bool> Search(std::string_view pattern, std::string_view subject,
                             bool ignore_case) const override {
    if (!pattern.empty() && pattern[0] == '(') return std::nullopt;
    return subject.find(pattern) != std::string_view::npos;
  }
};

const tessera::Value& DefaultAttributes() {
  static const tessera::Value* attributes = [] {
    auto parsed = tessera::ParseJson(
        R"({"a":1,"b":"x","c":[1,"2",null,{"d":true}],"e":{"f":{"g":"1.2.3"}},)"
        R"("toString":"t","0":[],"tags":["vip","new"]})");
    return new tessera::Value(parsed.ok() ? *parsed : tessera::Value());
  }();
  return *attributes;
}

void Check(const tessera::Value& attributes, const tessera::Value& condition,
           const tessera::Value& saved_groups) {
  SubstringMatcher regex;
  const bool interpreted =
      tessera::EvalCondition(attributes, condition, saved_groups, &regex);
  auto compiled = tessera::CompiledCondition::Compile(condition, &regex);
  if (!compiled.ok()) {
    if (compiled.status().message().empty() ||
        compiled.status().message()[0] != '$') {
      std::abort();  // every compile error names a JSON path
    }
    return;
  }
  if (compiled->Evaluate(attributes, saved_groups, &regex) != interpreted) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tessera::JsonParseOptions options;
  options.max_depth = 32;
  auto parsed = tessera::ParseJson(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!parsed.ok()) return 0;
  const tessera::Value& doc = *parsed;
  const tessera::Value* condition = doc.find("c");
  if (condition != nullptr) {
    const tessera::Value* attributes = doc.find("a");
    const tessera::Value* groups = doc.find("g");
    Check(attributes ? *attributes : DefaultAttributes(), *condition,
          groups ? *groups : tessera::Value());
    // The condition's own shape as attributes reaches unusual paths.
    Check(*condition, *condition, groups ? *groups : tessera::Value());
  } else {
    Check(DefaultAttributes(), doc, tessera::Value());
  }
  return 0;
}
