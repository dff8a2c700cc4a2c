// Fuzzes the Mustache parser and renderer: the input is template text, then a
// NUL byte, then the text of partial "p" (the template may include it, and "q"
// includes "p" standalone). Checks that nothing crashes, that the bounds
// hold, and that rendering is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "tessera/json.h"
#include "tessera/mustache.h"

namespace {

const tessera::Value& FuzzView() {
  static const tessera::Value* view = [] {
    tessera::Result<tessera::Value> parsed = tessera::ParseJson(
        R"({"a": [{"b": "x<&'\"", "c": [1, 2.5, null]}, 0, "", {"a": false}],
            "s": "line\nbreak", "t": true, "f": false, "n": null,
            "o": {"p": {"q": 1e21}}, "e": []})");
    if (!parsed.ok()) std::abort();
    return new tessera::Value(std::move(parsed).value());
  }();
  return *view;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view template_text = input.substr(0, split);
  const std::string_view partial_text = split == std::string_view::npos
                                            ? std::string_view()
                                            : input.substr(split + 1);

  tessera::MustacheOptions options;
  options.max_template_bytes = 64 * 1024;
  options.max_depth = 12;
  options.max_output_bytes = 64 * 1024;
  options.max_render_steps = 200 * 1000;

  tessera::Value partials;
  partials.set("p", tessera::Value(partial_text));
  partials.set("q", tessera::Value("  {{>p}}\n"));

  tessera::Result<tessera::MustacheTemplate> parsed =
      tessera::MustacheTemplate::Parse(template_text, options);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  tessera::Result<std::string> first = parsed->Render(FuzzView(), partials);
  tessera::Result<std::string> second = parsed->Render(FuzzView(), partials);
  if (first.ok() != second.ok()) std::abort();
  if (first.ok()) {
    if (*first != *second) std::abort();
    if (first->size() > options.max_output_bytes) std::abort();
    // Text without an opening delimiter renders as itself.
    if (template_text.find("{{") == std::string_view::npos &&
        *first != template_text) {
      std::abort();
    }
  } else if (first.status().message() != second.status().message()) {
    std::abort();
  }
  return 0;
}
