// ASCII case-insensitive comparison, for the HTTP tokens that ignore case
// (header names, "100-continue"). Private to the server.
#ifndef TESSERA_SERVER_ASCII_CASE_H_
#define TESSERA_SERVER_ASCII_CASE_H_

#include <string_view>

namespace tessera::server {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ASCII_CASE_H_
