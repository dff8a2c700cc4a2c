// The ingest fast path: a JSON signal judged on a JsonTape rather than a
// Value tree, by the same rules (signal_rules.h). It only ever says yes;
// everything else, valid or not, is left to the full path, which decides
// and words the answer.
#include "json_tape.h"
#include "signal_rules.h"
#include "tessera/signal.h"

namespace tessera {
namespace {

// A valid signal nests three containers deep (root > imp > slot); deeper
// bodies are invalid and go to the full path, which names the problem.
constexpr size_t kFastPathMaxDepth = 8;

}  // namespace

bool TryAcceptJsonSignal(std::string_view body, AcceptedSignal* out) {
  if (body.size() > kMaxSignalBytes) return false;
  JsonTape tape;
  if (!tape.Parse(body, kFastPathMaxDepth)) return false;
  const TapeNode& signal = tape.root();
  if (!SignalSchemaProblems(signal).empty()) return false;
  if (!SignalConsentStatus(signal).ok()) return false;
  // Validated: these are present and strings.
  out->site = std::string(signal.find("site")->as_string());
  out->id = std::string(signal.find("id")->as_string());
  out->vid = std::string(signal.find("vid")->as_string());
  out->to_ms = static_cast<int64_t>(signal.find("to")->as_number());
  // What StoredSignalJson gives: the text without whitespace between
  // tokens (no key repeats, or the tape would have declined).
  out->body = std::string(tape.compact_text());
  return true;
}

}  // namespace tessera
