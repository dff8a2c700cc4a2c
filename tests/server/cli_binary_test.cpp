// Tests through the real tessera-server binary: keys are created by the CLI,
// the server runs as its own process and is stopped (SIGTERM) or killed
// (SIGKILL), and what it acknowledged must still be there after a restart.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server_binary.h"
#include "temp_dir.h"
#include "tessera/json.h"
#include "tessera/server/store.h"
#include "test_engines.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientResponse;
using testing::CommandResult;
using testing::PostSignal;
using testing::ReadFile;
using testing::RunCommand;
using testing::Send;
using testing::Serialize;
using testing::ServerProcess;
using testing::TempDir;
using testing::TestConnection;

std::string LastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  size_t newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

// A write key for site "demo": `keys create` prints it as its last line.
std::string CreateDemoWriteKey(const std::string& db) {
  return LastLine(RunCommand("keys create --db " + db + " --site demo").out);
}

std::string ExampleSignalWithId(const std::string& id) {
  Result<Value> signal = ParseJson(
      ReadFile(std::string(TESSERA_SOURCE_DIR) + "/docs/examples/signal.json"));
  if (!signal.ok()) {
    signal = ParseJson(R"({"v":1,"id":"x","site":"demo",
      "vid":"6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3","seq":1,
      "from":1717408500000,"to":1717408920000,
      "consent":{"granted":["necessary","analytics"],"policy":"2024-06"},
      "agg":{"page_view":{"n":6}}})");
  }
  signal->set("id", id);
  return signal->Dump();
}

TEST(CliBinaryTest, EverySubcommandHasHelp) {
  for (const char* command :
       {"--help", "serve --help", "keys create --help", "keys list --help",
        "keys revoke --help", "migrate --help", "export signals --help",
        "export customers --help", "export transactions --help",
        "import customers --help", "import transactions --help", "prune --help",
        "backup --help", "restore --help", "rotate-pii-key --help",
        "check-artifact --help"}) {
    CommandResult result = RunCommand(command);
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.out.find("usage: tessera-server"), std::string::npos)
        << command;
  }
}

TEST(CliBinaryTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunCommand("serve --no-such-flag").exit_code, 2);
  EXPECT_EQ(RunCommand("keys create --site demo --kind root").exit_code, 2);
  EXPECT_EQ(RunCommand("keys create --kind write").exit_code, 2);
  EXPECT_EQ(RunCommand("serve --port 70000").exit_code, 2);
  EXPECT_EQ(RunCommand("frobnicate").exit_code, 2);
  // A key for a site name no signal can carry would never be usable.
  CommandResult bad_site =
      RunCommand("keys create --site 'bad site' --kind write", true);
  EXPECT_EQ(bad_site.exit_code, 2);
  EXPECT_NE(bad_site.out.find("--site must be 1-64 of"), std::string::npos)
      << bad_site.out;
}

TEST(CliBinaryTest, AWriteKeyForEverySiteIsRefused) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  CommandResult write =
      RunCommand("keys create --db " + db + " --site '*' --kind write", true);
  EXPECT_EQ(write.exit_code, 2);
  EXPECT_NE(write.out.find("--site * is for admin keys only"),
            std::string::npos)
      << write.out;
  EXPECT_EQ(RunCommand("keys create --db " + db + " --site '*' --kind admin")
                .exit_code,
            0);
}

