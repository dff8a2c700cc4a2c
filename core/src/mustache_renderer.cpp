// Walks a MustacheTree against a view, writing the output.
//
// The context stack holds pointers into the caller's view, which outlives the
// render, so no Value is copied. Partials are parsed at most once per render.
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mustache_tree.h"
#include "short_text.h"
#include "tessera/json.h"
#include "tessera/mustache.h"
#include "tessera/status.h"
#include "text_builder.h"

namespace tessera {
namespace mustache_internal {
namespace {

// Arrays nested deeper than this print as nothing, so a hand-built, very deep
// Value cannot overflow the stack while being joined.
constexpr int kMaxDisplayDepth = 64;

// JavaScript truthiness (`!!data`), except that an empty list is falsey, as
// the spec requires.
bool IsTruthy(const Value& value) {
  return value.is_array() ? !value.as_array().empty() : IsJsTruthy(value);
}

// Whole numbers are most of what templates print (prices, counts), and
// writing their digits directly is much cheaper than the general shortest
// round-trip formatting. Below 2^53 every whole double prints as its digits in
// JavaScript; -0 prints as "0".
void AppendNumber(double d, TextBuilder* out) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (d > -kMaxExactInteger && d < kMaxExactInteger && d == std::floor(d)) {
    long long whole = static_cast<long long>(d);
    char digits[24];
    size_t begin = sizeof digits;
    const bool negative = whole < 0;
    unsigned long long magnitude =
        negative ? 0ULL - static_cast<unsigned long long>(whole)
                 : static_cast<unsigned long long>(whole);
    do {
      digits[--begin] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (negative) digits[--begin] = '-';
    out->Append(digits + begin, sizeof digits - begin);
    return;
  }
  out->Append(FormatJsNumber(d));
}

// Appends `value` as JavaScript's String(value) prints it, except that null
// prints as nothing (Mustache's rule for null data).
void AppendDisplay(const Value& value, int depth, TextBuilder* out) {
  switch (value.type()) {
    case Value::Type::kNull:
      return;
    case Value::Type::kBool:
      out->Append(value.as_bool() ? "true" : "false");
      return;
    case Value::Type::kNumber:
      AppendNumber(value.as_number(), out);
      return;
    case Value::Type::kString:
      out->Append(value.as_string());
      return;
    case Value::Type::kArray: {
      if (depth >= kMaxDisplayDepth) return;
      bool first = true;
      for (const Value& element : value.as_array()) {
        if (!first) out->Push(',');
        first = false;
        AppendDisplay(element, depth + 1, out);
      }
      return;
    }
    case Value::Type::kObject:
      out->Append("[object Object]");
      return;
  }
}

void AppendHtmlEscaped(std::string_view text, TextBuilder* out) {
  const char* const data = text.data();
  const size_t size = text.size();
  size_t run_start = 0;
  for (size_t i = 0; i < size; ++i) {
    const char* entity = nullptr;
    switch (data[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&#39;";
        break;
      default:
        continue;
    }
    out->Append(data + run_start, i - run_start);
    out->Append(entity);
    run_start = i + 1;
  }
  out->Append(data + run_start, size - run_start);
}

// Parses a non-empty run of decimal digits; false on anything else or on an
// index too large to be one.
bool ParseIndex(std::string_view text, size_t* index) {
  if (text.empty() || text.size() > 9) return false;
  size_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + static_cast<size_t>(c - '0');
  }
  *index = result;
  return true;
}

// Value::find, with the size and first byte compared before the rest: view
// keys are short and most members differ in one of them.
const Value* FindMember(const Object& object, std::string_view key) {
  const size_t size = key.size();
  for (const Member& m : object) {
    if (m.key.size() != size) continue;
    if (size != 0 && m.key[0] != key[0]) continue;
    if (short_text::SameBytes(m.key.data(), key.data(), size)) {
      return &m.value;
    }
  }
  return nullptr;
}

// name.find('.', start): names are a few bytes, shorter than a memchr call.
size_t FindDot(std::string_view name, size_t start) {
  for (size_t i = start; i < name.size(); ++i) {
    if (name[i] == '.') return i;
  }
  return std::string_view::npos;
}

const Value* Child(const Value& parent, std::string_view key) {
  if (parent.is_object()) return FindMember(parent.as_object(), key);
  size_t index = 0;
  if (parent.is_array() && ParseIndex(key, &index) &&
      index < parent.as_array().size()) {
    return &parent.as_array()[index];
  }
  return nullptr;
}

// The context stack. Sections seldom nest deeply, so the first levels live
// inline and most renders allocate nothing for the stack.
class ContextStack {
 public:
  void push(const Value* context) {
    if (size_ < kInline) {
      inline_[size_] = context;
    } else {
      overflow_.push_back(context);
    }
    ++size_;
  }
  void pop() {
    --size_;
    if (size_ >= kInline) overflow_.pop_back();
  }
  size_t size() const { return size_; }
  // The i-th context from the bottom.
  const Value* at(size_t i) const {
    return i < kInline ? inline_[i] : overflow_[i - kInline];
  }
  const Value* top() const { return at(size_ - 1); }

