#include "tessera/validation.h"

namespace tessera {
namespace {

bool IsIdentifier(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string JoinPath(const std::string& parent, const std::string& key) {
  if (IsIdentifier(key)) return parent + "." + key;
  std::string quoted = parent + "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"]";
}

std::string JoinPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string FormatProblems(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) {
    out += p.path + ": " + p.message + "\n";
  }
  return out;
}

}  // namespace tessera
