// The types Tessera's bindings use, registered with Embind's JS runtime.
//
// Emscripten's `--bind` links its libembind whole, whose start-up function
// registers every built-in type (each integer width, float, 64-bit integers,
// the wide strings and eighteen typed-array views) by name: 2.2 KB of the
// wasm and 0.6 KB of the loader's JS (raw). The link names Embind's JS
// libraries directly instead (wasm/CMakeLists.txt), and this registers only
// the types bindings.cpp, js_text.cpp and engine_adapter.cpp pass across. A
// binding taking or returning any other type throws Embind's "unbound types"
// error when called (the SDK tests call each binding).
#include <emscripten/bind.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using emscripten::internal::TypeID;

// Embind's typed-array table index for Uint8Array (its `typeMapping`).
constexpr unsigned kUint8ArrayIndex = 1;

__attribute__((constructor)) void RegisterUsedEmbindTypes() {
  using namespace emscripten::internal;
  _embind_register_void(TypeID<void>::get(), "void");
  _embind_register_integer(TypeID<int>::get(), "int", sizeof(int),
                           std::numeric_limits<int>::min(),
                           std::numeric_limits<int>::max());
  _embind_register_float(TypeID<double>::get(), "double", sizeof(double));
  _embind_register_std_string(TypeID<std::string>::get(), "std::string");
  _embind_register_emval(TypeID<emscripten::val>::get(), "emscripten::val");
  _embind_register_memory_view(TypeID<emscripten::memory_view<uint8_t>>::get(),
                               kUint8ArrayIndex,
                               "emscripten::memory_view<uint8_t>");
}

}  // namespace
