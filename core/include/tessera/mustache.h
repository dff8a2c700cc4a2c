// Mustache templates, conforming to the official spec (comments, delimiters,
// interpolation, inverted, partials, sections; no lambdas: views are data).
//
// One renderer serves landing-page blocks in the browser and emails on the
// server, so a block renders byte-identically in both. `{{name}}` is
// HTML-escaped and `{{{name}}}` / `{{& name}}` are not. The spec asks for
// & < > " to be escaped; ' is escaped too (as &#39;) so a value cannot break
// out of a single-quoted attribute. Values print as JavaScript's String()
// prints them: numbers via FormatJsNumber, true/false, arrays joined with ",",
// objects as "[object Object]", null and missing names as nothing. Sections
// use JavaScript truthiness: false, null, 0, NaN, "" and [] are falsey.
// Dotted names descend through objects, and through arrays by decimal index
// ("items.0.title").
//
// Parse errors (unclosed tags or sections, mismatched section names, bad
// delimiters, empty or space-containing names) return InvalidArgument naming
// the line and column (columns count bytes), e.g. `line 3, column 5: section
// "items" is never closed`. Rendering returns OutOfRange instead of overflowing
// the stack or memory when partials recurse or sections and partials nest past
// `max_depth`, when output passes `max_output_bytes`, or when rendering
// visits more than `max_render_steps` nodes. A partial that fails to parse
// fails the render with its parse error, prefixed with the partial's name.
// Arbitrary bytes (including invalid UTF-8) are safe input: they pass through
// unchanged or produce an error.
//
// A MustacheTemplate is immutable after Parse: copies share the parsed tree,
// and it may be rendered from several threads at once.
#ifndef TESSERA_MUSTACHE_H_
#define TESSERA_MUSTACHE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"
#include "tessera/status.h"

namespace tessera {

// Limits; a template keeps the options it was parsed with and applies them to
// its partials and renders.
struct MustacheOptions {
  size_t max_template_bytes = 256 * 1024;  // longer templates (and partials)
                                           // fail to parse with OutOfRange
  size_t max_depth = 32;                  // section + partial nesting at render
  size_t max_output_bytes = 1024 * 1024;  // rendering stops with OutOfRange
  // Nodes visited per render. Bounds the time of templates that loop without
  // writing output (e.g. a partial that includes itself twice).
  size_t max_render_steps = 4 * 1024 * 1024;
};

class MustacheTemplate {
 public:
  static Result<MustacheTemplate> Parse(std::string_view text,
                                        const MustacheOptions& options = {});

  MustacheTemplate();  // the empty template
  ~MustacheTemplate();
  MustacheTemplate(const MustacheTemplate&);
  MustacheTemplate& operator=(const MustacheTemplate&);
  MustacheTemplate(MustacheTemplate&&) noexcept;
  MustacheTemplate& operator=(MustacheTemplate&&) noexcept;

  // `view` is the root of the context stack. `partials` is null or an object
  // of partial name -> template text; a missing (or null) partial renders as
  // empty text, as the spec requires. Partials are parsed on first use and
  // reused within this render only. A `partials` that is neither null nor an
  // object, or a partial that is not text, is InvalidArgument.
  Result<std::string> Render(const Value& view,
                             const Value& partials = Value()) const;
  // Renders with `top` stacked over `base`: a name is looked up in `top`
  // first, as if `top`'s members were merged over `base`'s, without copying
  // either (content blocks add a variant's data to the visitor attributes).
  Result<std::string> RenderStacked(const Value& base, const Value& top,
                                    const Value& partials = Value()) const;

  // Appends the names its variable and section tags look up, as written
  // ("a.b", "." for the implicit iterator), repeats included; partial tags
  // are not names. Lets a caller tell which view members a rendering reads.
  void LookupNames(std::vector<std::string>* out) const;

  // A variable tag ({{name}}, {{{name}}}, {{& name}}) as a checker sees it.
  struct VariableTag {
    bool escaped = true;
    // The names of the sections enclosing it, outermost first, then its own
    // name: `{{#a}}{{b}}{{/a}}` gives {"a", "b"}. Those are the lookups that
    // decide what it writes.
    std::vector<std::string> lookups;
    // The literal text just before it and the sections it opens in ("" after
    // another tag): where in the HTML it writes (`<a href="`).
    std::string text_before;
  };
  // Appends its variable tags in source order, so a caller can tell what
  // may be written where (the server refuses visitor attributes unescaped
  // or as a link's target).
  void VariableTags(std::vector<VariableTag>* out) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// Parse + Render in one call.
Result<std::string> RenderMustache(std::string_view text, const Value& view,
                                   const Value& partials = Value(),
                                   const MustacheOptions& options = {});

}  // namespace tessera

#endif  // TESSERA_MUSTACHE_H_
