// The parsed form of a Mustache template, shared by the parser
// (mustache_parser.cpp) and the renderer (mustache_renderer.cpp).
//
// A template parses into one flat vector of nodes in source order; a section
// node records where its body ends, so the body is the node range
// (index, end). A flat vector keeps rendering cache-friendly and means no
// recursive destructor can overflow the stack however deep a template nests.
// Nodes refer to the template text by offset (not by pointer), so a tree can be
// moved or copied freely.
#ifndef TESSERA_SRC_MUSTACHE_TREE_H_
#define TESSERA_SRC_MUSTACHE_TREE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"
#include "tessera/mustache.h"
#include "tessera/status.h"

namespace tessera {
namespace mustache_internal {

enum class NodeKind : uint8_t {
  kText,      // literal text
  kIndent,    // a line of the template starts here: where a standalone
              // partial's indentation goes when this template is that partial
  kEscaped,   // {{name}}
  kRaw,       // {{{name}}} and {{& name}}
  kSection,   // {{#name}} ... {{/name}}
  kInverted,  // {{^name}} ... {{/name}}
  kPartial,   // {{> name}}
};

// A range of bytes of MustacheTree::source.
struct Span {
  uint32_t begin = 0;
  uint32_t size = 0;
};

struct Node {
  NodeKind kind = NodeKind::kText;
  // kText: the text. kEscaped/kRaw/kSection/kInverted: the (dotted) name, "."
  // for the implicit iterator. kPartial: the partial's name.
  Span text;
  // kPartial: the whitespace before a standalone partial tag, which indents
  // every line of the partial. Empty otherwise.
  Span indent;
  // kSection/kInverted: index one past the last node of the body.
  uint32_t end = 0;
};

struct MustacheTree {
  std::string source;
  std::vector<Node> nodes;

  std::string_view View(Span span) const {
    return std::string_view(source).substr(span.begin, span.size);
  }
};

// Parses `text` with the default delimiters. Errors are InvalidArgument (or
// OutOfRange for a template past options.max_template_bytes) and name the
// 1-based line and column of the offending tag.
Result<MustacheTree> ParseMustacheTree(std::string_view text,
                                       const MustacheOptions& options);

// Renders `tree` against `view` (with `top`, when not null, stacked over it),
// appending to `out` (mustache_renderer.cpp). On error `out` holds a partial
// rendering the caller should discard.
Status RenderMustacheTree(const MustacheTree& tree, const Value& view,
                          const Value* top, const Value& partials,
                          const MustacheOptions& options, std::string* out);

}  // namespace mustache_internal
}  // namespace tessera

#endif  // TESSERA_SRC_MUSTACHE_TREE_H_
