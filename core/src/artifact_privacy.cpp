// The privacy guard: an artifact is downloaded by every visitor, so an email
// address in it (a saved group of customer emails, a condition on one
// person's address) would publish personal data. Only strings that are a
// whole address, and $regex patterns that match one address only, are
// refused; a template mentioning "help@shop.example" in running text, or a
// pattern like "@corp\\.com$", passes.
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

// The one string `pattern` matches when it is a fixed text: anchors dropped,
// escaped punctuation unescaped, a bare '.' read as itself (an address typed
// into a pattern usually leaves its dots unescaped). "" when the pattern has
// any other construct, so a domain pattern ("@corp\\.com$") stays a
// pattern: "^ada\\.l@shop\\.example$" -> "ada.l@shop.example".
std::string RegexLiteral(std::string_view pattern) {
  if (!pattern.empty() && pattern.front() == '^') pattern.remove_prefix(1);
  if (pattern.size() >= 2 && pattern.back() == '$' &&
      pattern[pattern.size() - 2] != '\\') {
    pattern.remove_suffix(1);
  }
  std::string literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      // "\\d", "\\w" and the like are classes, not characters.
      if (++i == pattern.size() || IsAsciiAlnum(pattern[i])) return "";
      c = pattern[i];
    } else if (std::string_view("*+?()[]{}|^$").find(c) !=
               std::string_view::npos) {
      return "";
    }
    literal.push_back(c);
  }
  return literal;
}

const char kMessage[] =
    "looks like an email address; artifacts are public and must not carry "
    "personal data";
const char kPatternMessage[] =
    "is a pattern matching one email address only, which publishes that "
    "address; artifacts are public and must not carry personal data";

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
        if (m.key == "$regex" && m.value.is_string() &&
            IsEmailAddress(RegexLiteral(m.value.as_string()))) {
          problems->push_back(Problem{member_path, kPatternMessage});
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
