#include "tessera/server/static_files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ascii_case.h"

namespace tessera::server {
namespace fs = std::filesystem;

namespace {

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

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

std::optional<fs::path> StaticFiles::Resolve(std::string_view relative) const {
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
  return file;
}

std::optional<StaticFile> StaticFiles::Read(
    std::string_view relative, std::string_view accept_encoding) const {
  std::optional<fs::path> file = Resolve(relative);
  if (!file) return std::nullopt;
  std::error_code error;
  auto modified = fs::last_write_time(*file, error);
  if (error) return std::nullopt;
  StaticFile served;
  served.content_type = ContentTypeFor(relative);
  fs::path chosen = *file;
  // A precompressed sibling (what the SDK build writes beside each file)
  // is served to clients that accept it, unless it is older than the file.
  struct Encoding {
    const char* name;
    const char* suffix;
  };
  for (const Encoding& encoding :
       {Encoding{"br", ".br"}, Encoding{"gzip", ".gz"}}) {
    if (!AcceptsEncoding(accept_encoding, encoding.name)) continue;
    std::optional<fs::path> sibling =
        Resolve(std::string(relative) + encoding.suffix);
    if (!sibling) continue;
    auto sibling_modified = fs::last_write_time(*sibling, error);
    if (error || sibling_modified < modified) continue;
    chosen = *sibling;
    modified = sibling_modified;
    served.content_encoding = encoding.name;
    break;
  }
  std::ifstream in(chosen, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  served.content = content.str();
  // Strong per representation: size and modification time of the bytes
  // sent, and their coding.
  auto ticks = modified.time_since_epoch().count();
  char etag[80];
  std::snprintf(etag, sizeof etag, "\"%zx-%llx%s%s\"", served.content.size(),
                static_cast<unsigned long long>(ticks),
                served.content_encoding.empty() ? "" : "-",
                served.content_encoding.c_str());
  served.etag = etag;
  return served;
}

bool AcceptsEncoding(std::string_view header, std::string_view coding) {
  bool any = false, named = false, refused = false, any_refused = false;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view()
                                             : header.substr(comma + 1);
    size_t semicolon = item.find(';');
    std::string_view name = Trimmed(item.substr(0, semicolon));
    bool zero = false;
    if (semicolon != std::string_view::npos) {
      std::string_view parameter = Trimmed(item.substr(semicolon + 1));
      if (parameter.size() >= 2 &&
          (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
        // q=0, q=0.0, q=0.00, q=0.000 refuse; any other weight accepts.
        std::string_view weight = parameter.substr(2);
        zero = !weight.empty() && weight[0] == '0' &&
               weight.find_first_not_of("0.", 1) == std::string_view::npos;
      }
    }
    if (EqualsIgnoreCase(name, coding)) {
      named = true;
      refused = zero;
    } else if (name == "*") {
      any = true;
      any_refused = zero;
    }
  }
  if (named) return !refused;
  return any && !any_refused;
}

}  // namespace tessera::server
