// How consent error messages show the offending value: short, and always
// printable, whatever a CMP or a corrupted store handed in.
#ifndef TESSERA_SRC_CONSENT_MESSAGE_H_
#define TESSERA_SRC_CONSENT_MESSAGE_H_

#include <string>

#include "tessera/json.h"

namespace tessera {

inline std::string ShownInConsentMessage(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Type::kNumber:
      return FormatJsNumber(v.as_number());
    case Value::Type::kString: {
      const std::string& text = v.as_string();
      if (!IsValidUtf8(text)) return "a string of invalid UTF-8";
      if (text.size() <= 48) return v.Dump();
      size_t cut = 48;
      while (cut > 0 &&
             (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;  // keep whole UTF-8 sequences
      }
      return Value(text.substr(0, cut)).Dump() + "...";
    }
    case Value::Type::kArray:
      return "an array";
    case Value::Type::kObject:
      return "an object";
  }
  return "an unknown value";
}

}  // namespace tessera

#endif  // TESSERA_SRC_CONSENT_MESSAGE_H_
