#include "event_quote.h"

#include <cstdio>

#include "tessera/json.h"

namespace tessera {
namespace {

constexpr size_t kMaxQuotedBytes = 64;

}  // namespace

std::string QuoteForMessage(std::string_view text) {
  bool truncated = false;
  bool valid_utf8 = IsValidUtf8(text);
  if (text.size() > kMaxQuotedBytes) {
    size_t cut = kMaxQuotedBytes;
    // Never split a multi-byte sequence: the quote must stay valid UTF-8.
    while (valid_utf8 && cut > 0 &&
           (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text = text.substr(0, cut);
    truncated = true;
  }
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    char escaped[8];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7F) {
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else if (c >= 0x80 && !valid_utf8) {
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += ch;
    }
  }
  out += '"';
  if (truncated) out += "...";
  return out;
}

}  // namespace tessera
