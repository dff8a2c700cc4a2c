// A fresh temporary directory per test, removed afterwards.
#ifndef TESSERA_TESTS_SERVER_TEMP_DIR_H_
#define TESSERA_TESTS_SERVER_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace tessera::server::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tessera-server-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_TEMP_DIR_H_
