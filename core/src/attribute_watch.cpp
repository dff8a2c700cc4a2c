#include "attribute_watch.h"

#include <string_view>

#include "short_text.h"
#include "value_identity.h"

namespace tessera {
namespace {

// Value::find with the short-name comparison of the hot paths: attribute
// names are a few bytes, where a memcmp call costs more than comparing.
const Value* FindMember(const Value& object, std::string_view name) {
  for (const Member& member : object.as_object()) {
    if (short_text::Same(member.key, name)) return &member.value;
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
      const Value* next = FindMember(*at, rest.substr(0, dot));
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
