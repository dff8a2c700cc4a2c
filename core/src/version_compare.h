// Version ordering for $veq/$vne/$vgt/$vgte/$vlt/$vlte, as GrowthBook does it:
// both sides become a padded string (paddedVersionString) and the padded
// strings are compared as JavaScript strings.
//
// "v1.2.3-rc.1+build" -> "    1-    2-    3-rc-    1": a leading "v" and
// build metadata are dropped, numeric parts are left-padded to five columns,
// and a plain three-part version gets a "~" part so that it sorts after its
// pre-releases. Anything that is not a number or a non-empty string reads as
// "0".
#ifndef TESSERA_SRC_VERSION_COMPARE_H_
#define TESSERA_SRC_VERSION_COMPARE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "condition_js_value.h"

namespace tessera {
namespace condition_internal {

// The padded form of `v`. Holds it inline when short (versions nearly always
// are), so comparing versions does not allocate.
class PaddedVersion {
 public:
  explicit PaddedVersion(const JsValue& v);
  PaddedVersion(const PaddedVersion&) = delete;
  PaddedVersion& operator=(const PaddedVersion&) = delete;

  std::string_view view() const {
    return heap_.empty() ? std::string_view(inline_, size_) : heap_;
  }

 private:
  void Append(std::string_view text) {
    if (heap_.empty() && size_ + text.size() <= sizeof(inline_)) {
      for (char c : text) inline_[size_++] = c;
    } else {
      AppendToHeap(text);
    }
  }
  void Append(char c) {
    if (heap_.empty() && size_ < sizeof(inline_)) {
      inline_[size_++] = c;
    } else {
      AppendToHeap(std::string_view(&c, 1));
    }
  }
  void AppendToHeap(std::string_view text);

  char inline_[96];
  size_t size_ = 0;
  std::string heap_;  // used once the text outgrows inline_
};

std::string PaddedVersionString(const JsValue& v);

// Compares padded versions: <0, 0, >0.
int CompareVersions(std::string_view padded_a, std::string_view padded_b);

}  // namespace condition_internal
}  // namespace tessera

#endif  // TESSERA_SRC_VERSION_COMPARE_H_
