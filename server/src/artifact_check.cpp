#include "artifact_check.h"

#include <cctype>
#include <regex>
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

bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Whether `text` ends inside a tag but outside a quoted attribute value
// (`<p title=`, `<p `): there a space or '=' in the value, which HTML
// escaping leaves alone, starts a new attribute (`x onclick=...`). A tag
// opens at '<' before a letter or '/' and ends at a '>' outside quotes.
bool EndsInsideATagOutsideQuotes(std::string_view text) {
  bool in_tag = false;
  char quote = 0;             // the open value's quote, if any
  bool after_equals = false;  // a value may start: quoted or not
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_tag) {
      const char next = i + 1 < text.size() ? text[i + 1] : '\0';
      in_tag = c == '<' && (std::isalpha(static_cast<unsigned char>(next)) ||
                            next == '/');
      after_equals = false;
    } else if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '>') {
      in_tag = false;
    } else if (after_equals && (c == '"' || c == '\'')) {
      quote = c;
      after_equals = false;
    } else if (c == '=') {
      after_equals = true;
    } else if (!IsHtmlSpace(c)) {
      after_equals = false;
    }
  }
  return in_tag && quote == 0;
}

// Where an escaped value is still not safe: at the start of a URL
// attribute it picks the scheme (javascript:), in an event handler, srcdoc
// or style attribute the browser reads it, unescaped, as code, markup or
// CSS, and elsewhere in a tag outside quotes a space ends the value and
// starts an attribute. Matched against the text just before the tag.
bool WritesWhereEscapingIsNotEnough(std::string_view text_before) {
  static const std::regex kUrlStart(
      R"((^|[\s"'/])(href|src|action|formaction|xlink:href|poster|data|)"
      R"(background|cite|ping|codebase)\s*=\s*["']?$)",
      std::regex::icase | std::regex::optimize);
  static const std::regex kCodeAttribute(
      R"((^|[\s"'/])(on[a-z]+|srcdoc|style)\s*=\s*("[^"]*|'[^']*|[^\s"'>]*)$)",
      std::regex::icase | std::regex::optimize);
  // An attribute value seldom runs past a few hundred bytes; the tail is
  // enough and keeps the match cheap.
  constexpr size_t kTail = 512;
  const std::string tail(text_before.substr(
      text_before.size() > kTail ? text_before.size() - kTail : 0));
  return std::regex_search(tail, kUrlStart) ||
         std::regex_search(tail, kCodeAttribute) ||
         EndsInsideATagOutsideQuotes(tail);
}

// The visitor controls much of a template's view (traits, context.path and
// context.referrer, event-fed affinities), so a value that may come from
// there must be written escaped ({{x}}, not {{{x}}} or {{& x}}, which write
// it as HTML), and not where escaping does not help (see above). A tag reads
// only the variant's own `data`, which the artifact's authors wrote, when it
// and every section around it name data: a section over visitor attributes
// would make them the context the tag reads first.
void CheckVisitorValues(const Value& artifact, Problems* problems) {
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
      std::vector<MustacheTemplate::VariableTag> tags;
      parsed->VariableTags(&tags);
      const Value* data = variant.find("data");
      for (const MustacheTemplate::VariableTag& tag : tags) {
        const std::string* visitor_name = nullptr;
        for (const std::string& name : tag.lookups) {
          if (!ReadsData(name, data)) {
            visitor_name = &name;
            break;
          }
        }
        if (visitor_name == nullptr) continue;
        const std::string path = "$.slots[" + std::to_string(s) +
                                 "].variants[" + std::to_string(v) +
                                 "].template";
        const std::string what = "writes '" + tag.lookups.back() + "' from '" +
                                 *visitor_name +
                                 "', which is not a key of the variant's "
                                 "data, ";
        if (!tag.escaped) {
          problems->push_back(Problem{
              path, what + "unescaped ({{{...}}} or {{&...}}): visitor "
                           "attributes must be written escaped ({{...}})"});
        } else if (WritesWhereEscapingIsNotEnough(tag.text_before)) {
          problems->push_back(Problem{
              path, what + "where escaping does not make it safe (the start "
                           "of a link, an event handler, srcdoc, style, or "
                           "a tag outside quotes): write visitor attributes "
                           "in text, in a quoted value or after a fixed URL"});
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
  CheckVisitorValues(artifact, &problems);
  return problems;
}

}  // namespace tessera::server
