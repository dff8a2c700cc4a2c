#include "attribute_watch.h"

#include <string_view>

#include "value_identity.h"

namespace tessera {

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
      const Value* next = at->find(rest.substr(0, dot));
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
