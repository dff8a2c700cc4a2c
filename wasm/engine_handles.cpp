#include "engine_handles.h"

#include <memory>
#include <vector>

namespace tessera::wasm {
namespace {

// Slot i holds the engine with handle i, or nullptr once it was destroyed.
// A page creates one engine per SDK instance, so the table stays tiny.
std::vector<std::unique_ptr<EngineAdapter>>& Engines() {
  static std::vector<std::unique_ptr<EngineAdapter>> engines;
  return engines;
}

}  // namespace

int CreateEngine(const std::string& options_json) {
  Engines().push_back(std::make_unique<EngineAdapter>(options_json));
  return static_cast<int>(Engines().size() - 1);
}

void DestroyEngine(int handle) {
  EngineFor(handle);  // traps for an unknown or already destroyed handle
  Engines()[handle].reset();
}

EngineAdapter& EngineFor(int handle) {
  auto& engines = Engines();
  if (handle < 0 || static_cast<size_t>(handle) >= engines.size() ||
      engines[handle] == nullptr) {
    __builtin_trap();
  }
  return *engines[handle];
}

}  // namespace tessera::wasm
