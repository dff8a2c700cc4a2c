#include "signal_export.h"

#include <nlohmann/json.hpp>

namespace tessera::server {

void AppendSignalLine(const SignalRecord& signal, std::string* out) {
  // The body is stored as canonical JSON text; embed it as is, once it is
  // known to be JSON.
  if (!nlohmann::json::accept(signal.body)) throw UnreadableSignalError(signal);
  *out += "{\"site\":";
  *out += nlohmann::json(signal.site).dump();
  *out += ",\"id\":";
  *out += nlohmann::json(signal.id).dump();
  *out += ",\"vid\":";
  *out += nlohmann::json(signal.vid).dump();
  *out += ",\"received_at_ms\":";
  *out += std::to_string(signal.received_at_ms);
  *out += ",\"signal\":";
  *out += signal.body;
  *out += "}\n";
}

StoreError UnreadableSignalError(const SignalRecord& signal) {
  return StoreError("the stored signal '" + signal.id + "' of site '" +
                    signal.site + "' is not JSON (a damaged or edited row)");
}

}  // namespace tessera::server
