// The Store contract, run against the SQLite engine in a temporary directory.
#include "tessera/server/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "tessera/server/api_key.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

using testing::TempDir;

SignalRecord MakeSignal(const std::string& site, const std::string& id,
                        const std::string& vid, int64_t received_at_ms = 1000) {
  return SignalRecord{site, id, vid, received_at_ms,
                      "{\"id\":\"" + id + "\",\"vid\":\"" + vid + "\"}"};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_ = OpenStore(dir_.File("nested/dir/tessera.db"));
    store_->Migrate();
  }
  void Reopen() {
    store_.reset();
    store_ = OpenStore(dir_.File("nested/dir/tessera.db"));
    store_->Migrate();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigrateIsIdempotentAndRecordsTheVersion) {
  EXPECT_EQ(store_->SchemaVersion(), 1);
  EXPECT_EQ(store_->Migrate(), 1);
  EXPECT_EQ(store_->SchemaVersion(), 1);
  EXPECT_TRUE(store_->Ping());
}

TEST_F(StoreTest, FreshDatabaseHasSchemaVersionZeroUntilMigrated) {
  auto fresh = OpenStore(dir_.File("fresh.db"));
  EXPECT_EQ(fresh->SchemaVersion(), 0);
  EXPECT_EQ(fresh->Migrate(), 1);
}

TEST_F(StoreTest, ResentSignalIsADuplicateNotAnError) {
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "sig_1", "v1")),
            InsertOutcome::kAccepted);
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "sig_1", "v1")),
            InsertOutcome::kDuplicate);
  // Idempotency ids are scoped per site.
  EXPECT_EQ(store_->InsertSignal(MakeSignal("other", "sig_1", "v1")),
            InsertOutcome::kAccepted);
  int count = 0;
  store_->ForEachSignal("demo", [&](const SignalRecord&) { ++count; });
  EXPECT_EQ(count, 1);
}

TEST_F(StoreTest, ConcurrentInsertsAreAllAcknowledgedAfterGroupCommit) {
  constexpr int kThreads = 4, kPerThread = 200;
  std::atomic<int> accepted{0}, duplicates{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> done;
      for (int i = 0; i < kPerThread; ++i) {
        auto promise = std::make_shared<std::promise<void>>();
        done.push_back(promise->get_future());
        // Threads 0 and 1 send the same ids: each id must count once.
        std::string id = "sig_" + std::to_string(t % 2 == 0 ? t : t - 1) + "_" +
                         std::to_string(i);
        store_->InsertSignalAsync(
            MakeSignal("demo", id, "v" + std::to_string(i)),
            [&, promise](const InsertResult& result) {
              if (!result.ok) {
                ++failed;
              } else if (result.outcome == InsertOutcome::kAccepted) {
                ++accepted;
              } else {
                ++duplicates;
              }
              promise->set_value();
            });
      }
      for (auto& future : done) future.wait();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(accepted.load(), 2 * kPerThread);
  EXPECT_EQ(duplicates.load(), 2 * kPerThread);
  int stored = 0;
  store_->ForEachSignal("demo", [&](const SignalRecord&) { ++stored; });
  EXPECT_EQ(stored, 2 * kPerThread);
}

TEST_F(StoreTest, AcknowledgedSignalsSurviveReopening) {
  store_->InsertSignal(MakeSignal("demo", "sig_keep", "v1", 42));
  Reopen();
  std::vector<SignalRecord> signals = store_->SignalsOfVisitor("demo", "v1");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].id, "sig_keep");
  EXPECT_EQ(signals[0].received_at_ms, 42);
  EXPECT_EQ(signals[0].body, "{\"id\":\"sig_keep\",\"vid\":\"v1\"}");
}

