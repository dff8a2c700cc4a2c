// ExportOutput: a file under the export's name is always a whole export;
// a write that fails says where and why.
#include "export_output.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "server_binary.h"
#include "temp_dir.h"

namespace tessera::server {
namespace {

using testing::ReadFile;
using testing::TempDir;

TEST(ExportOutputTest, AFinishedExportIsUnderItsNameAndNothingBeside) {
  TempDir dir;
  const std::string path = dir.File("signals.jsonl");
  ExportOutput output(path);
  output.stream() << "{\"n\":1}\n";
  output.Finish();
  EXPECT_EQ(ReadFile(path), "{\"n\":1}\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

// An export that fails half-way (the store, the disk) must not leave half
// of it under the name a script then reads as complete.
TEST(ExportOutputTest, AnExportThatDoesNotFinishLeavesNoHalfFile) {
  TempDir dir;
  const std::string fresh = dir.File("fresh.jsonl");
  const std::string earlier = dir.File("earlier.jsonl");
  std::ofstream(earlier) << "{\"whole\":true}\n";
  for (const std::string& path : {fresh, earlier}) {
    auto output = std::make_unique<ExportOutput>(path);
    output->stream() << "{\"half\":";
    output.reset();  // as when the export throws
  }
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_EQ(ReadFile(earlier), "{\"whole\":true}\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(ExportOutputTest, AFullDiskIsNamedWithTheFile) {
  ExportOutput output("/dev/full");
  output.stream() << std::string(1 << 16, 'x');
  try {
    output.Finish();
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(),
                 "writing the export to '/dev/full' failed: No space left on "
                 "device");
  }
}

}  // namespace
}  // namespace tessera::server
