// JSON text written through a TextBuilder, byte for byte what Value::Dump()
// writes, for writers that produce JSON without building a Value tree (the
// decisions handed to JavaScript), and the number rules shared by the JSON
// readers that build no Value tree (json_tape.h). Private to core/; the
// public std::string forms are AppendJsonString/AppendJsonNumber in json.h.
#ifndef TESSERA_SRC_JSON_TEXT_H_
#define TESSERA_SRC_JSON_TEXT_H_

#include <cstddef>
#include <string_view>

#include "text_builder.h"

namespace tessera {

// `s` (valid UTF-8) quoted and escaped as JSON.stringify escapes it.
void WriteJsonString(std::string_view s, TextBuilder* out);
// `d` as JSON.stringify writes it; non-finite numbers as null.
void WriteJsonNumber(double d, TextBuilder* out);
// The number of bytes WriteJsonNumber writes for `d`.
size_t JsonNumberLength(double d);

// Reads the JSON number (RFC 8259 grammar) that starts at text[*pos], the
// one number rule of every JSON reader in the core. On success returns
// nullptr, stores the value (what JavaScript's Number() gives for that
// text) and moves *pos past the number. Otherwise returns what is wrong
// ("invalid value", "number out of range", ...) with *pos at the byte to
// blame.
const char* ScanJsonNumber(std::string_view text, size_t* pos, double* value);

}  // namespace tessera

#endif  // TESSERA_SRC_JSON_TEXT_H_
