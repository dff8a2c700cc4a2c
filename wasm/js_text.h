// UTF-8 text from the core handed to JavaScript as a string.
//
// Why not a std::string return: Embind's own string conversion in
// Emscripten 3.1.6 walked every byte in JavaScript looking for NULs, then
// UTF8ToString walked them again before decoding; the decisions of a page
// view are kilobytes of JSON, so that was a tenth of decideAll(). (The
// std::string handler in embind_used_types.js now decodes in one pass too,
// but a std::string result is first copied into a new buffer.) Here the
// bytes are decoded once with TextDecoder into a new JS string (a copy: no
// view of the wasm heap leaves this call).
#ifndef TESSERA_WASM_JS_TEXT_H_
#define TESSERA_WASM_JS_TEXT_H_

#include <emscripten/val.h>

#include <string_view>

namespace tessera::wasm {

// `text` must be valid UTF-8 (every string the core produces is).
emscripten::val TextToJs(std::string_view text);

}  // namespace tessera::wasm

#endif  // TESSERA_WASM_JS_TEXT_H_