 private:
  static constexpr size_t kInline = 8;
  const Value* inline_[kInline] = {};
  std::vector<const Value*> overflow_;
  size_t size_ = 0;
};

class Renderer {
 public:
  Renderer(const Value& view, const Value* top, const Value& partials,
           const MustacheOptions& options, TextBuilder* out)
      : partials_(partials), options_(options), out_(out) {
    stack_.push(&view);
    if (top != nullptr) stack_.push(top);
  }

  Status Render(const MustacheTree& tree) {
    if (!partials_.is_null() && !partials_.is_object()) {
      return Status::InvalidArgument(
          "partials must be an object of partial name -> template text");
    }
    return RenderRange(tree, 0, tree.nodes.size(), 0);
  }

 private:
  struct CachedPartial {
    std::string name;
    std::unique_ptr<MustacheTree> tree;
  };

  Status RenderRange(const MustacheTree& tree, size_t begin, size_t end,
                     size_t depth) {
    for (size_t i = begin; i < end; ++i) {
      if (!Step()) return TooManySteps();
      const Node& node = tree.nodes[i];
      switch (node.kind) {
        case NodeKind::kText:
          out_->Append(tree.View(node.text));
          break;
        case NodeKind::kIndent:
          out_->Append(indent_);
          break;
        case NodeKind::kEscaped:
        case NodeKind::kRaw:
          Interpolate(tree.View(node.text), node.kind == NodeKind::kEscaped);
          break;
        case NodeKind::kSection:
        case NodeKind::kInverted: {
          Status status = RenderSection(tree, i, depth);
          if (!status.ok()) return status;
          i = node.end - 1;  // the loop's ++i moves past the body
          break;
        }
        case NodeKind::kPartial: {
          Status status = RenderPartial(tree, node, depth);
          if (!status.ok()) return status;
          break;
        }
      }
      if (out_->size() > options_.max_output_bytes) {
        return Status::OutOfRange("output is longer than max_output_bytes (" +
                                  IntegerText(options_.max_output_bytes) + ")");
      }
    }
    return Status::Ok();
  }

  // Counts nodes visited and section iterations (an empty body nested in
  // long lists costs time without visiting nodes).
  bool Step() { return ++steps_ <= options_.max_render_steps; }

  Status TooManySteps() const {
    return Status::OutOfRange("rendering took more than max_render_steps (" +
                              IntegerText(options_.max_render_steps) +
                              ") steps");
  }

  Status TooDeep(std::string_view what) const {
    return Status::OutOfRange(std::string(what) +
                              " nests deeper than max_depth (" +
                              IntegerText(options_.max_depth) + ")");
  }

  Status RenderSection(const MustacheTree& tree, size_t index, size_t depth) {
    const Node& node = tree.nodes[index];
    const std::string_view name = tree.View(node.text);
    const Value* value = Lookup(name);
    const bool truthy = value != nullptr && IsTruthy(*value);
    if (node.kind == NodeKind::kInverted) {
      if (truthy) return Status::Ok();
      if (depth + 1 > options_.max_depth) {
        return TooDeep("section \"" + std::string(name) + "\"");
      }
      return RenderRange(tree, index + 1, node.end, depth + 1);
    }
    if (!truthy) return Status::Ok();
    if (depth + 1 > options_.max_depth) {
      return TooDeep("section \"" + std::string(name) + "\"");
    }
    if (value->is_array()) {
      for (const Value& element : value->as_array()) {
        Status status = RenderBodyWith(element, tree, index, depth + 1);
        if (!status.ok()) return status;
      }
      return Status::Ok();
    }
    return RenderBodyWith(*value, tree, index, depth + 1);
  }

