// ParseJson on arbitrary bytes: never crashes; what parses dumps to text that
// parses again to an equal value with the same dump (JSON.stringify fixpoint).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tessera/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tessera::Result<tessera::Value> parsed = tessera::ParseJson(text);
  if (!parsed.ok()) return 0;
  std::string dumped = parsed->Dump();
  tessera::Result<tessera::Value> again = tessera::ParseJson(dumped);
  if (!again.ok() || !(*again == *parsed) || again->Dump() != dumped) {
    std::abort();
  }
  return 0;
}
