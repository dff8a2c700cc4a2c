// The signal schema and consent rules over any read-only JSON view, private
// to core/. They are written once (signal_validator.cpp) and instantiated
// for Value, behind ValidateSignal and CheckSignalConsent, and for TapeNode
// (json_tape.h), behind the ingest fast path TryAcceptJsonSignal. Both give
// the same answer for the same document.
#ifndef TESSERA_SRC_SIGNAL_RULES_H_
#define TESSERA_SRC_SIGNAL_RULES_H_

#include <string_view>

#include "tessera/json.h"
#include "tessera/status.h"
#include "tessera/validation.h"

namespace tessera {

class TapeNode;

// What ValidateSignal reports for `signal`.
template <typename Json>
Problems SignalSchemaProblems(const Json& signal);
// What CheckSignalConsent answers for `signal`.
template <typename Json>
Status SignalConsentStatus(const Json& signal);

extern template Problems SignalSchemaProblems(const Value& signal);
extern template Problems SignalSchemaProblems(const TapeNode& signal);
extern template Status SignalConsentStatus(const Value& signal);
extern template Status SignalConsentStatus(const TapeNode& signal);

// What `ctx.dev` and `ctx.lang` take: a device class (desktop, mobile,
// tablet, other) and a language tag such as "fr-FR".
bool IsDeviceClass(std::string_view s);
bool IsLanguageTag(std::string_view s);

}  // namespace tessera

#endif  // TESSERA_SRC_SIGNAL_RULES_H_
