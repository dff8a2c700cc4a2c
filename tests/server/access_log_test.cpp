// The access log's line format and its escaping of requested paths.
#include "access_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "temp_dir.h"

namespace tessera::server {
namespace {

TEST(AccessLogTest, PathsCannotForgeOrSplitLines) {
  EXPECT_EQ(LogSafe("/sdk/dist/tessera.js"), "/sdk/dist/tessera.js");
  EXPECT_EQ(LogSafe("/a b\r\nGET /forged 200"),
            "/a\\x20b\\x0d\\x0aGET\\x20/forged\\x20200");
  EXPECT_EQ(LogSafe("/caf\xc3\xa9\\x"), "/caf\\xc3\\xa9\\x5cx");
  EXPECT_EQ(LogSafe(std::string("\0\x7f", 2)), "\\x00\\x7f");
}

// SIGHUP after logrotate when the file cannot be made again (its directory
// gone, a full disk): the operator reads which file and why, and lines go
// on to the old file.
TEST(AccessLogTest, AFailedReopenSaysWhyAndKeepsTheOldFile) {
  testing::TempDir dir;
  const std::string folder = dir.File("logs");
  std::filesystem::create_directory(folder);
  const std::string path = folder + "/access.log";
  AccessLog log(path);
  std::filesystem::rename(folder, dir.File("logs.old"));
  const std::string problem = log.Reopen();
  EXPECT_NE(problem.find("cannot reopen the access log " + path + ": "),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find("No such file or directory"), std::string::npos)
      << problem;
  log.Write(1796648432123, "GET", "/healthz", 200, "", 15, 0.001);
  std::ifstream in(dir.File("logs.old/access.log"));
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(" GET /healthz 200 "), std::string::npos);
  EXPECT_EQ(log.Reopen(), "cannot reopen the access log " + path +
                              ": No such file or directory");
}

TEST(AccessLogTest, WritesOneLinePerCallAndAppends) {
  testing::TempDir dir;
  const std::string path = dir.File("access.log");
  {
    AccessLog log(path);
    // 2026-12-07T13:00:32.123Z
    log.Write(1796648432123, "POST", "/v1/signals", 429, "rate_limited", 104,
              0.000213);
  }
  {
    AccessLog log(path);
    log.Write(1796648432999, "GET", "/a b", 200, "", 7, 1.5);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "2026-12-07T13:00:32.123Z POST /v1/signals 429 rate_limited 104B "
            "0.213ms\n"
            "2026-12-07T13:00:32.999Z GET /a\\x20b 200 - 7B 1500.000ms\n");
}

TEST(AccessLogTest, AnUnopenableFileIsNamed) {
  try {
    AccessLog log("/nonexistent-dir/access.log");
    FAIL() << "opened";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(),
                 "cannot open access log /nonexistent-dir/access.log: No "
                 "such file or directory");
  }
}

}  // namespace
}  // namespace tessera::server