  Status RenderBodyWith(const Value& context, const MustacheTree& tree,
                        size_t index, size_t depth) {
    if (!Step()) return TooManySteps();
    stack_.push(&context);
    Status status = RenderRange(tree, index + 1, tree.nodes[index].end, depth);
    stack_.pop();
    return status;
  }

  Status RenderPartial(const MustacheTree& tree, const Node& node,
                       size_t depth) {
    const std::string_view name = tree.View(node.text);
    const Value* text = partials_.is_object() ? partials_.find(name) : nullptr;
    if (text == nullptr || text->is_null()) return Status::Ok();
    if (!text->is_string()) {
      return Status::InvalidArgument("partial \"" + std::string(name) +
                                     "\" is not template text");
    }
    if (depth + 1 > options_.max_depth) {
      return TooDeep("partial \"" + std::string(name) + "\"");
    }
    Result<const MustacheTree*> partial = PartialTree(name, text->as_string());
    if (!partial.ok()) return partial.status();
    const size_t indent_size = indent_.size();
    indent_.append(tree.View(node.indent));
    Status status =
        RenderRange(**partial, 0, (*partial)->nodes.size(), depth + 1);
    indent_.resize(indent_size);
    return status;
  }

  Result<const MustacheTree*> PartialTree(std::string_view name,
                                          const std::string& text) {
    for (const CachedPartial& cached : partials_cache_) {
      if (cached.name == name) return cached.tree.get();
    }
    Result<MustacheTree> parsed = ParseMustacheTree(text, options_);
    if (!parsed.ok()) {
      return Status(parsed.status().code(),
                    "partial \"" + std::string(name) +
                        "\": " + parsed.status().message());
    }
    partials_cache_.push_back(CachedPartial{
        std::string(name),
        std::make_unique<MustacheTree>(std::move(parsed).value())});
    return partials_cache_.back().tree.get();
  }

  // Resolves a (dotted) name: the first part against the context stack from
  // the top, each further part only against the previous part's value.
  const Value* Lookup(std::string_view name) const {
    if (name == ".") return stack_.top();
    size_t dot = FindDot(name, 0);
    const std::string_view first = name.substr(0, dot);
    const Value* value = nullptr;
    for (size_t i = stack_.size(); i > 0 && value == nullptr; --i) {
      value = Child(*stack_.at(i - 1), first);
    }
    while (value != nullptr && dot != std::string_view::npos) {
      const size_t part_start = dot + 1;
      dot = FindDot(name, part_start);
      value =
          Child(*value, name.substr(part_start, dot == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : dot - part_start));
    }
    return value;
  }

  void Interpolate(std::string_view name, bool escape) {
    const Value* value = Lookup(name);
    if (value == nullptr) return;
    if (value->is_string()) {
      if (escape) {
        AppendHtmlEscaped(value->as_string(), out_);
      } else {
        out_->Append(value->as_string());
      }
      return;
    }
    // Numbers and booleans print without characters that need escaping.
    if (!escape || value->is_number() || value->is_bool()) {
      AppendDisplay(*value, 0, out_);
      return;
    }
    scratch_.clear();
    {
      TextBuilder scratch(&scratch_);
      AppendDisplay(*value, 0, &scratch);
    }
    AppendHtmlEscaped(scratch_, out_);
  }

  const Value& partials_;
  const MustacheOptions& options_;
  TextBuilder* out_;
  ContextStack stack_;
  // The indentation of the enclosing standalone partials, outermost first.
  std::string indent_;
  size_t steps_ = 0;
  std::vector<CachedPartial> partials_cache_;
  std::string scratch_;
};

}  // namespace

Status RenderMustacheTree(const MustacheTree& tree, const Value& view,
                          const Value* top, const Value& partials,
                          const MustacheOptions& options, std::string* out) {
  // Most output is about as long as the template's text.
  TextBuilder builder(out, tree.source.size());
  return Renderer(view, top, partials, options, &builder).Render(tree);
}

}  // namespace mustache_internal
}  // namespace tessera
