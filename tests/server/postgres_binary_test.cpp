// The real tessera-server binary on PostgreSQL: keys created by the CLI, two
// `serve` processes (replicas) sharing one database, and the export reading
// what both stored. The database comes from TESSERA_TEST_POSTGRES_URI (see
// scripts/start-postgres.sh); without it these tests fail and say so.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "postgres_test_db.h"
#include "server_binary.h"
#include "temp_dir.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientResponse;
using testing::CommandResult;
using testing::PostgresTestDb;
using testing::PostSignal;
using testing::RunCommand;
using testing::ServerProcess;
using testing::TempDir;

std::string SignalWithId(const std::string& id) {
  return R"({"v":1,"id":")" + id + R"(","site":"demo",
    "vid":"6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3","seq":1,
    "from":1717408500000,"to":1717408920000,
    "consent":{"granted":["necessary","analytics"],"policy":"2024-06"},
    "agg":{"page_view":{"n":6}}})";
}

TEST(PostgresBinaryTest, TwoServeReplicasShareOneDatabase) {
  PostgresTestDb db;
  std::string why;
  ASSERT_TRUE(db.Ready(&why)) << why;
  PostgresTestDb::Schema schema = db.NewSchema();
  ASSERT_FALSE(schema.name.empty());
  // popen runs a shell: quote the URI (it holds '?' and '&').
  const std::string quoted = "'" + schema.uri + "'";

  CommandResult keys =
      RunCommand("keys create --db " + quoted + " --site demo --kind write");
  std::string created = keys.out;
  ASSERT_EQ(keys.exit_code, 0) << created;
  while (!created.empty() && created.back() == '\n') created.pop_back();
  std::string key = created.substr(created.rfind('\n') + 1);
  ASSERT_EQ(key.rfind("tsw_", 0), 0u) << created;

  TempDir dir;
  ServerProcess first(schema.uri, dir.File("first.log"), {"--threads", "1"});
  ServerProcess second(schema.uri, dir.File("second.log"), {"--threads", "1"});
  ASSERT_NE(first.port(), 0) << first.log();
  ASSERT_NE(second.port(), 0) << second.log();

  EXPECT_EQ(
      PostSignal(first.port(), key, SignalWithId("sig_pg_binary_0001")).status,
      202);
  // The same signal resent through the other replica counts once.
  ClientResponse again =
      PostSignal(second.port(), key, SignalWithId("sig_pg_binary_0001"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "{\"status\":\"duplicate\"}");
  EXPECT_EQ(
      PostSignal(second.port(), key, SignalWithId("sig_pg_binary_0002")).status,
      202);
  EXPECT_EQ(first.Signal(SIGTERM), 0);
  EXPECT_EQ(second.Signal(SIGTERM), 0);
  // The log names the store without its password.
  EXPECT_EQ(first.log().find(":tessera@"), std::string::npos) << first.log();

  CommandResult export_run =
      RunCommand("export signals --db " + quoted + " --site demo");
  EXPECT_EQ(export_run.exit_code, 0);
  const std::string& exported = export_run.out;
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 2) << exported;
  EXPECT_NE(exported.find("sig_pg_binary_0001"), std::string::npos);
  EXPECT_NE(exported.find("sig_pg_binary_0002"), std::string::npos);
}

// A signal refused because the database failed (here while checking its
// key, before any commit) is the server's fault, not the page's: it is
// counted apart from malformed signals and wrong keys, where the alert on
// store failures can see it.
TEST(PostgresBinaryTest, SignalsRefusedForTheStoreAreCountedAsSuch) {
  PostgresTestDb db;
  std::string why;
  ASSERT_TRUE(db.Ready(&why)) << why;
  PostgresTestDb::Schema schema = db.NewSchema();
  ASSERT_FALSE(schema.name.empty());
  CommandResult keys = RunCommand("keys create --db '" + schema.uri +
                                  "' --site demo --kind write");
  ASSERT_EQ(keys.exit_code, 0) << keys.out;
  std::string created = keys.out;
  while (!created.empty() && created.back() == '\n') created.pop_back();
  const std::string key = created.substr(created.rfind('\n') + 1);

  TempDir dir;
  ServerProcess server(schema.uri, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0) << server.log();
  // The keys table gone: every lookup of a key not yet cached fails.
  ASSERT_TRUE(db.Exec("ALTER TABLE " + schema.name +
                      ".api_keys RENAME TO api_keys_away"));
  ClientResponse refused =
      PostSignal(server.port(), key, SignalWithId("sig_pg_store_gone_01"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  const std::string metrics =
      testing::Send(server.port(), {"GET", "/metrics", {}, ""}).body;
  EXPECT_NE(
      metrics.find("tessera_signals_total{outcome=\"store_unavailable\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tessera_signals_total{outcome=\"rejected\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

TEST(PostgresBinaryTest, UnreachableDatabaseExitsWithAMessage) {
  // Port 1 on loopback: nothing listens there.
  CommandResult run =
      RunCommand("migrate --db postgresql://tessera:pw@127.0.0.1:1/x", true);
  const std::string& text = run.out;
  EXPECT_GT(run.exit_code, 0) << text;
  EXPECT_NE(text.find("cannot connect to PostgreSQL"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(":pw@"), std::string::npos) << text;
}

// A database host that takes the connection and never answers (a firewall
// dropping packets, a hung server): migrate, serve, and a replica
// reconnecting must give up with a message, not hang for minutes.
TEST(PostgresBinaryTest, ADatabaseThatNeverAnswersIsAClearError) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(listen(listener, 8), 0);  // connections queue, never accepted
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size),
            0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  // `timeout` ends a hang, so a regression fails instead of stalling.
  CommandResult run = RunCommand(
      "migrate --db postgresql://tessera:pw@127.0.0.1:" + port + "/x", true,
      "timeout 60 ");
  close(listener);
  EXPECT_NE(run.exit_code, 124) << "still waiting after 60 s";
  EXPECT_NE(run.out.find("cannot connect to PostgreSQL"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("timeout"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace tessera::server
