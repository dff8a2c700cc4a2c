// Tests through the real tessera-server binary: keys are created by the CLI,
// the server runs as its own process and is stopped (SIGTERM) or killed
// (SIGKILL), and what it acknowledged must still be there after a restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "temp_dir.h"
#include "tessera/json.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientRequest;
using testing::ClientResponse;
using testing::TempDir;

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

CommandResult RunCommand(const std::string& arguments) {
  CommandResult result;
  std::string command =
      std::string(TESSERA_SERVER_BINARY) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0)
    result.out.append(chunk, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string LastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  size_t newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
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

// A `tessera-server serve` child process on a free port.
class ServerProcess {
 public:
  ServerProcess(const std::string& db, const std::string& log) : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      FILE* err = freopen(log.c_str(), "w", stderr);
      (void)err;
      execl(TESSERA_SERVER_BINARY, TESSERA_SERVER_BINARY, "serve", "--db",
            db.c_str(), "--port", "0", "--threads", "2",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    // The server announces its port on stderr once it listens.
    const std::string marker = "listening on http://127.0.0.1:";
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::string text = ReadFile(log);
      size_t at = text.find(marker);
      if (at != std::string::npos) {
        port_ =
            static_cast<uint16_t>(std::atoi(text.c_str() + at + marker.size()));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }

  uint16_t port() const { return port_; }
  // Sends `signal_number` and returns the exit status (or 128 + signal).
  int Signal(int signal_number) {
    kill(pid_, signal_number);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

ClientResponse PostSignal(uint16_t port, const std::string& key,
                          const std::string& body) {
  ClientRequest request;
  request.method = "POST";
  request.target = "/v1/signals";
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Tessera-Key", key}};
  request.body = body;
  return testing::Send(port, request);
}

TEST(CliBinaryTest, EverySubcommandHasHelp) {
  for (const char* command :
       {"--help", "serve --help", "keys create --help", "keys list --help",
        "keys revoke --help", "migrate --help", "export signals --help",
        "prune --help"}) {
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
}

TEST(CliBinaryTest, AcknowledgedSignalsSurviveKillNine) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
  constexpr int kSignals = 40;
  int acknowledged = 0;
  {
    ServerProcess server(db, dir.File("serve1.log"));
    ASSERT_NE(server.port(), 0);
    for (int i = 0; i < kSignals; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "sig_kill_nine_%06d", i);
      if (PostSignal(server.port(), key, ExampleSignalWithId(id)).status ==
          202) {
        ++acknowledged;
      }
    }
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  EXPECT_EQ(acknowledged, kSignals);
  ServerProcess server(db, dir.File("serve2.log"));
  ASSERT_NE(server.port(), 0);
  for (int i = 0; i < kSignals; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "sig_kill_nine_%06d", i);
    EXPECT_EQ(PostSignal(server.port(), key, ExampleSignalWithId(id)).status,
              200)
        << id;
  }
}

TEST(CliBinaryTest, RevokedKeyIsListedAndRefused) {
  TempDir dir;
  std::string db = dir.File("tessera.db");
  std::string key =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
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
  std::string key =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
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

TEST(CliBinaryTest, MigrateReportsTheSchemaVersion) {
  TempDir dir;
  std::string db = dir.File("m/tessera.db");
  CommandResult first = RunCommand("migrate --db " + db);
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.out.find("from version 0 to 1"), std::string::npos);
  CommandResult second = RunCommand("migrate --db " + db);
  EXPECT_NE(second.out.find("up to date (version 1)"), std::string::npos);
}

}  // namespace
}  // namespace tessera::server
