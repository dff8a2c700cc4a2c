// Turns Mustache template text into a MustacheTree.
//
// One left-to-right pass. Literal text is held back until the next tag is
// read, because a "standalone" tag (a section, inverted, end, comment, partial
// or set-delimiter tag alone on its line with only spaces or tabs around it)
// removes its whole line, including the whitespace already scanned before it.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "mustache_tree.h"
#include "tessera/mustache.h"
#include "tessera/status.h"

namespace tessera {
namespace mustache_internal {
namespace {

bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

bool ContainsWhitespace(std::string_view s) {
  for (char c : s) {
    if (IsWhitespace(c)) return true;
  }
  return false;
}

// "line 3, column 5" for a byte offset; columns count bytes from 1.
std::string Position(std::string_view text, size_t offset) {
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + IntegerText(line) + ", column " +
         IntegerText(offset - line_start + 1);
}

// Returns an empty string when `name` is a usable tag name, otherwise why not.
std::string NameProblem(std::string_view name, bool dotted) {
  if (name.empty()) return "has no name";
  if (ContainsWhitespace(name)) return "name contains whitespace";
  if (!dotted || name == ".") return {};
  size_t part_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (i == part_start) return "name has an empty part between dots";
      part_start = i + 1;
    }
  }
  return {};
}

class Parser {
 public:
  Parser(std::string_view text, MustacheTree* tree)
      : text_(text), tree_(tree) {}

  Status Run() {
    size_t pos = 0;
    size_t text_start = 0;
    while (true) {
      const size_t tag_open = text_.find(open_, pos);
      if (tag_open == std::string_view::npos) {
        AddText(text_start, text_.size(), /*tag_starts_line_at_end=*/false);
        break;
      }
      Tag tag;
      Status status = ReadTag(tag_open, &tag);
      if (!status.ok()) return status;

      const bool standalone = tag.may_stand_alone && StandsAlone(&tag);
      if (standalone) {
        AddText(text_start, tag.line_begin, /*tag_starts_line_at_end=*/false);
        pos = tag.line_end;
      } else {
        AddText(text_start, tag_open, /*tag_starts_line_at_end=*/true);
        pos = tag.end;
      }
      text_start = pos;
      status = AddTag(tag, standalone);
      if (!status.ok()) return status;
    }
    if (!open_sections_.empty()) {
      const OpenSection& open = open_sections_.back();
      return Error(open.tag_offset, "section \"" + std::string(open.name) +
                                        "\" is never closed");
    }
    return Status::Ok();
  }

 private:
  struct Tag {
    char sigil = 0;            // 0 for a plain {{name}}
    size_t offset = 0;         // where the opening delimiter starts
    size_t end = 0;            // one past the closing delimiter
    std::string_view content;  // between sigil and closing delimiter, trimmed
    size_t content_offset = 0;
    bool may_stand_alone = false;
    // Filled in when the tag stands alone: the line it occupies.
    size_t line_begin = 0;  // first byte of the indentation before the tag
    size_t line_end = 0;    // one past the line's newline (or end of text)
  };

  struct OpenSection {
    std::string_view name;
    size_t tag_offset;
    size_t node_index;
  };

  Status Error(size_t offset, const std::string& what) const {
    return Status::InvalidArgument(Position(text_, offset) + ": " + what);
  }

  Status ReadTag(size_t tag_open, Tag* tag) {
    tag->offset = tag_open;
    size_t content_begin = tag_open + open_.size();
    const char first = content_begin < text_.size() ? text_[content_begin] : 0;
    std::string close = close_;
    switch (first) {
      case '{':
        close = "}" + close_;
        tag->sigil = first;
        ++content_begin;
        break;
      case '=':
        close = "=" + close_;
        tag->sigil = first;
        tag->may_stand_alone = true;
        ++content_begin;
        break;
      case '#':
      case '^':
      case '/':
      case '!':
      case '>':
        tag->sigil = first;
        tag->may_stand_alone = true;
        ++content_begin;
        break;
      case '&':
        tag->sigil = first;
        ++content_begin;
        break;
      default:
        break;
    }
    const size_t close_at = text_.find(close, content_begin);
    if (close_at == std::string_view::npos) {
      return Error(tag_open, "tag \"" + std::string(open_) +
                                 "\" is never closed (no \"" + close + "\")");
    }
    tag->end = close_at + close.size();
    std::string_view raw =
        text_.substr(content_begin, close_at - content_begin);
    tag->content = Trim(raw);
    tag->content_offset =
        content_begin + (raw.empty() ? 0 : tag->content.data() - raw.data());
    return Status::Ok();
  }

  // A tag stands alone when only spaces/tabs separate it from the start of its
  // line (or of the template) and from the end of its line (or template).
  bool StandsAlone(Tag* tag) const {
    size_t line_begin = tag->offset;
    while (line_begin > 0 && IsSpaceOrTab(text_[line_begin - 1])) --line_begin;
    if (line_begin > 0 && text_[line_begin - 1] != '\n') return false;
    // Only literal text may precede the tag on its line: a tag's closing
    // delimiter never ends in whitespace, so the scan above stops at one.
    size_t after = tag->end;
    while (after < text_.size() && IsSpaceOrTab(text_[after])) ++after;
    if (after < text_.size()) {
      if (text_[after] == '\n') {
        after += 1;
      } else if (text_[after] == '\r' && after + 1 < text_.size() &&
                 text_[after + 1] == '\n') {
        after += 2;
      } else {
        return false;
      }
    }
    tag->line_begin = line_begin;
    tag->line_end = after;
    return true;
  }