TEST_F(StoreTest, KeysAreFoundByHashAndRevoked) {
  ApiKeyRecord record;
  std::string key = CreateApiKey(*store_, "demo", KeyKind::kAdmin, &record);
  EXPECT_EQ(key.rfind("tsa_", 0), 0u);
  EXPECT_EQ(key.size(), 4u + 64u);
  std::optional<ApiKeyRecord> found = store_->FindApiKey(HashApiKey(key));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, record.id);
  EXPECT_EQ(found->site, "demo");
  EXPECT_EQ(found->kind, KeyKind::kAdmin);
  EXPECT_FALSE(found->revoked);
  EXPECT_FALSE(store_->FindApiKey(HashApiKey(key + "x")).has_value());

  EXPECT_TRUE(store_->RevokeApiKey(record.id));
  EXPECT_FALSE(store_->RevokeApiKey(record.id));  // already revoked
  EXPECT_TRUE(store_->FindApiKey(HashApiKey(key))->revoked);
  EXPECT_EQ(store_->ListApiKeys("demo").size(), 1u);
  EXPECT_TRUE(store_->ListApiKeys("other").empty());
}

TEST_F(StoreTest, GeneratedKeysDiffer) {
  EXPECT_NE(GenerateApiKey(KeyKind::kWrite), GenerateApiKey(KeyKind::kWrite));
}

TEST_F(StoreTest, ArtifactRevisionsIncrease) {
  EXPECT_FALSE(store_->GetArtifact("demo").has_value());
  ArtifactRecord first = store_->PutArtifact("demo", "{\"v\":1}", "\"a\"", 10);
  ArtifactRecord second = store_->PutArtifact("demo", "{\"v\":2}", "\"b\"", 20);
  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ(second.revision, 2);
  std::optional<ArtifactRecord> stored = store_->GetArtifact("demo");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->json, "{\"v\":2}");
  EXPECT_EQ(stored->etag, "\"b\"");
  EXPECT_EQ(stored->revision, 2);
}

TEST_F(StoreTest, ErasureRemovesOnlyThatVisitorAndLogsNoIdentifier) {
  store_->InsertSignal(MakeSignal("demo", "sig_a", "visitor-1"));
  store_->InsertSignal(MakeSignal("demo", "sig_b", "visitor-1"));
  store_->InsertSignal(MakeSignal("other", "sig_c", "visitor-1"));
  store_->InsertSignal(MakeSignal("demo", "sig_d", "visitor-2"));

  ErasureRecord erasure = store_->EraseVisitor("demo", "visitor-1", 5000);
  EXPECT_EQ(erasure.signals_erased, 2);
  EXPECT_TRUE(store_->SignalsOfVisitor("demo", "visitor-1").empty());
  EXPECT_EQ(store_->SignalsOfVisitor("other", "visitor-1").size(), 1u);
  EXPECT_EQ(store_->SignalsOfVisitor("demo", "visitor-2").size(), 1u);

  std::vector<ErasureRecord> log = store_->ListErasures();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].erased_at_ms, 5000);
  EXPECT_EQ(log[0].signals_erased, 2);
  EXPECT_EQ(log[0].subject_hash, Sha256Hex("visitor-1"));
  EXPECT_EQ(log[0].subject_hash.find("visitor"), std::string::npos);

  // An all-sites erasure reaches every site.
  EXPECT_EQ(store_->EraseVisitor(kAllSites, "visitor-1", 6000).signals_erased,
            1);
  EXPECT_TRUE(store_->SignalsOfVisitor(kAllSites, "visitor-1").empty());
}

TEST_F(StoreTest, RetentionDeletesOnlyOlderSignals) {
  const int64_t kDay = 24 * 3600 * 1000LL;
  store_->InsertSignal(MakeSignal("demo", "old", "v", 1 * kDay));
  store_->InsertSignal(MakeSignal("demo", "new", "v", 10 * kDay));
  EXPECT_EQ(store_->DeleteSignalsBefore(5 * kDay), 1);
  std::vector<SignalRecord> left = store_->SignalsOfVisitor("demo", "v");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "new");
}

TEST_F(StoreTest, InsertAfterCloseFailsWithAMessage) {
  store_->Close();
  EXPECT_THROW(store_->InsertSignal(MakeSignal("demo", "late", "v")),
               StoreError);
}

TEST(OpenStoreTest, UnsupportedPostgresUriIsAClearError) {
  try {
    OpenStore("postgresql://localhost/tessera");
    FAIL() << "expected StoreError";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("PostgreSQL"), std::string::npos);
  }
}

TEST(OpenStoreTest, UnwritableLocationIsAStoreError) {
  EXPECT_THROW(OpenStore("/proc/no/such/dir/t.db"), StoreError);
}

}  // namespace
}  // namespace tessera::server
