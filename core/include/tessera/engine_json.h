// The JSON forms of the Engine's inputs and outputs: what the browser SDK
// passes across the wasm boundary and what its users get back. Keeping them
// in the core means the native tests pin the exact shapes the JS API returns.
//
// Readers return InvalidArgument naming the offending field; writers never
// fail. Outcomes are {"ok":true,...} or
// {"ok":false,"error":{"code":"invalid_argument","message":"..."}}.
#ifndef TESSERA_ENGINE_JSON_H_
#define TESSERA_ENGINE_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "tessera/engine.h"

namespace tessera {

// {"site":"demo","consentPolicy":{"mode":"opt-in","version":"1",
//  "honorGpc":true},"gpc":false,"visitorId":"..."}
Result<EngineOptions> EngineOptionsFromValue(const Value& options);

// {"analytics":true,"personalization":false,"marketing":false}, or
// {"tcf": <TCF v2.2 tcData>}, or {"gcm": <Consent Mode state>}.
Result<ConsentUpdate> ConsentUpdateFromValue(const Value& update,
                                             ConsentSource source);
// "api" | "tcf" | "gcm" | "gpc" | "default"; unknown names are "api".
ConsentSource ConsentSourceFromName(std::string_view name);

// {"device":"mobile","utcOffsetMinutes":120,"url":..,"path":..,
//  "referrer":..,"language":..,"extra":{...}}
Result<Context> ContextFromValue(const Value& context);

// {"necessary":true,"analytics":..,"personalization":..,"marketing":..,
//  "policyVersion":"..","gpc":false}
Value ConsentToValue(const ConsentState& consent);
Value ConsentChangeToValue(const ConsentChange& change);

// {"ok":true,"slot":"hero","variant":"vip","source":"rule","html":"...",
//  "exposure":{"key","variation","variant","inExperiment","inHoldout",
//  "hashAttribute","bucket"}}; a render failure adds "renderError". The
// text is what JSON.stringify writes for that object.
std::string DecisionJson(const Decision& decision);
void AppendDecisionJson(const Decision& decision, std::string* out);
// A JSON array of DecisionJson() texts, in order.
std::string DecisionsJson(const std::vector<Decision>& decisions);
// The same for Engine::DecideAllChanges(): `null` where an entry is nullptr
// (that slot's decision is the one the caller already has).
std::string DecisionChangesJson(const std::vector<const Decision*>& changes);

Value OkValue();
Value ErrorValue(const Status& status);

}  // namespace tessera

#endif  // TESSERA_ENGINE_JSON_H_
