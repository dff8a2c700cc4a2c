// The access log's line format and its escaping of requested paths.
#include "access_log.h"

#include <gtest/gtest.h>

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
