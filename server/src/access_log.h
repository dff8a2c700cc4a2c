// `serve --access-log`: one line per answered API request, for operators
// asking why a site's signals are refused. Privacy: no client address, no
// query string (it may hold a write key), and routes with ids or emails in
// their path are logged by their pattern (/v1/admin/profiles/{vid}), so no
// visitor id or address reaches the log; only file paths (SDK and site
// files) holding no address are logged as requested. A line:
//   2026-12-07T13:00:32.123Z POST /v1/signals 429 rate_limited 104B 0.213ms
// (the error code is "-" for answers that are no error).
#ifndef TESSERA_SERVER_ACCESS_LOG_H_
#define TESSERA_SERVER_ACCESS_LOG_H_

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace tessera::server {

class AccessLog {
 public:
  // Appends to `path`, or writes to stderr for "-". Throws
  // std::runtime_error naming the file when it cannot be opened.
  explicit AccessLog(const std::string& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Opens the path again (after logrotate moved the file away); stderr
  // stays. Returns "" or, on failure, which file and why; the current file
  // is then kept.
  std::string Reopen();

  // Thread-safe; each line reaches the file whole (line-buffered).
  void Write(int64_t time_ms, std::string_view method, std::string_view target,
             int status, std::string_view error_code, size_t body_bytes,
             double seconds);

 private:
  const std::string path_;
  std::FILE* file_;
  bool owned_;
  std::mutex mutex_;
};

// `text` with control characters, spaces and non-ASCII bytes as \xHH, so a
// requested path cannot forge or split log lines.
std::string LogSafe(std::string_view text);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ACCESS_LOG_H_