TEST(CliBinaryTest, KeysCanExpireAndTheListSaysWhen) {
  TempDir dir;
  std::string db = dir.File("keys.db");
  CommandResult created =
      RunCommand("keys create --db " + db +
                 " --site demo --kind admin --expires-in-days 30");
  ASSERT_EQ(created.exit_code, 0);
  EXPECT_NE(created.out.find(", expiring at 20"), std::string::npos)
      << created.out;
  EXPECT_EQ(LastLine(created.out).rfind("tsa_", 0), 0u);
  ASSERT_EQ(RunCommand("keys create --db " + db + " --site demo").exit_code, 0);
  CommandResult listed = RunCommand("keys list --db " + db);
  EXPECT_NE(listed.out.find("\tstate\texpires\n"), std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("\tactive\t20"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("\tactive\tnever\n"), std::string::npos)
      << listed.out;
  for (const char* bad : {"0", "3651", "soon"}) {
    EXPECT_EQ(RunCommand("keys create --db " + db +
                         " --site demo --expires-in-days " + bad)
                  .exit_code,
              2)
        << bad;
  }
}

TEST(CliBinaryTest, SignalsSurviveStopAndRestartAndCountOnce) {
  TempDir dir;
  std::string db = dir.File("data/tessera.db");
  CommandResult created =
      RunCommand("keys create --db " + db + " --site demo --kind write");
  ASSERT_EQ(created.exit_code, 0);
  std::string key = LastLine(created.out);
  ASSERT_EQ(key.rfind("tsw_", 0), 0u) << created.out;

  std::string signal = ExampleSignalWithId("sig_binary_test_0001");
  {
    ServerProcess server(db, dir.File("serve1.log"));
    ASSERT_NE(server.port(), 0) << ReadFile(dir.File("serve1.log"));
    EXPECT_EQ(PostSignal(server.port(), key, signal).status, 202);
    EXPECT_EQ(server.Signal(SIGTERM), 0);  // graceful stop exits 0
  }
  {
    ServerProcess server(db, dir.File("serve2.log"));
    ASSERT_NE(server.port(), 0);
    ClientResponse again = PostSignal(server.port(), key, signal);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, "{\"status\":\"duplicate\"}");
    EXPECT_EQ(server.Signal(SIGINT), 0);
  }
  CommandResult exported =
      RunCommand("export signals --db " + db + " --site demo");
  EXPECT_EQ(exported.exit_code, 0);
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 1);
  EXPECT_NE(exported.out.find("sig_binary_test_0001"), std::string::npos);
  // Incremental: what came at or after a time (here: nothing that late).
  CommandResult later = RunCommand("export signals --db " + db +
                                   " --site demo --since 9007199254740992");
  EXPECT_EQ(later.exit_code, 0);
  EXPECT_EQ(later.out, "");
  EXPECT_EQ(
      RunCommand("export signals --db " + db + " --site demo --since yesterday",
                 true)
          .exit_code,
      2);
  // A mistyped site exports nothing and names the sites there are; one that
  // is no site name at all is a usage error.
  CommandResult typo =
      RunCommand("export signals --db " + db + " --site dmeo", true);
  EXPECT_EQ(typo.exit_code, 0);
  EXPECT_NE(typo.out.find("exported 0 signal(s) of site dmeo (sites with "
                          "keys in this database: demo)"),
            std::string::npos)
      << typo.out;
  CommandResult bad =
      RunCommand("export signals --db " + db + " --site 'de mo'", true);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("--site must be 1-64 of A-Z a-z 0-9 _ . -, not "
                         "'de mo'"),
            std::string::npos)
      << bad.out;
}

TEST(CliBinaryTest, AcknowledgedSignalsSurviveKillNineDuringIngest) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  // Clients post unique signals in a loop, each keeping the ids answered
  // 2xx, while the server is killed: whatever it acknowledged must be in
  // the database, whichever group commit it was in.
  constexpr int kClients = 8;
  std::vector<std::vector<std::string>> acknowledged(kClients);
  std::atomic<int> acknowledged_count{0};
  std::atomic<bool> stop{false};
  {
    ServerProcess server(db, dir.File("serve1.log"));
    ASSERT_NE(server.port(), 0);
    const uint16_t port = server.port();
    std::vector<std::thread> clients;
    for (int client = 0; client < kClients; ++client) {
      clients.emplace_back([&, client] {
        for (int n = 0; !stop.load(); ++n) {
          char id[40];
          std::snprintf(id, sizeof id, "sig_kill_c%02d_%07d", client, n);
          const int status =
              PostSignal(port, key, ExampleSignalWithId(id)).status;
          if (status == 202 || status == 200) {
            acknowledged[client].push_back(id);
            ++acknowledged_count;
          }
        }
      });
    }
    // Killed once a thousand are in, or after a few seconds on a slow
    // machine, with every client still posting.
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (acknowledged_count.load() < 1000 &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (std::thread& client : clients) client.join();
  }
  ASSERT_GT(acknowledged_count.load(), 0);

  CommandResult exported =
      RunCommand("export signals --db " + db + " --site demo");
  ASSERT_EQ(exported.exit_code, 0);
  int missing = 0;
  for (const auto& ids : acknowledged) {
    for (const std::string& id : ids) {
      if (exported.out.find("\"" + id + "\"") == std::string::npos) {
        ADD_FAILURE() << id << " was acknowledged but is not stored";
        if (++missing > 10) return;
      }
    }
  }

  ServerProcess server(db, dir.File("serve2.log"));
  ASSERT_NE(server.port(), 0);
  for (const auto& ids : acknowledged) {
    for (const std::string& id : ids) {
      ClientResponse again =
          PostSignal(server.port(), key, ExampleSignalWithId(id));
      ASSERT_EQ(again.status, 200) << id;
      ASSERT_EQ(again.body, "{\"status\":\"duplicate\"}") << id;
    }
  }
}

