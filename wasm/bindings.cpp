// Embind registrations only; the adapters live in engine_adapter.cpp. Raw
// names start with '_': the JS wrapper (js-wrapper/src) gives them idiomatic
// names, checks arguments and manages lifetimes.
#include <emscripten/bind.h>

#include "engine_adapter.h"

using tessera::wasm::EngineAdapter;

EMSCRIPTEN_BINDINGS(tessera) {
  emscripten::function("_evalCondition", &tessera::wasm::EvalConditionJson);
  emscripten::function("_hash", &tessera::wasm::HashValue);
  emscripten::function("_renderTemplate", &tessera::wasm::RenderTemplateJson);

  emscripten::class_<EngineAdapter>("_Engine")
      .constructor<const std::string&>()
      .function("_initError", &EngineAdapter::initError)
      .function("_loadArtifact", &EngineAdapter::loadArtifact)
      .function("_setConsent", &EngineAdapter::setConsent)
      .function("_consent", &EngineAdapter::consent)
      .function("_consentRecord", &EngineAdapter::consentRecord)
      .function("_restoreConsent", &EngineAdapter::restoreConsent)
      .function("_track", &EngineAdapter::track)
      .function("_identify", &EngineAdapter::identify)
      .function("_setContext", &EngineAdapter::setContext)
      .function("_attributes", &EngineAdapter::attributes)
      .function("_segments", &EngineAdapter::segments)
      .function("_decide", &EngineAdapter::decide)
      .function("_decideAll", &EngineAdapter::decideAll)
      .function("_recordImpression", &EngineAdapter::recordImpression)
      .function("_recordClick", &EngineAdapter::recordClick)
      .function("_flush", &EngineAdapter::flush)
      .function("_saveProfile", &EngineAdapter::saveProfile)
      .function("_restoreProfile", &EngineAdapter::restoreProfile)
      .function("_forget", &EngineAdapter::forget);
}
