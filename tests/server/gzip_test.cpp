// gzip of answers: what Gzip writes, zlib (as a browser would) reads back.
#include "gzip.h"

#include <gtest/gtest.h>

#include <string>

#include "test_http_client.h"

namespace tessera::server {
namespace {

TEST(GzipTest, RoundTripsEmptySmallAndLargeInputs) {
  std::string large;
  for (int i = 0; large.size() < (3u << 20); ++i) {
    large += "{\"id\":\"sig_" + std::to_string(i * 7919 % 100003) +
             "\",\"agg\":{\"page_view\":{\"n\":" + std::to_string(i % 17) +
             "}}}\n";
  }
  for (const std::string& input :
       {std::string(), std::string("{\"a\":1}"), large}) {
    for (int level : {1, 9}) {
      const std::string packed = Gzip(input, level);
      ASSERT_GE(packed.size(), 18u) << "header and trailer";
      EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
      EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
      EXPECT_EQ(testing::Gunzip(packed), input) << input.size();
    }
  }
  EXPECT_LT(Gzip(large, 1).size(), large.size() / 4) << "JSON Lines shrink";
}

}  // namespace
}  // namespace tessera::server
