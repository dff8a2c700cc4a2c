// Runs every case of the official Mustache spec (tests/spec/mustache/*.json)
// as its own test, named <file>_<spec test name>.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "tessera/json.h"
#include "tessera/mustache.h"

namespace tessera {
namespace {

struct SpecCase {
  std::string test_name;  // a valid GoogleTest name
  std::string description;
  Value data;
  std::string template_text;
  Value partials;
  std::string expected;
  std::string load_error;  // set when the spec file itself could not be read
};

void PrintTo(const SpecCase& spec_case, std::ostream* os) {
  *os << spec_case.test_name;
}

// File reading is the test's job, not the core's (which has no I/O).
bool ReadFile(const std::string& path, std::string* contents) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    contents->append(buffer, n);
  }
  std::fclose(file);
  return true;
}

std::string TestName(const std::string& file, const std::string& spec_name) {
  std::string name = file + "_";
  for (char c : spec_name) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return name;
}

std::vector<SpecCase> LoadSpecCases() {
  std::vector<SpecCase> cases;
  const char* files[] = {"comments", "delimiters", "interpolation",
                         "inverted", "partials",   "sections"};
  for (const char* file : files) {
    const std::string path =
        std::string(TESSERA_TEST_DATA_DIR "/spec/mustache/") + file + ".json";
    std::string text;
    SpecCase failure;
    failure.test_name = TestName(file, "load");
    if (!ReadFile(path, &text)) {
      failure.load_error = "cannot read " + path;
      cases.push_back(failure);
      continue;
    }
    Result<Value> spec = ParseJson(text);
    if (!spec.ok() || spec->find("tests") == nullptr ||
        !spec->find("tests")->is_array()) {
      failure.load_error =
          path + " is not a spec file: " +
          (spec.ok() ? "no tests array" : spec.status().ToString());
      cases.push_back(failure);
      continue;
    }
    for (const Value& test : spec->find("tests")->as_array()) {
      SpecCase spec_case;
      spec_case.test_name = TestName(file, test.find("name")->as_string());
      spec_case.description = test.find("desc")->string_or("");
      spec_case.data = *test.find("data");
      spec_case.template_text = test.find("template")->as_string();
      if (const Value* partials = test.find("partials")) {
        spec_case.partials = *partials;
      }
      spec_case.expected = test.find("expected")->as_string();
      cases.push_back(std::move(spec_case));
    }
  }
  return cases;
}

class MustacheSpec : public testing::TestWithParam<SpecCase> {};

TEST_P(MustacheSpec, RendersAsExpected) {
  const SpecCase& spec_case = GetParam();
  ASSERT_TRUE(spec_case.load_error.empty()) << spec_case.load_error;
  Result<std::string> rendered = RenderMustache(
      spec_case.template_text, spec_case.data, spec_case.partials);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered, spec_case.expected)
      << spec_case.description << "\ntemplate: " << spec_case.template_text;
}

TEST_P(MustacheSpec, RendersTheSameFromOneParsedTemplateTwice) {
  const SpecCase& spec_case = GetParam();
  ASSERT_TRUE(spec_case.load_error.empty()) << spec_case.load_error;
  Result<MustacheTemplate> parsed =
      MustacheTemplate::Parse(spec_case.template_text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  for (int i = 0; i < 2; ++i) {
    Result<std::string> rendered =
        parsed->Render(spec_case.data, spec_case.partials);
    ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
    EXPECT_EQ(*rendered, spec_case.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Official, MustacheSpec,
                         testing::ValuesIn(LoadSpecCases()),
                         [](const testing::TestParamInfo<SpecCase>& info) {
                           return info.param.test_name;
                         });

}  // namespace
}  // namespace tessera
