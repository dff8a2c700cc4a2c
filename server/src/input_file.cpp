#include "input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace tessera::server {

std::string OpenInputFile(const std::string& path, std::ifstream& in) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return "it is a directory";
  errno = 0;
  in.open(path, std::ios::binary);
  if (!in) return errno != 0 ? std::strerror(errno) : "it cannot be opened";
  return "";
}

}  // namespace tessera::server
