// AttributeWatch: which of the attribute paths that an artifact's conditions
// and templates read changed value between two derivations of the
// attributes. It is what lets the engine re-evaluate only the segments and
// slots whose inputs changed, so it errs one way only: a path is reported
// changed unless its value is provably the same.
//
// A path is followed through object members only. It resolves to the value
// at its last step; or, where a step meets a non-object, to the value where
// the walk stopped, compared whole, since whatever a reader does past that
// point (array indices, "length") depends on that value and the remaining
// steps alone; or, where an object lacks the step's key, to "absent at this
// depth": a reader then gets null or a name every plain object inherits,
// whatever else the object holds. Values are compared exactly
// (value_identity.h), with the depth reached, so a member appearing or
// vanishing is a change.
#ifndef TESSERA_SRC_ATTRIBUTE_WATCH_H_
#define TESSERA_SRC_ATTRIBUTE_WATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"

namespace tessera {

class AttributeWatch {
 public:
  // The index of the path `dotted` ("a.b": its steps joined by dots), added
  // if new.
  uint32_t Add(std::string_view dotted);

  // Resolves every path in `attributes` and stamps `epoch` on each whose
  // value differs from the previous Refresh (every path, the first time). Epochs must grow from one call to the next.
  void Refresh(const Value& attributes, uint64_t epoch);
  // Whether the path's value changed in a Refresh later than `epoch`.
  bool ChangedAfter(uint32_t path, uint64_t epoch) const {
    return paths_[path].changed_at > epoch;
  }

 private:
  struct Path {
    std::string dotted;
    Value seen;               // the value resolved last time
    uint32_t seen_depth = 0;  // steps walked to reach it
    bool absent = false;      // the next step's key was missing
    bool known = false;       // false: nothing seen yet
    uint64_t changed_at = 0;
  };

  std::vector<Path> paths_;
};

}  // namespace tessera

#endif  // TESSERA_SRC_ATTRIBUTE_WATCH_H_
