// Feeds arbitrary bytes to DecodeSignal as JSON and as CBOR, then through
// the validator and the consent check. Invariants: no crash, and a signal
// that validates survives re-encoding in both formats and still validates.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/signal.h"

namespace {

void Check(const tessera::Value& signal) {
  const tessera::Problems problems = tessera::ValidateSignal(signal);
  const tessera::Status consent = tessera::CheckSignalConsent(signal);
  const tessera::Status overall = tessera::CheckSignal(signal);
  if (!problems.empty()) {
    if (overall.code() != tessera::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  if (overall.code() != consent.code()) std::abort();
  for (tessera::SignalFormat format :
       {tessera::SignalFormat::kJson, tessera::SignalFormat::kCbor}) {
    const std::string body = tessera::EncodeSignal(signal, format);
    if (body.size() > tessera::kMaxSignalBytes) continue;
    tessera::Result<tessera::Value> again = tessera::DecodeSignal(body, format);
    if (!again.ok() || !(*again == signal)) std::abort();
    if (!tessera::ValidateSignal(*again).empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (tessera::SignalFormat format :
       {tessera::SignalFormat::kJson, tessera::SignalFormat::kCbor}) {
    tessera::Result<tessera::Value> decoded =
        tessera::DecodeSignal(body, format);
    if (decoded.ok()) Check(*decoded);
  }
  return 0;
}