  bool IsLineStart(size_t offset) const {
    return offset == 0 || text_[offset - 1] == '\n';
  }

  Span MakeSpan(size_t begin, size_t end) const {
    return Span{static_cast<uint32_t>(begin),
                static_cast<uint32_t>(end - begin)};
  }

  void AddNode(NodeKind kind, Span text) {
    Node node;
    node.kind = kind;
    node.text = text;
    tree_->nodes.push_back(node);
  }

  // Adds the literal text [begin, end), with an indent marker at the start of
  // every non-empty line. `tag_starts_line_at_end` says a tag that stays in
  // the output follows at `end`, so a line starting exactly there is not empty.
  void AddText(size_t begin, size_t end, bool tag_starts_line_at_end) {
    size_t piece_begin = begin;
    size_t line_start = begin;
    while (true) {
      if (IsLineStart(line_start) &&
          (line_start < end ? text_[line_start] != '\n'
                            : tag_starts_line_at_end && line_start == end)) {
        if (line_start > piece_begin) {
          AddNode(NodeKind::kText, MakeSpan(piece_begin, line_start));
        }
        AddNode(NodeKind::kIndent, Span{});
        piece_begin = line_start;
      }
      if (line_start >= end) break;
      // Bounded by `end` so dense tags on one long line stay linear.
      const size_t newline = text_.substr(0, end).find('\n', line_start);
      if (newline == std::string_view::npos) break;
      line_start = newline + 1;
    }
    if (end > piece_begin) AddNode(NodeKind::kText, MakeSpan(piece_begin, end));
  }

  Status AddTag(const Tag& tag, bool standalone) {
    const Span name =
        MakeSpan(tag.content_offset, tag.content_offset + tag.content.size());
    switch (tag.sigil) {
      case '!':
        return Status::Ok();
      case '=':
        return SetDelimiters(tag);
      case '>': {
        std::string problem = NameProblem(tag.content, /*dotted=*/false);
        if (!problem.empty())
          return Error(tag.offset, "partial tag " + problem);
        Node node;
        node.kind = NodeKind::kPartial;
        node.text = name;
        if (standalone) node.indent = MakeSpan(tag.line_begin, tag.offset);
        tree_->nodes.push_back(node);
        return Status::Ok();
      }
      case '#':
      case '^': {
        std::string problem = NameProblem(tag.content, /*dotted=*/true);
        if (!problem.empty())
          return Error(tag.offset, "section tag " + problem);
        open_sections_.push_back(
            OpenSection{tag.content, tag.offset, tree_->nodes.size()});
        AddNode(tag.sigil == '#' ? NodeKind::kSection : NodeKind::kInverted,
                name);
        return Status::Ok();
      }
      case '/': {
        if (open_sections_.empty()) {
          return Error(tag.offset, "closing tag \"" + std::string(tag.content) +
                                       "\" has no open section");
        }
        const OpenSection open = open_sections_.back();
        if (open.name != tag.content) {
          return Error(tag.offset, "closing tag \"" + std::string(tag.content) +
                                       "\" does not match section \"" +
                                       std::string(open.name) +
                                       "\" opened at " +
                                       Position(text_, open.tag_offset));
        }
        open_sections_.pop_back();
        tree_->nodes[open.node_index].end =
            static_cast<uint32_t>(tree_->nodes.size());
        return Status::Ok();
      }
      default: {
        std::string problem = NameProblem(tag.content, /*dotted=*/true);
        if (!problem.empty()) return Error(tag.offset, "tag " + problem);
        AddNode(tag.sigil == 0 ? NodeKind::kEscaped : NodeKind::kRaw, name);
        return Status::Ok();
      }
    }
  }

  // {{=<% %>=}}: two delimiters without whitespace, separated by whitespace.
  Status SetDelimiters(const Tag& tag) {
    std::string_view content = tag.content;
    size_t split = 0;
    while (split < content.size() && !IsWhitespace(content[split])) ++split;
    std::string_view open = content.substr(0, split);
    std::string_view close = Trim(content.substr(split));
    if (open.empty() || close.empty() || ContainsWhitespace(close)) {
      return Error(tag.offset,
                   "set-delimiter tag needs two delimiters separated by "
                   "whitespace, like {{=<% %>=}}");
    }
    if (open.find('=') != std::string_view::npos ||
        close.find('=') != std::string_view::npos) {
      return Error(tag.offset, "delimiters may not contain \"=\"");
    }
    open_ = std::string(open);
    close_ = std::string(close);
    return Status::Ok();
  }

  std::string_view text_;
  MustacheTree* tree_;
  std::string open_ = "{{";
  std::string close_ = "}}";
  std::vector<OpenSection> open_sections_;
};

}  // namespace

Result<MustacheTree> ParseMustacheTree(std::string_view text,
                                       const MustacheOptions& options) {
  if (text.size() > options.max_template_bytes ||
      text.size() >= std::numeric_limits<uint32_t>::max()) {
    return Status::OutOfRange("template is " + IntegerText(text.size()) +
                              " bytes, more than max_template_bytes (" +
                              IntegerText(options.max_template_bytes) + ")");
  }
  MustacheTree tree;
  tree.source = std::string(text);
  Parser parser(tree.source, &tree);
  Status status = parser.Run();
  if (!status.ok()) return status;
  return tree;
}

}  // namespace mustache_internal
}  // namespace tessera
