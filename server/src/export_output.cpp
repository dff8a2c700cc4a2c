#include "export_output.h"

#include <iostream>
#include <stdexcept>

namespace tessera::server {

ExportOutput::ExportOutput(const std::string& path) : out_(&std::cout) {
  if (path == "-") return;
  file_.open(path, std::ios::binary | std::ios::trunc);
  if (!file_) throw std::runtime_error("cannot write '" + path + "'");
  out_ = &file_;
}

void ExportOutput::Finish() {
  out_->flush();
  if (!*out_) throw std::runtime_error("writing the export failed");
}

}  // namespace tessera::server
