// docs/openapi.yaml describes every route the server has, and no other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tessera/server/api.h"

namespace tessera::server {
namespace {

std::string SourceText(const std::string& relative) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative << " is missing";
  return std::string(std::istreambuf_iterator<char>(in), {});
}

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

// A script branches on `code`: each one the server can send is in the spec.
// Codes are found where the source refuses with a literal status and code
// (`Refuse(404, "x"`, `ApiError{405, "x"`, `Fail(413, "x"`).
TEST(OpenApiTest, DocumentsEveryErrorCode) {
  const std::string source = SourceText("server/src/api.cpp") +
                             SourceText("server/src/http_server.cpp");
  const std::string spec = SourceText("docs/openapi.yaml");
  const std::regex refusal(R"re([({]\s*\d{3}\s*,\s*"([a-z_]+)")re");
  std::string undocumented;
  int found = 0;
  for (std::sregex_iterator it(source.begin(), source.end(), refusal), end;
       it != end; ++it) {
    ++found;
    const std::string code = (*it)[1];
    // Named in backticks, alone or after its status: `409 pii_key_missing`.
    const std::regex named("`(\\d{3}\\s+)?" + code + "`");
    if (!std::regex_search(spec, named)) undocumented += " " + code;
  }
  EXPECT_EQ(undocumented, "") << "error codes missing in docs/openapi.yaml";
  EXPECT_GT(found, 30) << "the refusals in the source were not found";
}

// Tools (Swagger UI, code generators) refuse the whole file over one YAML
// error. The one this file is prone to: a plain (unquoted) value holding
// ": " or " #", which YAML reads as a nested key or a comment. Text in block
// scalars (`|`) is exempt.
TEST(OpenApiTest, PlainValuesAreValidYaml) {
  std::istringstream spec(SourceText("docs/openapi.yaml"));
  const std::regex entry(
      R"re(^( *)(?:- )?(?:'[^']*'|"[^"]*"|[A-Za-z0-9_$/.-][A-Za-z0-9_$/{}.-]*): (.*)$)re");
  size_t block_indent = std::string::npos;  // inside a block scalar when set
  std::string bad;
  int line_number = 0;
  std::smatch match;
  for (std::string line; std::getline(spec, line);) {
    ++line_number;
    const size_t indent = line.find_first_not_of(' ');
    if (block_indent != std::string::npos) {
      if (indent == std::string::npos || indent > block_indent) continue;
      block_indent = std::string::npos;
    }
    if (!std::regex_match(line, match, entry)) continue;
    const std::string value = match[2];
    if (value.empty()) continue;
    if (value[0] == '|' || value[0] == '>') {
      block_indent = match[1].length();
      continue;
    }
    if (std::string("'\"{[&*!").find(value[0]) != std::string::npos) continue;
    if (value.find(": ") != std::string::npos ||
        value.find(" #") != std::string::npos || value.back() == ':') {
      bad += " " + std::to_string(line_number);
    }
  }
  EXPECT_EQ(bad, "") << "lines of docs/openapi.yaml whose plain value needs "
                        "quotes";
  EXPECT_GT(line_number, 100) << "docs/openapi.yaml was not read";
}

}  // namespace
}  // namespace tessera::server