// Sends a signal request's header with "Expect: 100-continue" and returns
// the status of the interim answer: a 100 says the server has read the
// header, so the request has begun (a stop lets it finish).
int BeginSignalRequest(TestConnection& connection, const std::string& key,
                       size_t content_length) {
  connection.SendRaw(
      "POST /v1/signals HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
      "X-Tessera-Key: " +
      key + "\r\nContent-Length: " + std::to_string(content_length) +
      "\r\n\r\n");
  return connection.Read().status;
}

// Whether the server at `port` refuses new connections, as it does once
// stopping (waited for, up to 10 s).
bool RefusesConnections(uint16_t port) {
  for (int i = 0; i < 200; ++i) {
    if (!TestConnection(port).connected()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(CliBinaryTest, SigtermLetsARequestStillArrivingFinish) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  ServerProcess server(db, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0);
  const std::string signal = ExampleSignalWithId("sig_sigterm_in_flight");
  const size_t half = signal.size() / 2;

  // The header, then half the body, when the SIGTERM comes.
  TestConnection in_flight(server.port());
  ASSERT_TRUE(in_flight.connected());
  ASSERT_EQ(BeginSignalRequest(in_flight, key, signal.size()), 100);
  in_flight.SendRaw(signal.substr(0, half));
  server.Notify(SIGTERM);
  EXPECT_TRUE(RefusesConnections(server.port())) << "still accepting";

  // The rest of the body still gets the whole answer, then the server ends.
  in_flight.SendRaw(signal.substr(half));
  ClientResponse answer = in_flight.Read();
  EXPECT_EQ(answer.status, 202) << answer.body;
  EXPECT_EQ(answer.body, "{\"status\":\"accepted\"}");
  EXPECT_EQ(server.Wait(), 0) << server.log();
  EXPECT_NE(RunCommand("export signals --db " + db + " --site demo")
                .out.find("sig_sigterm_in_flight"),
            std::string::npos);
}

// A second SIGTERM while a slow request holds the grace period (10 s by
// default) ends it at once; the acknowledged signal is kept.
TEST(CliBinaryTest, ASecondSigtermEndsTheGracePeriod) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  ServerProcess server(db, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0);
  ASSERT_EQ(PostSignal(server.port(), key,
                       ExampleSignalWithId("sig_before_the_stop_01"))
                .status,
            202);
  // A request whose header has been read and whose body never comes.
  TestConnection slow(server.port());
  ASSERT_TRUE(slow.connected());
  ASSERT_EQ(BeginSignalRequest(slow, key, 500), 100);
  slow.SendRaw("{\"v\":");
  server.Notify(SIGTERM);
  ASSERT_TRUE(RefusesConnections(server.port())) << "still accepting";

  server.Notify(SIGTERM);
  EXPECT_EQ(server.Wait(), 0) << server.log();
  EXPECT_NE(server.log().find("stop signal again: closing the remaining "
                              "connections now"),
            std::string::npos)
      << server.log();
  EXPECT_NE(RunCommand("export signals --db " + db + " --site demo")
                .out.find("sig_before_the_stop_01"),
            std::string::npos);
}

TEST(CliBinaryTest, RevokedKeyIsListedAndRefused) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  CommandResult list = RunCommand("keys list --db " + db);
  EXPECT_NE(list.out.find(key.substr(0, 10)), std::string::npos);
  EXPECT_EQ(list.out.find(key), std::string::npos);  // never the whole key
  EXPECT_EQ(RunCommand("keys revoke --db " + db + " --id 1").exit_code, 0);
  EXPECT_EQ(RunCommand("keys revoke --db " + db + " --id 1").exit_code, 1);
  ServerProcess server(db, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(PostSignal(server.port(), key,
                       ExampleSignalWithId("sig_revoked_00000001"))
                .status,
            401);
}

TEST(CliBinaryTest, PruneKeepsRecentSignals) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  {
    ServerProcess server(db, dir.File("serve.log"));
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(PostSignal(server.port(), key,
                         ExampleSignalWithId("sig_prune_0000000001"))
                  .status,
              202);
  }
  CommandResult pruned =
      RunCommand("prune --db " + db + " --older-than-days 1");
  EXPECT_EQ(pruned.exit_code, 0);
  EXPECT_NE(pruned.out.find("deleted 0 signal(s)"), std::string::npos);
  EXPECT_EQ(RunCommand("prune --db " + db).exit_code, 2);
}

