// `serve`'s flags and its --config file, parsed in-process: what lands in
// ServeOptions, which source wins, and the message of every kind of mistake.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "tessera/server/cli.h"

namespace tessera::server {
namespace {

using testing::TempDir;

// The UsageError message of parsing `args`, or "" when it parsed.
std::string ErrorOf(const std::vector<std::string>& args) {
  try {
    ParseServeArgs(args);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

class CliConfigFileTest : public ::testing::Test {
 protected:
  // Writes `text` as a config file and returns its path.
  std::string Config(const std::string& text) {
    std::string path = dir_.File("serve-" + std::to_string(++files_) + ".json");
    std::ofstream(path) << text;
    return path;
  }

  TempDir dir_;
  int files_ = 0;
};

TEST(CliServeArgsTest, DefaultsAreServeOptionsDefaults) {
  std::optional<ServeOptions> options = ParseServeArgs({});
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->db, "./data/tessera.db");
  EXPECT_EQ(options->port, 8080);
  EXPECT_EQ(options->retention_days, 90);
  EXPECT_TRUE(options->durable);
  EXPECT_TRUE(options->handle_signals);
}

TEST(CliServeArgsTest, HelpParsesToNothing) {
  EXPECT_FALSE(ParseServeArgs({"--help"}).has_value());
}

TEST(CliServeArgsTest, RetentionDaysIsAWholeNumberOfDaysOrZero) {
  EXPECT_EQ(ParseServeArgs({"--retention-days", "7"})->retention_days, 7);
  EXPECT_EQ(ParseServeArgs({"--retention-days=30"})->retention_days, 30);
  EXPECT_EQ(ParseServeArgs({"--retention-days", "0"})->retention_days, 0);
}

TEST(CliServeArgsTest, RetentionDaysRejectsNegativeAndNonNumbers) {
  for (const char* bad : {"-1", "abc", "1.5", "", "7d", "100001"}) {
    std::string message = ErrorOf({"--retention-days", bad});
    EXPECT_NE(message.find("--retention-days needs a whole number up to "
                           "100000, not '" +
                           std::string(bad) + "'"),
              std::string::npos)
        << bad << ": " << message;
  }
  EXPECT_EQ(ErrorOf({"--retention-days"}), "--retention-days needs a value");
}

TEST(CliServeArgsTest, ArtifactMaxAgeIsSecondsUpToADay) {
  EXPECT_EQ(ParseServeArgs({})->artifact_max_age, 60u);
  EXPECT_EQ(ParseServeArgs({"--artifact-max-age", "0"})->artifact_max_age, 0u);
  EXPECT_EQ(ErrorOf({"--artifact-max-age", "86401"}),
            "--artifact-max-age needs a whole number up to 86400, not '86401'");
}

TEST(CliServeArgsTest, ExportLimitTakesASize) {
  EXPECT_EQ(ParseServeArgs({})->export_limit, 64u << 20);
  EXPECT_EQ(ParseServeArgs({"--export-limit", "4096m"})->export_limit,
            uint64_t{4} << 30);
  EXPECT_EQ(ErrorOf({"--export-limit", "10"}),
            "--export-limit needs a size from 1024 to 4294967296 bytes (a "
            "number, or with k or m), not '10'");
}

TEST(CliServeArgsTest, RateLimitIsOffByDefaultAndAWholeNumber) {
  EXPECT_EQ(ParseServeArgs({})->rate_limit, 0u);
  EXPECT_EQ(ParseServeArgs({"--rate-limit", "500"})->rate_limit, 500u);
  for (const char* bad : {"-1", "1.5", "", "fast", "1000001"}) {
    EXPECT_EQ(ErrorOf({"--rate-limit", bad}),
              "--rate-limit needs a whole number up to 1000000, not '" +
                  std::string(bad) + "'")
        << bad;
  }
}

TEST(CliServeArgsTest, BodyLimitTakesUnitsWithinItsRangeAfterTheUnit) {
  EXPECT_EQ(ParseServeArgs({"--body-limit", "64k"})->body_limit, 65536u);
  EXPECT_EQ(ParseServeArgs({"--body-limit", "1M"})->body_limit, 1048576u);
  EXPECT_EQ(ParseServeArgs({"--body-limit", "1024"})->body_limit, 1024u);
  EXPECT_EQ(ParseServeArgs({"--body-limit", "16m"})->body_limit,
            uint64_t{16} << 20);
  // 0 or a few bytes would refuse every signal; "4096m" passed the cap
  // when it was checked before the unit was applied; "1024m" was allowed,
  // and such a body would have failed its whole group commit in SQLite.
  for (const char* bad :
       {"0", "1023", "0k", "4096m", "1024m", "17m", "16385k", "k", "", "-1k",
        " 5", "5 k", "5g", "99999999999999999999"}) {
    EXPECT_EQ(ErrorOf({"--body-limit", bad}),
              "--body-limit needs a size from 1024 to 16777216 bytes (a "
              "number, or with k or m), not '" +
                  std::string(bad) + "'")
        << bad;
  }
}

TEST(CliServeArgsTest, AllowedOriginsMustBeSpelledAsBrowsersSendThem) {
  std::optional<ServeOptions> options = ParseServeArgs(
      {"--allowed-origins", "https://a.example, http://localhost:3000,*"});
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->allowed_origins,
            (std::vector<std::string>{"https://a.example",
                                      "http://localhost:3000", "*"}));
  // A trailing slash never matches an Origin header: refused at start
  // rather than every browser request refused later.
  EXPECT_EQ(
      ErrorOf({"--allowed-origins", "https://a.example,https://b.example/"}),
      "--allowed-origins: 'https://b.example/' is not an origin as "
      "browsers send it (it has a path, query or fragment; an origin "
      "ends at the host or port); write 'https://b.example'");
  EXPECT_NE(ErrorOf({"--allowed-origins", "shop.example"})
                .find("must start with http:// or https://"),
            std::string::npos);
}

// An empty host resolves to the wildcard address: the admin API would
// listen on every interface when the default is loopback only, e.g. from
// `--host "$HOST"` with HOST unset or {"host": ""} in a config file.
TEST_F(CliConfigFileTest, AnEmptyHostIsRefusedNotTakenAsEveryInterface) {
  EXPECT_NE(ErrorOf({"--host", ""}).find("--host needs an address"),
            std::string::npos)
      << ErrorOf({"--host", ""});
  EXPECT_NE(ErrorOf({"--host="}).find("--host needs an address"),
            std::string::npos);
  const std::string config = Config(R"({"host": ""})");
  EXPECT_NE(ErrorOf({"--config", config}).find("key \"host\": --host needs"),
            std::string::npos)
      << ErrorOf({"--config", config});
  EXPECT_EQ(ParseServeArgs({"--host", "0.0.0.0"})->host, "0.0.0.0");
}

TEST_F(CliConfigFileTest, FileSetsEveryKindOfValue) {
  std::string path = Config(R"({
    "db": "data/from-file.db", "host": "0.0.0.0", "port": 8081,
    "allowed-origins": ["https://a.example", "https://b.example"],
    "body-limit": "1m", "threads": 3, "no-fsync": true,
    "retention-days": 30, "tls-cert": "cert.pem", "tls-key": "key.pem"})");
  std::optional<ServeOptions> options = ParseServeArgs({"--config", path});
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->db, "data/from-file.db");
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_EQ(options->port, 8081);
  EXPECT_EQ(
      options->allowed_origins,
      (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(options->body_limit, 1024u * 1024u);
  EXPECT_EQ(options->threads, 3u);
  EXPECT_FALSE(options->durable);
  EXPECT_EQ(options->retention_days, 30);
  EXPECT_EQ(options->tls_cert, "cert.pem");
  EXPECT_EQ(options->tls_key, "key.pem");
}

TEST_F(CliConfigFileTest, CommandLineFlagsOverrideTheFileWhereverItStands) {
  std::string path = Config(R"({"port": 8081, "retention-days": 30,
    "allowed-origins": ["https://file.example"], "db": "file.db"})");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--port", "9000", "--allowed-origins",
                                 "https://cli.example", "--config", path},
        std::vector<std::string>{"--config=" + path, "--port=9000",
                                 "--allowed-origins=https://cli.example"}}) {
    std::optional<ServeOptions> options = ParseServeArgs(args);
    ASSERT_TRUE(options.has_value());
    EXPECT_EQ(options->port, 9000);
    EXPECT_EQ(options->allowed_origins,
              std::vector<std::string>{"https://cli.example"});
    // What the command line leaves alone comes from the file.
    EXPECT_EQ(options->retention_days, 30);
    EXPECT_EQ(options->db, "file.db");
  }
}

