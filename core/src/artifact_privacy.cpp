// The privacy guard: an artifact is downloaded by every visitor, so an email
// address in it (a saved group of customer emails, a condition on one
// person's address) would publish personal data. Only strings that are a
// whole address are refused; a template mentioning "help@shop.example" in
// running text, or a pattern like "@corp\\.com$", passes.
#include <string>
#include <string_view>

#include "artifact_checks.h"

namespace tessera {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool IsLocalPartChar(char c) {
  return IsAsciiAlnum(c) || (c != '\0' && std::string_view("._%+-'").find(c) !=
                                              std::string_view::npos);
}

// Whether `s` is exactly one address of the usual shape:
// local@label.label...tld, with a letters-only top-level label of 2+.
bool IsEmailAddress(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  for (char c : local) {
    if (!IsLocalPartChar(c)) return false;
  }
  size_t last_dot = domain.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return false;
  char previous = '.';
  for (char c : domain) {
    if (c == '.') {
      if (previous == '.' || previous == '-') return false;
    } else if (!IsAsciiAlnum(c) && c != '-') {
      return false;
    }
    previous = c;
  }
  std::string_view tld = domain.substr(last_dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

const char kMessage[] =
    "looks like an email address; artifacts are public and must not carry "
    "personal data";

void Scan(const Value& v, const std::string& path, Problems* problems) {
  switch (v.type()) {
    case Value::Type::kString:
      if (IsEmailAddress(v.as_string())) {
        problems->push_back(Problem{path, kMessage});
      }
      break;
    case Value::Type::kArray:
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        Scan(v.as_array()[i], JoinPath(path, i), problems);
      }
      break;
    case Value::Type::kObject:
      for (const Member& m : v.as_object()) {
        std::string member_path = JoinPath(path, m.key);
        if (IsEmailAddress(m.key)) {
          problems->push_back(
              Problem{member_path, std::string("key ") + kMessage});
        }
        Scan(m.value, member_path, problems);
      }
      break;
    default:
      break;
  }
}

}  // namespace

void CheckNoEmailAddresses(const Value& root, Problems* problems) {
  Scan(root, "$", problems);
}

}  // namespace tessera