TEST(CliBinaryTest, RetentionAndConfigMistakesAreUsageErrors) {
  TempDir dir;
  CommandResult negative = RunCommand("serve --retention-days -1", true);
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.out.find("--retention-days needs a whole number up to "
                              "100000, not '-1'"),
            std::string::npos)
      << negative.out;
  CommandResult word = RunCommand("serve --retention-days ninety", true);
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_NE(word.out.find("not 'ninety'"), std::string::npos) << word.out;

  std::string missing = dir.File("missing.json");
  CommandResult unreadable = RunCommand("serve --config " + missing, true);
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.out.find("cannot read config file '" + missing + "'"),
            std::string::npos)
      << unreadable.out;
  std::ofstream(dir.File("typo.json")) << R"({"retention_days": 30})";
  CommandResult typo =
      RunCommand("serve --config " + dir.File("typo.json"), true);
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.out.find("unknown key \"retention_days\""), std::string::npos)
      << typo.out;
  // Only serve reads a config file.
  EXPECT_EQ(RunCommand("migrate --config " + dir.File("typo.json")).exit_code,
            2);
}

TEST(CliBinaryTest, ServeReadsItsConfigFile) {
  TempDir dir;
  std::string config = dir.File("serve.json");
  std::ofstream(config) << R"({"retention-days": 0, "port": 1})";
  std::string log = dir.File("serve.log");
  {
    // --port 0 on the command line wins over the file's port 1.
    ServerProcess server(dir.File("tessera.db"), log, {"--config", config});
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  EXPECT_NE(ReadFile(log).find("retention is off"), std::string::npos)
      << ReadFile(log);
}

TEST(CliBinaryTest, ServeWarnsOfAFileDirectoryThatIsNotThere) {
  TempDir dir;
  std::string log = dir.File("serve.log");
  std::string missing = dir.File("sdk-not-built");
  {
    ServerProcess server(dir.File("tessera.db"), log,
                         {"--sdk-dir", missing, "--site-dir", dir.path()});
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  std::string text = ReadFile(log);
  EXPECT_NE(text.find("warning: --sdk-dir '" + missing +
                      "' is not a directory (yet)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("--site-dir"), std::string::npos) << text;
}

TEST(CliBinaryTest, OutOfDescriptorsPausesAcceptingInsteadOfSpinning) {
  TempDir dir;
  std::string log = dir.File("serve.log");
  ServerProcess server(dir.File("tessera.db"), log, {}, 40);
  ASSERT_NE(server.port(), 0);
  {
    // More connections than descriptors: accept() fails with EMFILE. It
    // used to be retried at once, each failure logged: ~500,000 lines a
    // second and a busy core for as long as the connections stayed.
    std::vector<std::unique_ptr<TestConnection>> crowd;
    for (int i = 0; i < 60; ++i) {
      crowd.push_back(std::make_unique<TestConnection>(server.port()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::string text = ReadFile(log);
    size_t failures = 0;
    for (size_t at = 0;
         (at = text.find("accept failed", at)) != std::string::npos; ++at) {
      ++failures;
    }
    EXPECT_EQ(failures, 1u) << text.substr(0, 2000);
    EXPECT_NE(text.find("Too many open files; pausing accepts"),
              std::string::npos)
        << text.substr(0, 2000);
    // The connections already accepted are served meanwhile.
    crowd.front()->SendRaw(Serialize({"GET", "/healthz", {}, ""}));
    EXPECT_EQ(crowd.front()->Read().status, 200);
  }
  // Once descriptors are free again, new clients are served.
  EXPECT_EQ(Send(server.port(), {"GET", "/healthz", {}, ""}).status, 200);
  EXPECT_NE(ReadFile(log).find("accepting again after"), std::string::npos)
      << ReadFile(log);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

// `systemctl reload` sends SIGHUP whatever the flags: with no access log and
// no TLS there is nothing to reload, and the server must go on serving.
TEST(CliBinaryTest, SighupWithNothingToReloadKeepsServing) {
  TempDir dir;
  ServerProcess server(dir.File("tessera.db"), dir.File("serve.log"));
  ASSERT_NE(server.port(), 0);
  server.Notify(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Send(server.port(), {"GET", "/healthz", {}, ""}).status, 200);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

TEST(CliBinaryTest, SighupReloadsAllowedOriginsAndTheRateLimit) {
  TempDir dir;
  const std::string db = dir.File("reload.db");
  const std::string key = CreateDemoWriteKey(db);
  const std::string config = dir.File("serve.json");
  std::ofstream(config) << R"({"allowed-origins": ["https://a.example"]})";
  ServerProcess server(db, dir.File("serve.log"), {"--config", config});
  ASSERT_NE(server.port(), 0);
  int sent = 0;
  auto post = [&](const std::string& origin) {
    return Send(server.port(),
                {"POST",
                 "/v1/signals",
                 {{"Content-Type", "application/json"},
                  {"X-Tessera-Key", key},
                  {"Origin", origin}},
                 ExampleSignalWithId("sig_reload_" +
                                     std::to_string(1000000000 + ++sent))})
        .status;
  };
  auto reload = [&](const std::string& text, const std::string& expect) {
    std::ofstream(config) << text;
    server.Notify(SIGHUP);
    for (int i = 0; i < 100 && server.log().find(expect) == std::string::npos;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(server.log().find(expect), std::string::npos) << server.log();
  };
  EXPECT_EQ(post("https://b.example"), 403);

  reload(R"({"allowed-origins": ["https://a.example", "https://b.example"],
             "rate-limit": 2, "retention-days": 30})",
         "reloaded the configuration: 2 allowed origin(s), rate limit 2/s; "
         "changed, from the next start: retention-days");
  EXPECT_EQ(post("https://b.example"), 202);
  // The new limit holds: 2 a second with bursts of 2, so of 6 more posts
  // made within a second or two at least one is refused.
  int limited = 0;
  for (int i = 0; i < 6; ++i) limited += post("https://b.example") == 429;
  EXPECT_GE(limited, 1);

  // A broken file changes nothing: the last good configuration stays.
  reload(R"({"allowed-origins": "https://c.example",)",
         "the configuration was not reloaded");
  EXPECT_EQ(post("https://c.example"), 403);
  EXPECT_EQ(Send(server.port(), {"GET", "/healthz", {}, ""}).status, 200);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

// What waits for a restart keeps being named at every reload until the
// server restarts, and a value put back as it started is no change.
TEST(CliBinaryTest, SighupNamesRestartOnlyChangesUntilTheyAreUndone) {
  TempDir dir;
  const std::string config = dir.File("serve.json");
  std::ofstream(config) << R"({"retention-days": 90})";
  ServerProcess server(dir.File("reload.db"), dir.File("serve.log"),
                       {"--config", config});
  ASSERT_NE(server.port(), 0);
  // The reload messages so far, one per line.
  auto reloads = [&] {
    std::vector<std::string> lines;
    std::stringstream log(server.log());
    for (std::string line; std::getline(log, line);) {
      if (line.find("reloaded the configuration") != std::string::npos) {
        lines.push_back(line);
      }
    }
    return lines;
  };
  auto reload = [&](const std::string& text) {
    std::ofstream(config) << text;
    const size_t before = reloads().size();
    server.Notify(SIGHUP);
    for (int i = 0; i < 100 && reloads().size() == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::vector<std::string> lines = reloads();
    return lines.size() > before ? lines.back() : std::string();
  };
  const std::string pending = "changed, from the next start: retention-days";
  EXPECT_NE(reload(R"({"retention-days": 30})").find(pending),
            std::string::npos);
  EXPECT_NE(reload(R"({"retention-days": 30})").find(pending),
            std::string::npos);
  const std::string undone = reload(R"({"retention-days": 90})");
  EXPECT_NE(undone, "");
  EXPECT_EQ(undone.find("changed, from the next start"), std::string::npos)
      << undone;
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

TEST(CliBinaryTest, SighupReopensTheAccessLogAfterRotation) {
  TempDir dir;
  const std::string access = dir.File("access.log");
  ServerProcess server(dir.File("tessera.db"), dir.File("serve.log"),
                       {"--access-log", access});
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(Send(server.port(), {"GET", "/healthz", {}, ""}).status, 200);
  // logrotate moves the file away, then runs `kill -HUP`.
  std::filesystem::rename(access, access + ".1");
  server.Notify(SIGHUP);
  for (int i = 0; i < 100 && !std::filesystem::exists(access); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(std::filesystem::exists(access)) << "not reopened";
  EXPECT_EQ(Send(server.port(), {"GET", "/readyz", {}, ""}).status, 200);
  EXPECT_NE(ReadFile(access + ".1").find(" GET /healthz 200 "),
            std::string::npos);
  const std::string reopened = ReadFile(access);
  EXPECT_NE(reopened.find(" GET /readyz 200 "), std::string::npos) << reopened;
  EXPECT_EQ(reopened.find("/healthz"), std::string::npos) << reopened;
  EXPECT_EQ(server.Signal(SIGTERM), 0) << "SIGHUP did not stop it";
}

size_t Occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

// A full disk, simulated by a file size limit on the server process: the
// signals that cannot be committed are answered 503, the operator reads one
// line about it (not one per signal) and a counter in /metrics, and ingest
// resumes by itself once space is back.
TEST(CliBinaryTest, AFullDiskIsReportedOnceAndIngestResumes) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  ServerProcess server(db, dir.File("serve.log"), {}, 0, 1 << 20);
  ASSERT_NE(server.port(), 0);
  ClientResponse refused;
  int sent = 0;
  for (; sent < 5000 && refused.status == 0; ++sent) {
    ClientResponse response = PostSignal(
        server.port(), key,
        ExampleSignalWithId("sig_disk_full_" + std::to_string(100000 + sent)));
    if (response.status != 202) refused = response;
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("\"code\":\"store_unavailable\""),
            std::string::npos)
      << refused.body;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(PostSignal(server.port(), key,
                         ExampleSignalWithId("sig_disk_still_" +
                                             std::to_string(100000 + i)))
                  .status,
              503);
  }
  EXPECT_EQ(Occurrences(server.log(), "signals are not being stored: "), 1u)
      << server.log();
  ClientResponse metrics = Send(server.port(), {"GET", "/metrics", {}, ""});
  EXPECT_EQ(metrics.body.find("tessera_store_commit_failures_total 0\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("tessera_store_commit_failures_total "),
            std::string::npos);

  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &unlimited, nullptr), 0);
  EXPECT_EQ(PostSignal(server.port(), key,
                       ExampleSignalWithId("sig_disk_back_0000000001"))
                .status,
            202);
  EXPECT_NE(server.log().find("signals are stored again, after "),
            std::string::npos)
      << server.log();
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

// A load balancer must take a server off while it cannot store signals,
// and put it back once it can, even though it then gets no signals to
// find that out with.
TEST(CliBinaryTest, ReadyzSaysNotReadyWhileTheDiskIsFull) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key = CreateDemoWriteKey(db);
  ServerProcess server(db, dir.File("serve.log"), {}, 0, 1 << 20);
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(Send(server.port(), {"GET", "/readyz", {}, ""}).status, 200);
  int status = 202;
  for (int sent = 0; sent < 5000 && status == 202; ++sent) {
    status = PostSignal(server.port(), key,
                        ExampleSignalWithId("sig_ready_full_" +
                                            std::to_string(100000 + sent)))
                 .status;
  }
  ASSERT_EQ(status, 503);
  ClientResponse full = Send(server.port(), {"GET", "/readyz", {}, ""});
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_NE(full.body.find("\"code\":\"not_ready\""), std::string::npos)
      << full.body;

  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &unlimited, nullptr), 0);
  EXPECT_EQ(Send(server.port(), {"GET", "/readyz", {}, ""}).status, 200);
  EXPECT_EQ(PostSignal(server.port(), key,
                       ExampleSignalWithId("sig_ready_back_0000000001"))
                .status,
            202);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

// Whether process `pid` runs the server binary (not the test's fork before
// exec, with the test's descriptors) and has `path` open.
bool ServerHasFileOpen(pid_t pid, const std::string& path) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::error_code error;
  if (std::filesystem::read_symlink(proc + "/exe", error) !=
      std::filesystem::canonical(TESSERA_SERVER_BINARY, error)) {
    return false;
  }
  const std::string fds = proc + "/fd";
  for (const auto& fd : std::filesystem::directory_iterator(fds, error)) {
    if (std::filesystem::read_symlink(fd.path(), error) == path) return true;
  }
  return false;
}

// logrotate's `systemctl reload` may come while serve still opens the store
// (here: waiting for another process's lock, as a replica waits for a
// migration): SIGHUP's default action would end the server.
TEST(CliBinaryTest, SighupWhileStartingDoesNotStopTheServer) {
  TempDir dir;
  const std::string db = std::filesystem::absolute(dir.File("tessera.db"));
  ASSERT_EQ(RunCommand("migrate --db " + db).exit_code, 0);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  ServerProcess server(db, dir.File("serve.log"), {}, 0, 0, /*wait=*/false);
  for (int i = 0; i < 200 && !ServerHasFileOpen(server.pid(), db); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(ServerHasFileOpen(server.pid(), db)) << server.log();
  server.Notify(SIGHUP);
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_TRUE(server.WaitUntilListening()) << server.log();
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

int64_t SignalCount(const std::string& db) {
  sqlite3* raw = nullptr;
  int64_t count = -1;
  sqlite3_stmt* query = nullptr;
  if (sqlite3_open(db.c_str(), &raw) == SQLITE_OK &&
      sqlite3_prepare_v2(raw, "SELECT count(*) FROM signals", -1, &query,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(query) == SQLITE_ROW) {
    count = sqlite3_column_int64(query, 0);
  }
  sqlite3_finalize(query);
  sqlite3_close(raw);
  return count;
}

// The first pass after --retention-days is lowered (or after a long
// pause) may have millions of rows to delete, for minutes: SIGTERM must
// not wait for all of them (systemd kills the server after 90 s). The pass
// stops between chunks; the next one goes on.
TEST(CliBinaryTest, SigtermStopsALongRetentionPass) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  ASSERT_EQ(RunCommand("migrate --db " + db).exit_code, 0);
  constexpr int64_t kRows = 200000;
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    // 200 days ago, keyed as the server keys rows (signal_key.h).
    const std::string old =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       200LL * 86400 * 1000);
    const std::string insert =
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
        "WHERE i + 1 < " +
        std::to_string(kRows) +
        ") INSERT INTO signals (key, site, id, vid, vid_hash, received_at_ms, "
        "body) SELECT " +
        old + " * 1048576 + i, 'demo', printf('sig_%016d', i), 'v', 0, " + old +
        ", printf('{\"pad\":\"%.*c\"}', 500, 'x') FROM n";
    EXPECT_EQ(sqlite3_exec(raw, insert.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  ASSERT_EQ(SignalCount(db), kRows);
  ServerProcess server(db, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0) << server.log();
  // Until the pass has deleted its first rows.
  int64_t left = kRows;
  for (int i = 0; i < 3000 && left == kRows; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = SignalCount(db);
  }
  ASSERT_LT(left, kRows) << server.log();
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  EXPECT_GT(SignalCount(db), 0) << "the pass ran to its end: " << server.log();
  EXPECT_NE(server.log().find("retention stopped for the shutdown"),
            std::string::npos)
      << server.log();
}

TEST(CliBinaryTest, AFileThatIsNoDatabaseIsNamed) {
  TempDir dir;
  std::string db = dir.File("notes.txt");
  std::ofstream(db) << std::string(8192, 'x');
  for (const char* command : {"migrate", "serve --port 0", "keys list"}) {
    CommandResult result =
        RunCommand(std::string(command) + " --db " + db, true);
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_NE(result.out.find("cannot open database '" + db +
                              "': file is not a database"),
              std::string::npos)
        << command << ": " << result.out;
  }
  EXPECT_EQ(ReadFile(db), std::string(8192, 'x'));  // left as it was
}

// Commands that read or change what a database holds: a mistyped --db must
// not become a new empty database (and directory) answered as if empty.
TEST(CliBinaryTest, ReadingCommandsRefuseADatabaseThatIsNotThere) {
  TempDir dir;
  const std::string missing = dir.File("typo/tessera.db");
  for (const char* command :
       {"keys list", "keys revoke --id 1", "export signals --site demo",
        "export customers --site demo", "export transactions --site demo",
        "prune --older-than-days 30"}) {
    CommandResult result =
        RunCommand(std::string(command) + " --db " + missing, true);
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.out;
    EXPECT_NE(result.out.find("no database file at '" + missing + "'"),
              std::string::npos)
        << command << ": " << result.out;
    EXPECT_FALSE(std::filesystem::exists(dir.File("typo"))) << command;
  }
}

// The export is written where --out says; when it cannot be, the reason.
TEST(CliBinaryTest, AnExportThatCannotBeWrittenSaysWhy) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  ASSERT_EQ(RunCommand("migrate --db " + db).exit_code, 0);
  for (const auto& [out, reason] : {std::pair{dir.path(), "Is a directory"},
                                    std::pair{dir.File("missing/signals.jsonl"),
                                              "No such file or directory"}}) {
    CommandResult result = RunCommand(
        "export signals --db " + db + " --site demo --out " + out, true);
    EXPECT_EQ(result.exit_code, 1) << result.out;
    EXPECT_NE(result.out.find("cannot write '" + out + "': " + reason),
              std::string::npos)
        << result.out;
  }
}

// An --out that names the database (or its log) is refused: writing the
// export there would replace what the database holds.
TEST(CliBinaryTest, AnExportIsNeverWrittenOverItsDatabase) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  CreateDemoWriteKey(db);
  for (const std::string& out : {db, db + "-wal"}) {
    for (const char* kind : {"signals", "customers", "transactions"}) {
      CommandResult result =
          RunCommand(std::string("export ") + kind + " --db " + db +
                         " --site demo --out " + out,
                     true);
      EXPECT_EQ(result.exit_code, 1) << kind << ": " << result.out;
      EXPECT_NE(result.out.find("cannot write '" + out +
                                "': it is the database being exported"),
                std::string::npos)
          << kind << ": " << result.out;
    }
  }
  EXPECT_NE(RunCommand("keys list --db " + db).out.find("\tdemo\twrite\t"),
            std::string::npos);
}

// A signal whose stored body is no JSON (a damaged or edited row) fails the
// export, naming it, rather than writing a line that is no JSON.
TEST(CliBinaryTest, AnExportNamesAStoredSignalThatIsNoJson) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  {
    std::unique_ptr<Store> store = OpenStore(db);
    store->Migrate();
    for (const char* id : {"sig_whole_0000000001", "sig_damaged_00000001"}) {
      store->InsertSignal(
          SignalRecord{"demo", id, "visitor_000000001", 1000, "{\"agg\":{}}"});
    }
  }
  ASSERT_EQ(testing::SqliteEngine().Execute(
                db,
                "UPDATE signals SET body = '{\"agg\":' WHERE id = "
                "'sig_damaged_00000001'"),
            "");

  const std::string out = dir.File("signals.jsonl");
  CommandResult result = RunCommand(
      "export signals --db " + db + " --site demo --out " + out, true);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("the stored signal 'sig_damaged_00000001' of "
                            "site 'demo' is not JSON"),
            std::string::npos)
      << result.out;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the
// server running...?"); a log line per error needs them as one.
TEST(CliBinaryTest, AnUnreachablePostgresIsReportedOnOneLine) {
  // Nothing listens on port 1 of the loopback: refused at once.
  CommandResult result = RunCommand(
      "migrate --db postgresql://tessera:secret@127.0.0.1:1/tessera", true);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out.rfind("tessera-server: cannot connect to PostgreSQL at "
                             "'postgresql://tessera:***@127.0.0.1:1/tessera': ",
                             0),
            0u)
      << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1)
      << result.out;
}

// A directory opens as a stream on Linux and fails at the first read: each
// file flag must say so rather than "reading failed" or "0 characters".
TEST(CliBinaryTest, AFileFlagNamingADirectoryIsRefusedAsOne) {
  TempDir dir;
  const std::string folder = dir.File("exports");
  std::filesystem::create_directories(folder);
  const std::string db = dir.File("tessera.db");
  for (const std::string& command :
       {"import transactions --db " + db + " --site demo --file " + folder,
        "check-artifact --site demo --file " + folder,
        "export customers --db " + db +
            " --site demo --include-pii --pii-key-file " + folder}) {
    CommandResult result = RunCommand(command, true);
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.out;
    EXPECT_NE(result.out.find(folder), std::string::npos) << command;
    EXPECT_NE(result.out.find("it is a directory"), std::string::npos)
        << command << ": " << result.out;
  }
}

TEST(CliBinaryTest, CheckArtifactNamesEveryProblemWithoutADatabase) {
  TempDir dir;
  const std::string example =
      std::string(TESSERA_SOURCE_DIR) + "/docs/examples/artifact.json";
  CommandResult valid =
      RunCommand("check-artifact --site demo --file " + example);
  EXPECT_EQ(valid.exit_code, 0);
  EXPECT_NE(valid.out.find("a valid artifact for site demo (6 segments, 2 "
                           "slots, 1 experiment)"),
            std::string::npos)
      << valid.out;

  // Two problems at once: another site, and a segment without an id.
  Result<Value> artifact = ParseJson(ReadFile(example));
  ASSERT_TRUE(artifact.ok());
  artifact->find("segments")->as_array()[0].erase("id");
  const std::string broken = dir.File("broken.json");
  std::ofstream(broken) << artifact->Dump();
  CommandResult refused = RunCommand(
      "check-artifact --site shop --file " + broken, /*with_errors=*/true);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find(broken + ": $.site: names site 'demo'"),
            std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find(broken + ": $.segments[0]"), std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("it would not be published"), std::string::npos);

  std::ofstream(dir.File("cut.json")) << "{\"segments\": [";
  CommandResult cut = RunCommand(
      "check-artifact --site demo --file - < " + dir.File("cut.json"), true);
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.out.find("<stdin>: not an artifact: JSON at byte"),
            std::string::npos)
      << cut.out;
  CommandResult missing = RunCommand(
      "check-artifact --site demo --file " + dir.File("nope.json"), true);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("cannot be read"), std::string::npos);
  EXPECT_EQ(RunCommand("check-artifact --file " + example).exit_code, 2);
}

TEST(CliBinaryTest, MigrateReportsTheSchemaVersion) {
  TempDir dir;
  std::string db = dir.File("m/tessera.db");
  CommandResult first = RunCommand("migrate --db " + db);
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.out.find("from version 0 to 4"), std::string::npos);
  CommandResult second = RunCommand("migrate --db " + db);
  EXPECT_NE(second.out.find("up to date (version 4)"), std::string::npos);
}

}  // namespace
}  // namespace tessera::server
