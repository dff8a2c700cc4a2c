// Embind registrations only; the adapters live in engine_adapter.cpp and the
// engine handles in engine_handles.cpp. Raw names start with '_': the JS
// wrapper (js-wrapper/src) gives them idiomatic names, checks arguments and
// manages lifetimes. Engine functions take the engine's handle first (see
// engine_handles.h for why there is no Embind class).
#include <emscripten/bind.h>

#include "engine_adapter.h"
#include "engine_handles.h"

using emscripten::function;
using tessera::wasm::ByHandle;
using tessera::wasm::EngineAdapter;

EMSCRIPTEN_BINDINGS(tessera) {
  function("_evalCondition", &tessera::wasm::EvalConditionJson);
  function("_hash", &tessera::wasm::HashValue);
  function("_renderTemplate", &tessera::wasm::RenderTemplateJson);

  function("_createEngine", &tessera::wasm::CreateEngine);
  function("_destroyEngine", &tessera::wasm::DestroyEngine);
  function("_initError", &ByHandle<&EngineAdapter::initError>::Call);
  function("_loadArtifact", &ByHandle<&EngineAdapter::loadArtifact>::Call);
  function("_setConsent", &ByHandle<&EngineAdapter::setConsent>::Call);
  function("_consent", &ByHandle<&EngineAdapter::consent>::Call);
  function("_consentRecord", &ByHandle<&EngineAdapter::consentRecord>::Call);
  function("_restoreConsent", &ByHandle<&EngineAdapter::restoreConsent>::Call);
  function("_track", &ByHandle<&EngineAdapter::track>::Call);
  function("_identify", &ByHandle<&EngineAdapter::identify>::Call);
  function("_setContext", &ByHandle<&EngineAdapter::setContext>::Call);
  function("_attributes", &ByHandle<&EngineAdapter::attributes>::Call);
  function("_segments", &ByHandle<&EngineAdapter::segments>::Call);
  function("_decide", &ByHandle<&EngineAdapter::decide>::Call);
  function("_decideAll", &ByHandle<&EngineAdapter::decideAll>::Call);
  function("_forgetDecisionMemo",
           &ByHandle<&EngineAdapter::forgetDecisionMemo>::Call);
  function("_recordImpression",
           &ByHandle<&EngineAdapter::recordImpression>::Call);
  function("_recordClick", &ByHandle<&EngineAdapter::recordClick>::Call);
  function("_flush", &ByHandle<&EngineAdapter::flush>::Call);
  function("_saveProfile", &ByHandle<&EngineAdapter::saveProfile>::Call);
  function("_restoreProfile", &ByHandle<&EngineAdapter::restoreProfile>::Call);
  function("_forget", &ByHandle<&EngineAdapter::forget>::Call);
}
