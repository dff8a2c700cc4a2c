#include "artifact_check.h"

#include <string_view>
#include <vector>

#include "tessera/artifact.h"
#include "tessera/mustache.h"
#include "tessera/std_regex_matcher.h"

namespace tessera::server {
namespace {

// Whether `name` ("a.b", or "." for the current context) reads the variant's
// own `data`: its first part is one of data's keys (data wins over the
// visitor's attributes), or it is "." inside sections that already do.
bool ReadsData(std::string_view name, const Value* data) {
  if (name == ".") return true;
  const std::string_view first = name.substr(0, name.find('.'));
  return data != nullptr && data->is_object() && data->find(first) != nullptr;
}

// Unescaped tags ({{{x}}}, {{& x}}) write their value into the page as HTML.
// The visitor controls much of the view (traits, context.path and
// context.referrer, event-fed affinities), so such a tag may only read the
// variant's `data`, which the artifact's authors wrote: through sections
// that read data too, since a section over visitor attributes would make
// them the context the tag reads first.
void CheckUnescapedTags(const Value& artifact, Problems* problems) {
  const Value* slots = artifact.find("slots");
  if (slots == nullptr || !slots->is_array()) return;
  for (size_t s = 0; s < slots->size(); ++s) {
    const Value* variants = slots->as_array()[s].find("variants");
    if (variants == nullptr || !variants->is_array()) continue;
    for (size_t v = 0; v < variants->size(); ++v) {
      const Value& variant = variants->as_array()[v];
      const Value* text = variant.find("template");
      if (text == nullptr || !text->is_string()) continue;
      // A template that does not parse is already reported.
      Result<MustacheTemplate> parsed =
          MustacheTemplate::Parse(text->as_string());
      if (!parsed.ok()) continue;
      std::vector<std::vector<std::string>> lookups;
      parsed->UnescapedLookups(&lookups);
      const Value* data = variant.find("data");
      for (const std::vector<std::string>& chain : lookups) {
        for (const std::string& name : chain) {
          if (ReadsData(name, data)) continue;
          problems->push_back(Problem{
              "$.slots[" + std::to_string(s) + "].variants[" +
                  std::to_string(v) + "].template",
              "writes '" + chain.back() +
                  "' unescaped ({{{...}}} or {{&...}}) from '" + name +
                  "', which is not a key of the variant's data: visitor "
                  "attributes must be written escaped ({{...}})"});
          break;
        }
      }
    }
  }
}

}  // namespace

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
  CheckUnescapedTags(artifact, &problems);
  return problems;
}

}  // namespace tessera::server
