// MustacheTemplate: a parsed tree shared (immutably) between copies.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mustache_tree.h"
#include "tessera/json.h"
#include "tessera/mustache.h"
#include "tessera/status.h"

namespace tessera {

struct MustacheTemplate::Impl {
  mustache_internal::MustacheTree tree;
  MustacheOptions options;
};

MustacheTemplate::MustacheTemplate() = default;
MustacheTemplate::~MustacheTemplate() = default;
MustacheTemplate::MustacheTemplate(const MustacheTemplate&) = default;
MustacheTemplate& MustacheTemplate::operator=(const MustacheTemplate&) =
    default;
MustacheTemplate::MustacheTemplate(MustacheTemplate&&) noexcept = default;
MustacheTemplate& MustacheTemplate::operator=(MustacheTemplate&&) noexcept =
    default;

Result<MustacheTemplate> MustacheTemplate::Parse(
    std::string_view text, const MustacheOptions& options) {
  Result<mustache_internal::MustacheTree> tree =
      mustache_internal::ParseMustacheTree(text, options);
  if (!tree.ok()) return tree.status();
  auto impl = std::make_shared<Impl>();
  impl->tree = std::move(tree).value();
  impl->options = options;
  MustacheTemplate parsed;
  parsed.impl_ = std::move(impl);
  return parsed;
}

Result<std::string> MustacheTemplate::Render(const Value& view,
                                             const Value& partials) const {
  return RenderStacked(view, Value(), partials);
}

Result<std::string> MustacheTemplate::RenderStacked(
    const Value& base, const Value& top, const Value& partials) const {
  std::string out;
  if (impl_ == nullptr) return out;
  Status status = mustache_internal::RenderMustacheTree(
      impl_->tree, base, top.is_null() ? nullptr : &top, partials,
      impl_->options, &out);
  if (!status.ok()) return status;
  return out;
}

void MustacheTemplate::LookupNames(std::vector<std::string>* out) const {
  using mustache_internal::NodeKind;
  if (impl_ == nullptr) return;
  for (const mustache_internal::Node& node : impl_->tree.nodes) {
    if (node.kind == NodeKind::kEscaped || node.kind == NodeKind::kRaw ||
        node.kind == NodeKind::kSection || node.kind == NodeKind::kInverted) {
      out->emplace_back(impl_->tree.View(node.text));
    }
  }
}

void MustacheTemplate::VariableTags(std::vector<VariableTag>* out) const {
  using mustache_internal::NodeKind;
  if (impl_ == nullptr) return;
  const std::vector<mustache_internal::Node>& nodes = impl_->tree.nodes;
  // The open sections around the current node: where each body ends. An
  // inverted section pushes no context, so it does not count.
  std::vector<uint32_t> open;
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    while (!open.empty() && i >= nodes[open.back()].end) open.pop_back();
    const NodeKind kind = nodes[i].kind;
    if (kind == NodeKind::kSection) {
      open.push_back(i);
    } else if (kind == NodeKind::kEscaped || kind == NodeKind::kRaw) {
      VariableTag& tag = out->emplace_back();
      tag.escaped = kind == NodeKind::kEscaped;
      for (uint32_t section : open) {
        tag.lookups.emplace_back(impl_->tree.View(nodes[section].text));
      }
      tag.lookups.emplace_back(impl_->tree.View(nodes[i].text));
      // Sections opened right before the tag write nothing themselves:
      // `href="{{#a}}{{b}}` writes b at the start of the link too.
      uint32_t before = i;
      while (before > 0 && (nodes[before - 1].kind == NodeKind::kSection ||
                            nodes[before - 1].kind == NodeKind::kInverted)) {
        --before;
      }
      if (before > 0 && nodes[before - 1].kind == NodeKind::kText) {
        tag.text_before = impl_->tree.View(nodes[before - 1].text);
      }
    }
  }
}

Result<std::string> RenderMustache(std::string_view text, const Value& view,
                                   const Value& partials,
                                   const MustacheOptions& options) {
  Result<MustacheTemplate> parsed = MustacheTemplate::Parse(text, options);
  if (!parsed.ok()) return parsed.status();
  return parsed->Render(view, partials);
}

}  // namespace tessera
