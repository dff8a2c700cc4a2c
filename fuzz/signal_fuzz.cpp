// Feeds arbitrary bytes to DecodeSignal as JSON and as CBOR, then through
// the validator and the consent check. Invariants: no crash, a signal that
// validates survives re-encoding in both formats and still validates, and
// splitting it under a smaller cap gives valid parts that fit (unless one
// record alone is larger) and hold every record exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/signal.h"

namespace {

size_t RecordCount(const tessera::Value& signal) {
  size_t records = 0;
  for (const char* section : {"agg", "exp", "imp", "clk", "hours"}) {
    if (const tessera::Value* entries = signal.find(section)) {
      records += entries->size();
    }
  }
  return records;
}

void CheckSplit(const tessera::Value& signal, tessera::SignalFormat format,
                size_t cap) {
  const std::vector<tessera::Value> parts =
      tessera::SplitSignal(signal, format, cap);
  size_t records = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const tessera::Value& part = parts[i];
    if (!tessera::ValidateSignal(part).empty()) std::abort();
    const size_t in_part = RecordCount(part);
    if (tessera::EncodeSignal(part, format).size() > cap && in_part > 1) {
      std::abort();
    }
    if (i > 0 && (in_part == 0 || part.find("seg") || part.find("drop"))) {
      std::abort();
    }
    records += in_part;
  }
  if (records != RecordCount(signal)) std::abort();
}

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
    CheckSplit(signal, format, body.size() / 3 + 1);
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
