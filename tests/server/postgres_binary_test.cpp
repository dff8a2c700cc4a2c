// The real tessera-server binary on PostgreSQL: keys created by the CLI, two
// `serve` processes (replicas) sharing one database, and the export reading
// what both stored. The database comes from TESSERA_TEST_POSTGRES_URI (see
// scripts/start-postgres.sh); without it these tests fail and say so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "postgres_test_db.h"
#include "temp_dir.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientRequest;
using testing::ClientResponse;
using testing::PostgresTestDb;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the binary with `arguments`; returns its exit code and stdout.
int RunBinary(const std::string& arguments, std::string* out) {
  std::string command =
      std::string(TESSERA_SERVER_BINARY) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) out->append(chunk, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A `tessera-server serve --db DB --port 0` child, stopped by SIGTERM.
class Replica {
 public:
  Replica(const std::string& db, const std::string& log) : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      FILE* err = freopen(log.c_str(), "w", stderr);
      (void)err;
      execl(TESSERA_SERVER_BINARY, TESSERA_SERVER_BINARY, "serve", "--db",
            db.c_str(), "--port", "0", "--threads", "1",
            static_cast<char*>(nullptr));
      _exit(127);
    }
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
  ~Replica() {
    if (pid_ > 0) Stop();
  }
  uint16_t port() const { return port_; }
  std::string log() const { return ReadFile(log_); }
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

std::string SignalWithId(const std::string& id) {
  return R"({"v":1,"id":")" + id + R"(","site":"demo",
    "vid":"6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3","seq":1,
    "from":1717408500000,"to":1717408920000,
    "consent":{"granted":["necessary","analytics"],"policy":"2024-06"},
    "agg":{"page_view":{"n":6}}})";
}

ClientResponse Post(uint16_t port, const std::string& key,
                    const std::string& body) {
  ClientRequest request;
  request.method = "POST";
  request.target = "/v1/signals";
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Tessera-Key", key}};
  request.body = body;
  return testing::Send(port, request);
}

TEST(PostgresBinaryTest, TwoServeReplicasShareOneDatabase) {
  PostgresTestDb db;
  std::string why;
  ASSERT_TRUE(db.Ready(&why)) << why;
  PostgresTestDb::Schema schema = db.NewSchema();
  ASSERT_FALSE(schema.name.empty());
  // popen runs a shell: quote the URI (it holds '?' and '&').
  const std::string quoted = "'" + schema.uri + "'";

  std::string created;
  ASSERT_EQ(
      RunBinary("keys create --db " + quoted + " --site demo --kind write",
                &created),
      0)
      << created;
  while (!created.empty() && created.back() == '\n') created.pop_back();
  std::string key = created.substr(created.rfind('\n') + 1);
  ASSERT_EQ(key.rfind("tsw_", 0), 0u) << created;

  TempDir dir;
  Replica first(schema.uri, dir.File("first.log"));
  Replica second(schema.uri, dir.File("second.log"));
  ASSERT_NE(first.port(), 0) << first.log();
  ASSERT_NE(second.port(), 0) << second.log();

  EXPECT_EQ(Post(first.port(), key, SignalWithId("sig_pg_binary_0001")).status,
            202);
  // The same signal resent through the other replica counts once.
  ClientResponse again =
      Post(second.port(), key, SignalWithId("sig_pg_binary_0001"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "{\"status\":\"duplicate\"}");
  EXPECT_EQ(Post(second.port(), key, SignalWithId("sig_pg_binary_0002")).status,
            202);
  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
  // The log names the store without its password.
  EXPECT_EQ(first.log().find(":tessera@"), std::string::npos) << first.log();

  std::string exported;
  EXPECT_EQ(
      RunBinary("export signals --db " + quoted + " --site demo", &exported),
      0);
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 2) << exported;
  EXPECT_NE(exported.find("sig_pg_binary_0001"), std::string::npos);
  EXPECT_NE(exported.find("sig_pg_binary_0002"), std::string::npos);
}

TEST(PostgresBinaryTest, UnreachableDatabaseExitsWithAMessage) {
  // Port 1 on loopback: nothing listens there.
  std::string command = std::string(TESSERA_SERVER_BINARY) +
                        " migrate --db postgresql://tessera:pw@127.0.0.1:1/x "
                        "2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) text.append(chunk, n);
  int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << text;
  EXPECT_NE(text.find("cannot connect to PostgreSQL"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(":pw@"), std::string::npos) << text;
}

}  // namespace
}  // namespace tessera::server
