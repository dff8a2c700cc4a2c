// ASCII case folding, for the tokens that ignore case (HTTP header names,
// media types, "100-continue", e-mail addresses, origins); other bytes,
// UTF-8 included, are left alone. Private to the server.
#ifndef TESSERA_SERVER_ASCII_CASE_H_
#define TESSERA_SERVER_ASCII_CASE_H_

#include <string>
#include <string_view>

namespace tessera::server {

inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = AsciiLower(c);
  return lower;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ASCII_CASE_H_
