// docs/openapi.yaml describes every route the server has, and no other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "tessera/server/api.h"

namespace tessera::server {
namespace {

// "/v1/artifact/{site}" and "/sdk/{*file}" -> "/v1/artifact/{}", "/sdk/{}".
std::string Normalized(const std::string& route) {
  return std::regex_replace(route, std::regex(R"(\{[^}]*\})"), "{}");
}

std::set<std::string> Documented() {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) + "/docs/openapi.yaml");
  EXPECT_TRUE(in) << "docs/openapi.yaml is missing";
  const std::regex path_line(R"(^  (/\S*):\s*$)");
  const std::regex method_line(
      R"(^    (get|put|post|delete|options|patch):\s*$)");
  std::set<std::string> routes;
  std::string path;
  std::smatch match;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, match, path_line)) {
      path = match[1];
    } else if (!path.empty() && std::regex_match(line, match, method_line)) {
      std::string method = match[1];
      std::transform(method.begin(), method.end(), method.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      routes.insert(method + " " + Normalized(path));
    }
  }
  return routes;
}

TEST(OpenApiTest, DescribesEveryRouteAndNoOther) {
  std::set<std::string> served;
  for (const std::string& route : Api::RouteList()) {
    served.insert(Normalized(route));
  }
  served.insert("GET /{}");  // the website of --site-dir, for other paths
  const std::set<std::string> documented = Documented();
  std::string missing, extra;
  for (const std::string& route : served) {
    if (!documented.count(route)) missing += " " + route;
  }
  for (const std::string& route : documented) {
    if (!served.count(route)) extra += " " + route;
  }
  EXPECT_EQ(missing, "") << "served but not in docs/openapi.yaml";
  EXPECT_EQ(extra, "") << "in docs/openapi.yaml but not served";
  EXPECT_GT(documented.size(), 10u) << "docs/openapi.yaml was not read";
}

}  // namespace
}  // namespace tessera::server
