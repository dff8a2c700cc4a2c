// Base64 text form of the profile record, for storage that holds strings
// (localStorage): binary std::strings do not survive Embind's UTF-8 string
// conversion, base64 text does.
#include <algorithm>
#include <cstdint>
#include <string>

#include "tessera/profile.h"

namespace tessera {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int SextetOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group <<= 8;
      if (j < n) group |= static_cast<uint8_t>(bytes[i + j]);
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 63] : '=');
    }
  }
  return out;
}

// Strict RFC 4648: padded, no whitespace, and unused bits must be zero so
// each byte string has exactly one text form.
Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::DataLoss("profile text is not base64: length " +
                            IntegerText(text.size()) +
                            " is not a multiple of 4");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    size_t padding = 0;
    if (last && text[i + 3] == '=') padding = text[i + 2] == '=' ? 2 : 1;
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      const int sextet = j < 4 - padding ? SextetOf(text[i + j]) : 0;
      if (sextet < 0) {
        return Status::DataLoss(
            "profile text is not base64: bad character at " +
            IntegerText(i + j));
      }
      group = (group << 6) | static_cast<uint32_t>(sextet);
    }
    if ((padding == 1 && (group & 0xFF) != 0) ||
        (padding == 2 && (group & 0xFFFF) != 0)) {
      return Status::DataLoss("profile text is not canonical base64");
    }
    for (size_t j = 0; j < 3 - padding; ++j) {
      out.push_back(static_cast<char>((group >> (16 - 8 * j)) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string Profile::SerializeBase64() const {
  return EncodeBase64(Serialize());
}

Result<Profile> Profile::DeserializeBase64(std::string_view text) {
  if (text.size() / 4 * 3 > kMaxSerializedBytes + 3) {
    return Status::DataLoss("profile text is " + IntegerText(text.size()) +
                            " characters, longer than any valid record");
  }
  Result<std::string> bytes = DecodeBase64(text);
  if (!bytes.ok()) return bytes.status();
  return Deserialize(*bytes);
}

}  // namespace tessera
