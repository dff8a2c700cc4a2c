#include "email_address.h"

namespace tessera::server {
namespace {

constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's path limit, less <>

}  // namespace

bool IsValidEmailAddress(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return false;
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = email.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 ||
      dot + 1 == domain.size() || domain.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == ',' ||
        c == '"' || c == '<' || c == '>' || c == '(' || c == ')' || c == '[' ||
        c == ']' || c == ';' || c == ':' || c == '\\') {
      return false;
    }
  }
  return true;
}

}  // namespace tessera::server
