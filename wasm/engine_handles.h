// Engines handed to JavaScript as small integer handles instead of an Embind
// class. Embind's class machinery (registered pointer types, class handles,
// up/down-casts, the RTTI behind them) costs about 2.7 KB gzipped of loader
// and 0.3 KB of wasm; with handles every binding is a plain function taking
// the handle first (docs/BENCHMARKS.md, "SDK size"). The JS wrapper keeps the
// handle inside its engine object and never forges one.
#ifndef TESSERA_WASM_ENGINE_HANDLES_H_
#define TESSERA_WASM_ENGINE_HANDLES_H_

#include <string>

#include "engine_adapter.h"

namespace tessera::wasm {

// A new engine (see EngineAdapter's constructor) and its handle. Handles are
// never reused, so a stale one cannot reach a newer engine.
int CreateEngine(const std::string& options_json);
// Frees the engine; later calls with its handle trap.
void DestroyEngine(int handle);
// The engine behind `handle`; traps (a RuntimeError in JavaScript) for a
// handle that was never created or was destroyed: a bug in the wrapper.
EngineAdapter& EngineFor(int handle);

// ByHandle<&EngineAdapter::method>::Call(handle, args...) forwards to
// EngineFor(handle).method(args...), with the method's exact parameter types
// (which is what Embind reads the binding's signature from).
template <auto Method>
struct ByHandle;

template <typename R, typename... Args, R (EngineAdapter::*Method)(Args...)>
struct ByHandle<Method> {
  static R Call(int handle, Args... args) {
    return (EngineFor(handle).*Method)(args...);
  }
};

template <typename R, typename... Args,
          R (EngineAdapter::*Method)(Args...) const>
struct ByHandle<Method> {
  static R Call(int handle, Args... args) {
    return (EngineFor(handle).*Method)(args...);
  }
};

}  // namespace tessera::wasm

#endif  // TESSERA_WASM_ENGINE_HANDLES_H_
