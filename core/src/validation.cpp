#include "tessera/validation.h"

#include <utility>

namespace tessera {
namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string JoinPath(const std::string& parent, std::string_view key) {
  if (IsIdentifier(key)) {
    std::string joined = parent;
    joined += '.';
    joined += key;
    return joined;
  }
  std::string quoted = parent + "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"]";
}

std::string JoinPath(const std::string& parent, size_t index) {
  return parent + "[" + IntegerText(index) + "]";
}

void AddProblem(Problems* problems, std::string path, std::string message) {
  problems->push_back(Problem{std::move(path), std::move(message)});
}

void AddProblem(Problems* problems, std::string&& path, const char* message) {
  AddProblem(problems, std::move(path), std::string(message));
}

void AddProblem(Problems* problems, const std::string& path,
                const char* message) {
  AddProblem(problems, std::string(path), std::string(message));
}

void AddProblem(Problems* problems, const char* path, const char* message) {
  AddProblem(problems, std::string(path), std::string(message));
}

void RejectUnknownFields(const Value& object, const std::string& path,
                         std::initializer_list<std::string_view> known,
                         Problems* problems, std::string_view message) {
  for (const Member& m : object.as_object()) {
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || m.key == k;
    if (!is_known) {
      AddProblem(problems, JoinPath(path, m.key), std::string(message));
    }
  }
}

std::string FormatProblems(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) {
    out += p.path + ": " + p.message + "\n";
  }
  return out;
}

}  // namespace tessera
