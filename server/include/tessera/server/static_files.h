// StaticFiles: serves the built SDK (JS, wasm, type definitions) from one
// directory, so sites load everything first-party.
//
// Only regular files inside the root are served: a relative path with "..",
// a hidden segment, a backslash or a NUL byte is refused, and a path whose
// symlinks resolve outside the root is treated as missing. Beside a file,
// `NAME.br` and `NAME.gz` (as the SDK build writes them) are served instead
// to clients whose Accept-Encoding takes them, when not older than NAME.
// Thread-safe (no mutable state; files are read per request).
#ifndef TESSERA_SERVER_STATIC_FILES_H_
#define TESSERA_SERVER_STATIC_FILES_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::server {

struct StaticFile {
  std::string content;
  std::string content_type;
  std::string content_encoding;  // "br", "gzip", or "" (as stored)
  std::string etag;  // quoted; differs per file version and encoding
};

// Content-Type for a file name by extension, e.g. "application/wasm";
// "application/octet-stream" when unknown.
std::string ContentTypeFor(std::string_view file_name);

// Whether `relative` (already percent-decoded, no leading '/') is a path a
// client may ask for: non-empty segments, none starting with '.', no '\\'
// and no NUL.
bool IsSafeRelativePath(std::string_view relative);

// Whether an Accept-Encoding header value accepts `coding` ("br", "gzip"):
// named with a weight above zero, or covered by "*" without q=0.
bool AcceptsEncoding(std::string_view header, std::string_view coding);

class StaticFiles {
 public:
  // `root` empty disables serving (every Read misses).
  explicit StaticFiles(std::string root);
  bool enabled() const { return !root_.empty(); }
  // The file at `relative` under the root, precompressed when the client's
  // `accept_encoding` allows; nullopt when unsafe or missing.
  std::optional<StaticFile> Read(std::string_view relative,
                                 std::string_view accept_encoding = "") const;

 private:
  // The canonical path of a regular file at `relative` inside the root.
  std::optional<std::filesystem::path> Resolve(std::string_view relative) const;

  std::string root_;  // canonical absolute path, or empty
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_STATIC_FILES_H_
