#include "js_text.h"

#include <emscripten.h>

// Returns a handle to a new JS string decoded from [data, data + size).
// UTF8Decoder is Emscripten's TextDecoder, always there with -sTEXTDECODER=2
// (wasm/CMakeLists.txt).
EM_JS(emscripten::EM_VAL, tessera_text_to_js, (const char* data, size_t size), {
  return Emval.toHandle(UTF8Decoder.decode(HEAPU8.subarray(data, data + size)));
});

namespace tessera::wasm {

emscripten::val TextToJs(std::string_view text) {
  return emscripten::val::take_ownership(
      tessera_text_to_js(text.data(), text.size()));
}

}  // namespace tessera::wasm
