#include "tessera/server/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tessera::server {
namespace fs = std::filesystem;

namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
  struct Mapping {
    const char* suffix;
    const char* type;
  };
  static const Mapping kTypes[] = {
      {".wasm", "application/wasm"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".d.ts", "text/plain; charset=utf-8"},
      {".ts", "text/plain; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
  };
  for (const Mapping& mapping : kTypes) {
    if (EndsWith(name, mapping.suffix)) return mapping.type;
  }
  return "application/octet-stream";
}

bool IsSafeRelativePath(std::string_view relative) {
  if (relative.empty()) return false;
  size_t start = 0;
  for (;;) {
    size_t slash = relative.find('/', start);
    std::string_view segment = relative.substr(
        start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty() || segment.front() == '.') return false;
    for (char c : segment) {
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

StaticFiles::StaticFiles(std::string root) {
  if (root.empty()) return;
  std::error_code error;
  fs::path canonical = fs::canonical(root, error);
  // A missing directory serves nothing rather than failing the server: the
  // SDK may not be built yet.
  root_ = error ? fs::absolute(root).lexically_normal().string()
                : canonical.string();
}

std::optional<StaticFile> StaticFiles::Read(std::string_view relative) const {
  if (root_.empty() || !IsSafeRelativePath(relative)) return std::nullopt;
  std::error_code error;
  fs::path file = fs::canonical(fs::path(root_) / std::string(relative), error);
  if (error) return std::nullopt;
  // Symlinks inside the root must not lead out of it.
  std::string resolved = file.string();
  if (resolved.compare(0, root_.size(), root_) != 0 ||
      resolved.size() <= root_.size() || resolved[root_.size()] != '/') {
    return std::nullopt;
  }
  if (!fs::is_regular_file(file, error)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return StaticFile{content.str(), ContentTypeFor(relative)};
}

}  // namespace tessera::server
