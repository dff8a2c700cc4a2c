#include "js_text.h"

#include <emscripten.h>

// Returns a handle to a new JS string decoded from [data, data + size).
// UTF8Decoder is Emscripten's TextDecoder (absent only where TextDecoder
// is); UTF8ToString is the fallback.
EM_JS(emscripten::EM_VAL, tessera_text_to_js, (const char* data, size_t size), {
  const text = typeof UTF8Decoder !== "undefined" && UTF8Decoder
      ? UTF8Decoder.decode(HEAPU8.subarray(data, data + size))
      : UTF8ToString(data, size);
  return Emval.toHandle(text);
});

namespace tessera::wasm {

emscripten::val TextToJs(std::string_view text) {
  return emscripten::val::take_ownership(
      tessera_text_to_js(text.data(), text.size()));
}

}  // namespace tessera::wasm
