// Profile::Deserialize on arbitrary bytes: it must never crash, hang or
// allocate wildly, and whatever it accepts must re-serialize to a record that
// reads back and serializes to the same bytes again.
//
// Raw bytes almost never carry a valid magic and CRC-32, so every input is
// also tried a second way: wrapped as "TSPR" + input + its correct CRC, which
// lets the fuzzer explore the payload reader behind the checksum.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/profile.h"

namespace {

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void CheckRoundTrip(std::string_view bytes) {
  tessera::Result<tessera::Profile> first =
      tessera::Profile::Deserialize(bytes);
  if (!first.ok()) return;
  const std::string once = first->Serialize();
  tessera::Result<tessera::Profile> second =
      tessera::Profile::Deserialize(once);
  if (!second.ok()) std::abort();  // our own output must always load
  if (second->Serialize() != once) std::abort();  // and be stable
  // Exercise the read side on what was accepted.
  (void)second->TopAffinities(second->last_seen_ms());
  (void)second->EventTypes(second->last_seen_ms());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip(input);

  std::string sealed = "TSPR";
  sealed.append(input);
  const uint32_t crc = Crc32(sealed);
  for (int i = 0; i < 4; ++i)
    sealed.push_back(static_cast<char>(crc >> (8 * i)));
  CheckRoundTrip(sealed);
  return 0;
}
