// JSON text written through a TextBuilder, byte for byte what Value::Dump()
// writes, for writers that produce JSON without building a Value tree (the
// decisions handed to JavaScript). Private to core/; the public
// std::string forms are AppendJsonString/AppendJsonNumber in json.h.
#ifndef TESSERA_SRC_JSON_TEXT_H_
#define TESSERA_SRC_JSON_TEXT_H_

#include <string_view>

#include "text_builder.h"

namespace tessera {

// `s` (valid UTF-8) quoted and escaped as JSON.stringify escapes it.
void WriteJsonString(std::string_view s, TextBuilder* out);
// `d` as JSON.stringify writes it; non-finite numbers as null.
void WriteJsonNumber(double d, TextBuilder* out);

}  // namespace tessera

#endif  // TESSERA_SRC_JSON_TEXT_H_
