// What an HTTP client chooses for /sdk/... and the site's files: the path
// and its Accept-Encoding. Served files must come from inside the root
// however the path is spelled (dot segments, backslashes, NULs, escapes
// left undecoded, a symlink pointing out), and Accept-Encoding must never
// accept what it does not name.
//
// Input: the path, then optionally "\n" and the Accept-Encoding value.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tessera/server/static_files.h"

namespace {

namespace fs = std::filesystem;
using tessera::server::AcceptsEncoding;
using tessera::server::IsSafeRelativePath;
using tessera::server::StaticFile;
using tessera::server::StaticFiles;

constexpr std::string_view kInside = "inside";
constexpr std::string_view kSecret = "SECRET";

void Write(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

// root/{a.js, a.js.gz, sub/b.wasm, out -> ../secret.txt}, secret.txt beside;
// removed when the fuzzer exits.
struct Fixture {
  Fixture()
      : base(fs::temp_directory_path() /
             ("tessera-static-fuzz-" + std::to_string(getpid()))),
        files(Build(base)) {}
  ~Fixture() {
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }
  static std::string Build(const fs::path& base) {
    fs::create_directories(base / "root" / "sub");
    Write(base / "secret.txt", kSecret);
    Write(base / "root" / "a.js", kInside);
    Write(base / "root" / "a.js.gz", kInside);
    Write(base / "root" / "sub" / "b.wasm", kInside);
    std::error_code ignored;
    fs::create_symlink(base / "secret.txt", base / "root" / "out", ignored);
    return (base / "root").string();
  }
  fs::path base;
  StaticFiles files;
};

const StaticFiles& Served() {
  static const Fixture fixture;
  return fixture.files;
}

bool Names(std::string_view header, std::string_view coding) {
  std::string lower(header);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  return lower.find(coding) != std::string::npos ||
         lower.find('*') != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view path = input.substr(0, newline);
  const std::string_view accept =
      newline == std::string_view::npos ? "" : input.substr(newline + 1);

  if (IsSafeRelativePath(path)) {
    for (const auto& part : fs::path(std::string(path))) {
      if (part == ".." || part == "." || part.is_absolute()) std::abort();
    }
  }
  std::optional<StaticFile> file = Served().Read(path, accept);
  if (file && file->content != kInside) std::abort();  // escaped the root
  for (std::string_view coding : {"gzip", "br"}) {
    if (AcceptsEncoding(accept, coding) && !Names(accept, coding)) {
      std::abort();
    }
  }
  return 0;
}
