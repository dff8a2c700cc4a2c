// Feeds arbitrary bytes to DecodeCbor. Invariants: no crash, no leak, and
// whatever decodes re-encodes to bytes that decode to an equal value, and
// re-encoding that value gives the same bytes (the encoding is canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tessera::Result<tessera::Value> decoded = tessera::DecodeCbor(bytes);
  if (!decoded.ok()) return 0;
  const std::string encoded = tessera::EncodeCbor(*decoded);
  tessera::Result<tessera::Value> again = tessera::DecodeCbor(encoded);
  if (!again.ok() || !(*again == *decoded)) std::abort();
  if (tessera::EncodeCbor(*again) != encoded) std::abort();
  return 0;
}
