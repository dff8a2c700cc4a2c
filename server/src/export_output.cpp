#include "export_output.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace tessera::server {

ExportOutput::ExportOutput(const std::string& path) : out_(&std::cout) {
  if (path == "-") return;
  errno = 0;
  file_.open(path, std::ios::binary | std::ios::trunc);
  if (!file_) {
    throw std::runtime_error(
        "cannot write '" + path +
        "': " + (errno != 0 ? std::strerror(errno) : "it cannot be opened"));
  }
  out_ = &file_;
}

void ExportOutput::Finish() {
  out_->flush();
  if (!*out_) throw std::runtime_error("writing the export failed");
}

}  // namespace tessera::server
