// BrowserOriginProblem: an allow-list entry must be spelled exactly as a
// browser's Origin header, or it never matches; the message names the fix.
#include "browser_origin.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera::server {
namespace {

TEST(BrowserOriginTest, AcceptsOriginsAsBrowsersSerializeThem) {
  for (const char* origin :
       {"https://shop.example", "http://localhost:8080", "http://127.0.0.1",
        "https://xn--bcher-kva.example", "http://[::1]:3000",
        "https://a-b.c.example:8443", "http://[2001:db8::1]"}) {
    EXPECT_EQ(BrowserOriginProblem(origin), "") << origin;
  }
}

TEST(BrowserOriginTest, NamesTheSpellingBrowsersSendWhenThereIsOne) {
  struct Case {
    const char* entry;
    const char* fix;
  };
  for (const Case& c : {Case{"https://shop.example/", "https://shop.example"},
                        Case{"https://Shop.Example", "https://shop.example"},
                        Case{"HTTPS://shop.example", "https://shop.example"},
                        Case{"https://shop.example:443", "https://shop.example"},
                        Case{"http://shop.example:80/", "http://shop.example"}}) {
    std::string problem = BrowserOriginProblem(c.entry);
    EXPECT_NE(problem.find(std::string("'") + c.entry +
                           "' is not an origin as browsers send it"),
              std::string::npos)
        << problem;
    EXPECT_NE(problem.find(std::string("write '") + c.fix + "'"),
              std::string::npos)
        << problem;
  }
}

TEST(BrowserOriginTest, SaysWhatIsWrongWhenNoSpellingFixesIt) {
  struct Case {
    const char* entry;
    const char* reason;
  };
  for (const Case& c :
       {Case{"shop.example", "must start with http:// or https://"},
        Case{"ftp://shop.example", "must start with http:// or https://"},
        Case{"https://shop.example/app", "has a path, query or fragment"},
        Case{"https://shop.example?x=1", "has a path, query or fragment"},
        Case{"https://", "has no host"},
        Case{"https://shop.example:0", "port '0' is not a number"},
        Case{"https://shop.example:65536", "port '65536' is not a number"},
        Case{"https://shop.example:80a", "port '80a' is not a number"},
        Case{"https://shop.example:", "port '' is not a number"},
        Case{"https://bücher.example", "browsers send the punycode form"},
        Case{"https://shop_x.example", "host holds '_'"},
        Case{"http://[::1", "IPv6 host has no ']'"},
        Case{"http://[::1]x", "something after the host"}}) {
    std::string problem = BrowserOriginProblem(c.entry);
    EXPECT_NE(problem.find(c.reason), std::string::npos)
        << c.entry << ": " << problem;
    EXPECT_EQ(problem.find("; write '"), std::string::npos)
        << c.entry << ": " << problem;
  }
}

}  // namespace
}  // namespace tessera::server
