#include "attribute_watch.h"

#include <utility>

#include "short_text.h"
#include "value_identity.h"

namespace tessera {
namespace {

// The member of `object` named `name`, trying position `*hint` first (the
// attributes keep their layout from one derivation to the next).
const Value* FindMember(const Object& members, const std::string& name,
                        uint32_t* hint) {
  if (*hint < members.size() && short_text::Same(members[*hint].key, name)) {
    return &members[*hint].value;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].key == name) {
      *hint = static_cast<uint32_t>(i);
      return &members[i].value;
    }
  }
  return nullptr;
}

}  // namespace

uint32_t AttributeWatch::Add(std::vector<std::string> steps) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (paths_[i].steps == steps) return static_cast<uint32_t>(i);
  }
  Path path;
  path.hints.assign(steps.size(), 0);
  path.steps = std::move(steps);
  paths_.push_back(std::move(path));
  return static_cast<uint32_t>(paths_.size() - 1);
}

uint32_t AttributeWatch::AddDotted(std::string_view dotted) {
  std::vector<std::string> steps;
  size_t start = 0;
  for (;;) {
    const size_t dot = dotted.find('.', start);
    steps.emplace_back(dotted.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Add(std::move(steps));
}

void AttributeWatch::Refresh(const Value& attributes, uint64_t epoch) {
  for (Path& path : paths_) {
    const Value* at = &attributes;
    size_t depth = 0;
    bool absent = false;
    while (depth < path.steps.size() && at->is_object()) {
      const Value* next =
          FindMember(at->as_object(), path.steps[depth], &path.hints[depth]);
      if (next == nullptr) {
        absent = true;
        break;
      }
      at = next;
      ++depth;
    }
    if (path.known && depth == path.seen_depth && absent == path.absent &&
        (absent || IdenticalValues(*at, path.seen))) {
      continue;
    }
    path.seen = absent ? Value() : *at;
    path.seen_depth = depth;
    path.absent = absent;
    path.known = true;
    path.changed_at = epoch;
  }
}

void AttributeWatch::Forget() {
  for (Path& path : paths_) path.known = false;
}

}  // namespace tessera
