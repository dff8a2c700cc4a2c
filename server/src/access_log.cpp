#include "access_log.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "utc_text.h"

namespace tessera::server {

AccessLog::AccessLog(const std::string& path)
    : path_(path),
      file_(path == "-" ? stderr : std::fopen(path.c_str(), "a")),
      owned_(path != "-") {
  if (!file_) {
    throw std::runtime_error("cannot open access log " + path + ": " +
                             std::strerror(errno));
  }
  // Whole lines as they happen, so `tail -f` and logrotate see them.
  if (owned_) std::setvbuf(file_, nullptr, _IOLBF, 1 << 14);
}

std::string AccessLog::Reopen() {
  if (!owned_) return "";
  std::FILE* reopened = std::fopen(path_.c_str(), "a");
  if (!reopened) {
    return "cannot reopen the access log " + path_ + ": " +
           std::strerror(errno);
  }
  std::setvbuf(reopened, nullptr, _IOLBF, 1 << 14);
  std::lock_guard<std::mutex> lock(mutex_);
  std::fclose(file_);
  file_ = reopened;
  return "";
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

void AccessLog::Write(int64_t time_ms, std::string_view method,
                      std::string_view target, int status,
                      std::string_view error_code, size_t body_bytes,
                      double seconds) {
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ",
                static_cast<int>(time_ms % 1000));
  char tail[64];
  std::snprintf(tail, sizeof tail, " %zuB %.3fms\n", body_bytes,
                seconds * 1000.0);
  std::string line =
      UtcText(time_ms, "%Y-%m-%dT%H:%M:%S") + millis + " " + LogSafe(method) +
      " " + LogSafe(target) + " " + std::to_string(status) + " " +
      (error_code.empty() ? std::string("-") : LogSafe(error_code)) + tail;
  std::lock_guard<std::mutex> lock(mutex_);
  std::fputs(line.c_str(), file_);
}

std::string LogSafe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c > 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tessera::server
