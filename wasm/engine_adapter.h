// Adapters between JavaScript and the core: JSON text in, JSON text out.
// Bytes come in as a std::string (Embind copies a Uint8Array into one) and go
// out as a Uint8Array view of a buffer the adapter owns, valid until the next
// call into the module: the JS side (js-wrapper/src/engine.js) copies it at
// once. Copying there instead of calling `new Uint8Array` and `set` through
// emscripten::val keeps Embind's method-calling code out of the loader.
// Every method reports failure as {"ok":false,"error":{code,message}} instead
// of throwing: exceptions are off in this build.
#ifndef TESSERA_WASM_ENGINE_ADAPTER_H_
#define TESSERA_WASM_ENGINE_ADAPTER_H_

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "js_regex_matcher.h"
#include "tessera/engine.h"

namespace tessera::wasm {

std::string EvalConditionJson(const std::string& attributes,
                              const std::string& condition,
                              const std::string& saved_groups);
double HashValue(const std::string& seed, const std::string& value,
                 int version);
std::string RenderTemplateJson(const std::string& text, const std::string& view,
                               const std::string& partials);

class EngineAdapter {
 public:
  explicit EngineAdapter(const std::string& options_json);

  std::string initError() const { return init_error_; }
  std::string loadArtifact(const std::string& json, double now_ms);
  std::string setConsent(const std::string& update_json,
                         const std::string& source, double now_ms);
  std::string consent() const;
  std::string consentRecord() const;
  std::string restoreConsent(const std::string& stored, double now_ms);
  std::string track(const std::string& name, const std::string& properties,
                    const std::string& timestamp, double now_ms);
  std::string identify(const std::string& user_id, const std::string& traits,
                       double now_ms);
  std::string setContext(const std::string& context_json);
  std::string attributes(double now_ms);
  std::string segments(double now_ms);
  // JSON text as a JS string (see js_text.h: the large, hot outputs).
  emscripten::val decide(const std::string& slot_id, double now_ms);
  // The decisions of every slot, `null` for each slot whose decision is
  // the one the previous call returned (Engine::DecideAllChanges).
  emscripten::val decideAll(double now_ms);
  void forgetDecisionMemo();
  void recordImpression(const std::string& slot, const std::string& variant);
  void recordClick(const std::string& slot, const std::string& variant);
  // The encoded signal (empty when there is nothing to send).
  emscripten::val flush(const std::string& id, double seq,
                        const std::string& format, double now_ms);
  // The profile bytes to store (empty when nothing may be stored).
  emscripten::val saveProfile();
  std::string restoreProfile(const std::string& bytes);
  void forget(const std::string& new_visitor_id);

 private:
  JsRegexMatcher regex_;
  std::unique_ptr<Engine> engine_;
  std::string init_error_;
  std::string bytes_out_;  // what the last flush() or saveProfile() returned
};

}  // namespace tessera::wasm

#endif  // TESSERA_WASM_ENGINE_ADAPTER_H_