TEST_F(CliConfigFileTest, FalseSwitchAndStringListLeaveTheirMeaning) {
  std::optional<ServeOptions> options = ParseServeArgs(
      {"--config",
       Config(
           R"({"no-fsync": false, "allowed-origins": "https://a.example, *"})")});
  ASSERT_TRUE(options.has_value());
  EXPECT_TRUE(options->durable);
  EXPECT_EQ(options->allowed_origins,
            (std::vector<std::string>{"https://a.example", "*"}));
}

TEST_F(CliConfigFileTest, UnknownKeysAreNamed) {
  for (const char* key : {"prot", "--port", "config", "help"}) {
    std::string path =
        Config("{\"" + std::string(key) + "\": 1, \"port\": 8081}");
    EXPECT_EQ(ErrorOf({"--config", path}),
              "config file '" + path + "': unknown key \"" + key +
                  "\" (keys are serve's flag names without the dashes)");
  }
}

TEST_F(CliConfigFileTest, WrongTypesNameTheKeyAndTheExpectedType) {
  struct Case {
    const char* json;
    const char* message;  // after "config file 'PATH', "
  };
  const Case cases[] = {
      {R"({"port": true})",
       "key \"port\": expected a whole number, not boolean"},
      {R"({"port": 1.5})", "key \"port\": expected a whole number, not number"},
      {R"({"port": "abc"})",
       "key \"port\": --port needs a whole number up to 65535, not 'abc'"},
      {R"({"retention-days": -3})",
       "key \"retention-days\": --retention-days needs a whole number up to "
       "100000, not '-3'"},
      {R"({"db": 5})", "key \"db\": expected a string, not number"},
      {R"({"allowed-origins": ["https://a.example", 1]})",
       "key \"allowed-origins\": expected an array of strings, not array"},
      {R"({"allowed-origins": {"a": 1}})",
       "key \"allowed-origins\": expected an array of strings, not object"},
      {R"({"allowed-origins": ["https://A.example"]})",
       "key \"allowed-origins\": --allowed-origins: 'https://A.example' is "
       "not an origin as browsers send it (its host holds 'A'; browsers "
       "send lowercase letters, digits, '-' and '.'); write "
       "'https://a.example'"},
      {R"({"no-fsync": "yes"})",
       "key \"no-fsync\": expected true or false, not string"},
  };
  for (const Case& c : cases) {
    std::string path = Config(c.json);
    EXPECT_EQ(ErrorOf({"--config", path}),
              "config file '" + path + "', " + c.message)
        << c.json;
  }
}

TEST_F(CliConfigFileTest, UnreadableAndMalformedFilesAreNamed) {
  std::string missing = dir_.File("missing.json");
  EXPECT_EQ(ErrorOf({"--config", missing}),
            "cannot read config file '" + missing + "': no such file");
  EXPECT_EQ(
      ErrorOf({"--config", dir_.path()}),
      "cannot read config file '" + dir_.path() + "': not a regular file");

  std::string broken = Config("{\"port\": 8081,\n \"db\" }");
  std::string message = ErrorOf({"--config", broken});
  EXPECT_EQ(
      message.rfind("config file '" + broken + "' is not valid JSON: ", 0), 0u)
      << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;

  std::string empty = Config("");
  EXPECT_NE(ErrorOf({"--config", empty}).find("is not valid JSON"),
            std::string::npos);

  std::string array = Config(R"(["port", 8081])");
  EXPECT_EQ(ErrorOf({"--config", array}),
            "config file '" + array + "' must hold a JSON object, not array");

  EXPECT_EQ(ErrorOf({"--config"}), "--config needs a value");
}

}  // namespace
}  // namespace tessera::server
