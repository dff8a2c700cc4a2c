// StaticFiles: serves the built SDK (JS, wasm, type definitions) from one
// directory, so sites load everything first-party.
//
// Only regular files inside the root are served: a relative path with "..",
// a hidden segment, a backslash or a NUL byte is refused, and a path whose
// symlinks resolve outside the root is treated as missing. Thread-safe (no
// mutable state; files are read per request).
#ifndef TESSERA_SERVER_STATIC_FILES_H_
#define TESSERA_SERVER_STATIC_FILES_H_

#include <optional>
#include <string>
#include <string_view>

namespace tessera::server {

struct StaticFile {
  std::string content;
  std::string content_type;
};

// Content-Type for a file name by extension, e.g. "application/wasm";
// "application/octet-stream" when unknown.
std::string ContentTypeFor(std::string_view file_name);

// Whether `relative` (already percent-decoded, no leading '/') is a path a
// client may ask for: non-empty segments, none starting with '.', no '\\'
// and no NUL.
bool IsSafeRelativePath(std::string_view relative);

class StaticFiles {
 public:
  // `root` empty disables serving (every Read misses).
  explicit StaticFiles(std::string root);
  bool enabled() const { return !root_.empty(); }
  // The file at `relative` under the root; nullopt when unsafe or missing.
  std::optional<StaticFile> Read(std::string_view relative) const;

 private:
  std::string root_;  // canonical absolute path, or empty
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_STATIC_FILES_H_
