// Differential check of the ingest fast path: for arbitrary bytes taken as
// a JSON body, TryAcceptJsonSignal may accept only what the full path
// (DecodeSignal, ValidateSignal, CheckSignalConsent) accepts, and then must
// give the same site, id, vid and stored body (StoredSignalJson). Where the
// tape reads a body at all, it must also read the same document as
// ParseJson and measure it as JsonLength does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "json_tape.h"
#include "tessera/signal.h"

namespace {

void CheckTapeReadsWhatParseJsonReads(std::string_view body) {
  tessera::JsonTape tape;
  if (!tape.Parse(body, 16)) return;
  tessera::JsonParseOptions options;
  options.max_depth = 16;
  tessera::Result<tessera::Value> value = tessera::ParseJson(body, options);
  if (!value.ok()) std::abort();  // the tape read what ParseJson refuses
  if (tessera::JsonLength(tape.root()) != tessera::JsonLength(*value)) {
    std::abort();
  }
  // The compact text is the document again, without whitespace.
  tessera::Result<tessera::Value> again =
      tessera::ParseJson(tape.compact_text(), options);
  if (!again.ok() || !(*again == *value)) std::abort();
  if (tape.compact_text() != tessera::StoredSignalJson(body, *value)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckTapeReadsWhatParseJsonReads(body);

  tessera::AcceptedSignal fast;
  const bool fast_accepted = tessera::TryAcceptJsonSignal(body, &fast);

  tessera::Result<tessera::Value> decoded =
      tessera::DecodeSignal(body, tessera::SignalFormat::kJson);
  const bool full_accepted = decoded.ok() &&
                             tessera::ValidateSignal(*decoded).empty() &&
                             tessera::CheckSignalConsent(*decoded).ok();
  if (!fast_accepted) return 0;  // the full path decides: nothing to compare
  if (!full_accepted) std::abort();
  const tessera::Value& signal = *decoded;
  if (fast.site != signal.find("site")->as_string()) std::abort();
  if (fast.id != signal.find("id")->as_string()) std::abort();
  if (fast.vid != signal.find("vid")->string_or("")) std::abort();
  if (fast.body != tessera::StoredSignalJson(body, signal)) std::abort();
  if (fast.to_ms != static_cast<int64_t>(signal.find("to")->as_number())) {
    std::abort();
  }
  return 0;
}
