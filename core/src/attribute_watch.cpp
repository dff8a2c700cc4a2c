#include "attribute_watch.h"

#include <string_view>

#include "short_text.h"
#include "value_identity.h"

namespace tessera {
namespace {

// The member of `members` named `name`, trying position `*hint` first (the
// attributes keep their layout from one derivation to the next); `hint` may
// be null.
const Value* FindMember(const Object& members, std::string_view name,
                        uint16_t* hint) {
  if (hint != nullptr && *hint < members.size() &&
      short_text::Same(members[*hint].key, name)) {
    return &members[*hint].value;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (short_text::Same(members[i].key, name)) {
      if (hint != nullptr) *hint = static_cast<uint16_t>(i);
      return &members[i].value;
    }
  }
  return nullptr;
}

}  // namespace

uint32_t AttributeWatch::Add(std::string_view dotted) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (paths_[i].dotted == dotted) return static_cast<uint32_t>(i);
  }
  paths_.emplace_back().dotted = dotted;
  return static_cast<uint32_t>(paths_.size() - 1);
}

void AttributeWatch::Refresh(const Value& attributes, uint64_t epoch) {
  for (Path& path : paths_) {
    const Value* at = &attributes;
    uint32_t depth = 0;
    bool absent = false;
    std::string_view rest = path.dotted;
    while (at->is_object()) {
      const size_t dot = rest.find('.');
      const Value* next =
          FindMember(at->as_object(), rest.substr(0, dot),
                     depth < kHintedSteps ? &path.hints[depth] : nullptr);
      if (next == nullptr) {
        absent = true;
        break;
      }
      at = next;
      ++depth;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
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

}  // namespace tessera
