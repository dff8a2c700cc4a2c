#include "export_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <streambuf>
#include <system_error>
#include <vector>

#include "tessera/server/store.h"

namespace tessera::server {

namespace fs = std::filesystem;

// Writes to a descriptor through a buffer and keeps the first write's
// error, which std::ostream only records as a bad state.
class ExportOutput::Buffer final : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), bytes_(1 << 16) { Empty(); }
  ~Buffer() override { close(fd_); }

  // The errno of the first failed write or sync; 0 while none failed.
  int error() const { return error_; }
  // Writes what is buffered and, for a file, syncs it to the disk.
  bool Flush(bool sync_file) {
    if (sync() != 0) return false;
    if (sync_file && fsync(fd_) != 0) error_ = errno;
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    const char* data = pbase();
    size_t left = static_cast<size_t>(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      ssize_t written = write(fd_, data, left);
      if (written < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      data += written;
      left -= static_cast<size_t>(written);
    }
    Empty();
    return error_ == 0 ? 0 : -1;
  }

 private:
  void Empty() { setp(bytes_.data(), bytes_.data() + bytes_.size()); }

  int fd_;
  std::vector<char> bytes_;
  int error_ = 0;
};

ExportOutput::ExportOutput(const std::string& path, const std::string& database)
    : path_(path), out_(nullptr) {
  int fd = -1;
  if (path == "-") {
    std::cout.flush();
    fd = dup(STDOUT_FILENO);
  } else {
    std::error_code ignored;
    // Written there, the export would replace what the database holds.
    const std::string file = SqliteFileOf(database);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (!file.empty() && fs::equivalent(path, file + suffix, ignored)) {
        throw std::runtime_error("cannot write '" + path +
                                 "': it is the database being exported");
      }
    }
    const fs::file_status status = fs::symlink_status(path, ignored);
    if (fs::is_directory(status)) {
      throw std::runtime_error("cannot write '" + path +
                               "': " + std::strerror(EISDIR));
    }
    // Only a regular file (or none yet) can be replaced by a rename.
    if (!fs::exists(status) || fs::is_regular_file(status)) {
      partial_ = path + ".partial";
    }
    fd = open(partial_.empty() ? path.c_str() : partial_.c_str(),
              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  }
  if (fd < 0) {
    throw std::runtime_error("cannot write '" + path +
                             "': " + std::strerror(errno));
  }
  buffer_ = std::make_unique<Buffer>(fd);
  out_.rdbuf(buffer_.get());
}

ExportOutput::~ExportOutput() {
  if (finished_ || partial_.empty()) return;
  std::error_code ignored;
  fs::remove(partial_, ignored);
}

void ExportOutput::Finish() {
  if (!buffer_->Flush(!partial_.empty())) {
    const std::string where =
        path_ == "-" ? "standard output" : "'" + path_ + "'";
    throw std::runtime_error("writing the export to " + where +
                             " failed: " + std::strerror(buffer_->error()));
  }
  if (!partial_.empty()) {
    std::error_code error;
    fs::rename(partial_, path_, error);
    if (error) {
      throw std::runtime_error("cannot rename '" + partial_ + "' to '" + path_ +
                               "': " + error.message());
    }
  }
  finished_ = true;
}

}  // namespace tessera::server
