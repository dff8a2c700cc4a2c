// Retention as a setting of the running server: TesseraServer deletes the
// signals older than ServeOptions::retention_days on its own thread at Start
// (and hourly), and ApplyRetention runs a pass on demand.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "tessera/server/server.h"
#include "tessera/server/store.h"

namespace tessera::server {
namespace {

using testing::TempDir;

constexpr int64_t kHour = 60 * 60 * 1000LL;
constexpr int64_t kDay = 24 * kHour;

class HttpServerRetentionTest : public ::testing::Test {
 protected:
  std::unique_ptr<TesseraServer> MakeServer(int64_t retention_days) {
    ServeOptions options;
    options.db = dir_.File("data/tessera.db");
    options.port = 0;
    options.threads = 1;
    options.durable = false;
    options.retention_days = retention_days;
    return std::make_unique<TesseraServer>(options);
  }

  // Signals received 3 days, 25 hours and 1 hour ago.
  static void InsertOldAndNew(Store& store) {
    int64_t now = NowMs();
    for (const auto& [id, age] : std::vector<std::pair<std::string, int64_t>>{
             {"sig_3_days", 3 * kDay},
             {"sig_25_hours", kDay + kHour},
             {"sig_1_hour", kHour}}) {
      ASSERT_EQ(store.InsertSignal(
                    SignalRecord{"demo", id, "visitor", now - age, "{}"}),
                InsertOutcome::kAccepted);
    }
  }

  static std::vector<std::string> StoredIds(Store& store) {
    std::vector<std::string> ids;
    for (const SignalRecord& signal : store.SignalsOfVisitor("demo", "visitor"))
      ids.push_back(signal.id);
    return ids;
  }

  TempDir dir_;
};

TEST_F(HttpServerRetentionTest, RunningServerDeletesOnlyExpiredSignals) {
  std::unique_ptr<TesseraServer> server = MakeServer(1);
  InsertOldAndNew(server->store());
  ASSERT_EQ(StoredIds(server->store()).size(), 3u);
  server->Start();
  std::thread runner([&] { server->Run(); });
  // The first pass runs on the retention thread right after Start; wait
  // for it (bounded), then look at what is left.
  for (int i = 0; i < 400 && StoredIds(server->store()).size() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(StoredIds(server->store()), std::vector<std::string>{"sig_1_hour"});
  server->Stop();
  runner.join();
}

TEST_F(HttpServerRetentionTest, ApplyRetentionReportsWhatItDeleted) {
  std::unique_ptr<TesseraServer> server = MakeServer(2);
  InsertOldAndNew(server->store());
  EXPECT_EQ(server->ApplyRetention(), 1);
  EXPECT_EQ(StoredIds(server->store()),
            (std::vector<std::string>{"sig_25_hours", "sig_1_hour"}));
  EXPECT_EQ(server->ApplyRetention(), 0);
}

TEST_F(HttpServerRetentionTest, ZeroDaysKeepsEverything) {
  std::unique_ptr<TesseraServer> server = MakeServer(0);
  InsertOldAndNew(server->store());
  EXPECT_EQ(server->ApplyRetention(), 0);
  EXPECT_EQ(StoredIds(server->store()).size(), 3u);
}

}  // namespace
}  // namespace tessera::server
