#include "event_quote.h"

#include "tessera/json.h"

namespace tessera {
namespace {

constexpr size_t kMaxQuotedBytes = 64;

void AppendHexByte(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

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
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      AppendHexByte(c, &out);
    } else if (c >= 0x80 && !valid_utf8) {
      out += "\\x";
      AppendHexByte(c, &out);
    } else {
      out += ch;
    }
  }
  out += '"';
  if (truncated) out += "...";
  return out;
}

}  // namespace tessera
