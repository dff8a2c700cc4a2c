// The Store contract, run against every engine (test_engines.h): SQLite in
// a temporary directory, and PostgreSQL in a fresh schema of the database
// named by TESSERA_TEST_POSTGRES_URI (see scripts/start-postgres.sh; without
// it the PostgreSQL cases fail and say what to run). Then what only PostgreSQL
// has: day partitions and their retention.
#include "tessera/server/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "postgres_test_db.h"
#include "tessera/server/api_key.h"
#include "tessera/server/digest.h"
#include "test_engines.h"

namespace tessera::server {
namespace {

using testing::EngineNames;
using testing::Engines;
using testing::PostgresTestDb;

constexpr int64_t kDay = 24 * 3600 * 1000LL;

SignalRecord MakeSignal(const std::string& site, const std::string& id,
                        const std::string& vid, int64_t received_at_ms = 1000) {
  return SignalRecord{site, id, vid, received_at_ms,
                      "{\"id\":\"" + id + "\",\"vid\":\"" + vid + "\"}"};
}

template <typename Engine>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(engine_.Ready(&why)) << why;
    uri_ = engine_.NewDatabase();
    store_ = OpenStore(uri_);
    this->store_->Migrate();
  }
  void Reopen() {
    store_.reset();
    store_ = OpenStore(uri_);
    this->store_->Migrate();
  }
  // Another server process ("replica") on the same database.
  std::unique_ptr<Store> OpenReplica() {
    std::unique_ptr<Store> replica = OpenStore(uri_);
    replica->Migrate();
    return replica;
  }
  int CountSignals(const std::string& site) {
    int count = 0;
    this->store_->ForEachSignal(site, [&](const SignalRecord&) { ++count; });
    return count;
  }

  // Destroyed in reverse: the stores close before the engine drops its data.
  Engine engine_;
  std::string uri_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(StoreTest, Engines, EngineNames);

TYPED_TEST(StoreTest, MigrateIsIdempotentAndRecordsTheVersion) {
  constexpr int kLatest = TypeParam::kSchemaVersion;
  EXPECT_EQ(this->store_->SchemaVersion(), kLatest);
  EXPECT_EQ(this->store_->Migrate(), kLatest);
  EXPECT_EQ(this->store_->SchemaVersion(), kLatest);
  EXPECT_TRUE(this->store_->Ping());
}

TYPED_TEST(StoreTest, FreshDatabaseHasSchemaVersionZeroUntilMigrated) {
  auto fresh = OpenStore(this->engine_.NewDatabase());
  EXPECT_EQ(fresh->SchemaVersion(), 0);
  EXPECT_EQ(fresh->Migrate(), TypeParam::kSchemaVersion);
}

// A database a newer server migrated: refused, naming both versions, and
// left as it was (the next server of that version still opens it).
TYPED_TEST(StoreTest, ADatabaseOfANewerSchemaIsRefusedAndLeftAsItWas) {
  this->store_->InsertSignal(MakeSignal("demo", "sig_kept", "v1"));
  ASSERT_EQ(this->engine_.Execute(this->uri_,
                                  "INSERT INTO schema_migrations (version, "
                                  "applied_at_ms) VALUES (99, 0)"),
            "");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto newer = OpenStore(this->uri_);
    try {
      newer->Migrate();
      ADD_FAILURE() << "a newer schema was not refused";
    } catch (const StoreError& error) {
      EXPECT_NE(std::string(error.what())
                    .find("database schema version 99 is newer than this "
                          "server knows (" +
                          std::to_string(TypeParam::kSchemaVersion) + ")"),
                std::string::npos)
          << error.what();
    }
    EXPECT_EQ(newer->SchemaVersion(), 99);
  }
  EXPECT_EQ(this->CountSignals("demo"), 1);
}

TYPED_TEST(StoreTest, ResentSignalIsADuplicateNotAnError) {
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "sig_1", "v1")),
            InsertOutcome::kAccepted);
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "sig_1", "v1")),
            InsertOutcome::kDuplicate);
  // Idempotency ids are scoped per site.
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("other", "sig_1", "v1")),
            InsertOutcome::kAccepted);
  int count = 0;
  this->store_->ForEachSignal("demo", [&](const SignalRecord&) { ++count; });
  EXPECT_EQ(count, 1);
}

TYPED_TEST(StoreTest, ConcurrentInsertsAreAllAcknowledgedAfterGroupCommit) {
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
        this->store_->InsertSignalAsync(
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
  this->store_->ForEachSignal("demo", [&](const SignalRecord&) { ++stored; });
  EXPECT_EQ(stored, 2 * kPerThread);
}

TYPED_TEST(StoreTest, AcknowledgedSignalsSurviveReopening) {
  this->store_->InsertSignal(MakeSignal("demo", "sig_keep", "v1", 42));
  this->Reopen();
  std::vector<SignalRecord> signals =
      this->store_->SignalsOfVisitor("demo", "v1");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].id, "sig_keep");
  EXPECT_EQ(signals[0].received_at_ms, 42);
  EXPECT_EQ(signals[0].body, "{\"id\":\"sig_keep\",\"vid\":\"v1\"}");
}

TYPED_TEST(StoreTest, KeysAreFoundByHashAndRevoked) {
  ApiKeyRecord record;
  std::string key =
      CreateApiKey(*this->store_, "demo", KeyKind::kAdmin, &record);
  EXPECT_EQ(key.rfind("tsa_", 0), 0u);
  EXPECT_EQ(key.size(), 4u + 64u);
  std::optional<ApiKeyRecord> found = this->store_->FindApiKey(HashApiKey(key));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, record.id);
  EXPECT_EQ(found->site, "demo");
  EXPECT_EQ(found->kind, KeyKind::kAdmin);
  EXPECT_FALSE(found->revoked);
  EXPECT_FALSE(this->store_->FindApiKey(HashApiKey(key + "x")).has_value());

  EXPECT_TRUE(this->store_->RevokeApiKey(record.id));
  EXPECT_FALSE(this->store_->RevokeApiKey(record.id));  // already revoked
  EXPECT_TRUE(this->store_->FindApiKey(HashApiKey(key))->revoked);
  EXPECT_EQ(this->store_->ListApiKeys("demo").size(), 1u);
  EXPECT_TRUE(this->store_->ListApiKeys("other").empty());
}

TYPED_TEST(StoreTest, KeysKeepTheirExpiry) {
  ApiKeyRecord lasting, expiring;
  std::string forever =
      CreateApiKey(*this->store_, "demo", KeyKind::kWrite, &lasting);
  std::string brief = CreateApiKey(*this->store_, "demo", KeyKind::kAdmin,
                                   &expiring, 1798000000000);
  EXPECT_EQ(lasting.expires_at_ms, 0);
  EXPECT_EQ(expiring.expires_at_ms, 1798000000000);
  EXPECT_EQ(this->store_->FindApiKey(HashApiKey(forever))->expires_at_ms, 0);
  EXPECT_EQ(this->store_->FindApiKey(HashApiKey(brief))->expires_at_ms,
            1798000000000);
  std::vector<ApiKeyRecord> listed = this->store_->ListApiKeys("demo");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].expires_at_ms, 1798000000000);
}

TYPED_TEST(StoreTest, TheAuditLogListsNewestFirstBySiteAndTime) {
  Store& store = *this->store_;
  store.AppendAudit({100, 1, "demo", "profile.read", "{\"n\":1}"});
  store.AppendAudit({200, 2, "other", "export.signals", "{\"n\":2}"});
  store.AppendAudit({300, 1, "demo", "artifact.publish", "{\"n\":3}"});
  std::vector<AuditRecord> demo = store.ListAudit("demo", 0, 10);
  ASSERT_EQ(demo.size(), 2u);
  EXPECT_EQ(demo[0].action, "artifact.publish");
  EXPECT_EQ(demo[0].at_ms, 300);
  EXPECT_EQ(demo[1].key_id, 1);
  EXPECT_EQ(demo[1].detail, "{\"n\":1}");
  EXPECT_EQ(store.ListAudit(kAllSites, 0, 10).size(), 3u);
  EXPECT_EQ(store.ListAudit(kAllSites, 200, 10).size(), 2u);
  std::vector<AuditRecord> newest = store.ListAudit(kAllSites, 0, 1);
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].at_ms, 300);
  EXPECT_TRUE(store.ListAudit("nowhere", 0, 10).empty());
}

TYPED_TEST(StoreTest, GeneratedKeysDiffer) {
  EXPECT_NE(GenerateApiKey(KeyKind::kWrite), GenerateApiKey(KeyKind::kWrite));
}

TEST(ApiKeyShape, GeneratedKeysHaveItAndNothingElseDoes) {
  const std::string write = GenerateApiKey(KeyKind::kWrite);
  const std::string admin = GenerateApiKey(KeyKind::kAdmin);
  EXPECT_TRUE(IsApiKeyShaped(write));
  EXPECT_TRUE(IsApiKeyShaped(admin));
  for (const std::string& wrong :
       {std::string(), write.substr(0, 67), write + "0",
        "tsx_" + write.substr(4), "TSW_" + write.substr(4),
        write.substr(0, 67) + "g", write.substr(0, 67) + "A",
        " " + write.substr(1)}) {
    EXPECT_FALSE(IsApiKeyShaped(wrong)) << wrong;
  }
}

TYPED_TEST(StoreTest, ArtifactRevisionsIncrease) {
  EXPECT_FALSE(this->store_->GetArtifact("demo").has_value());
  ArtifactRecord first = *this->store_->PutArtifact(
      {"demo", "{\"v\":1}", "\"a\"", 10, kAnyArtifactRevision});
  ArtifactRecord second = *this->store_->PutArtifact(
      {"demo", "{\"v\":2}", "\"b\"", 20, kAnyArtifactRevision});
  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ(second.revision, 2);
  std::optional<ArtifactRecord> stored = this->store_->GetArtifact("demo");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->json, "{\"v\":2}");
  EXPECT_EQ(stored->etag, "\"b\"");
  EXPECT_EQ(stored->revision, 2);
}

TYPED_TEST(StoreTest, AnArtifactPutOverAStaleRevisionChangesNothing) {
  Store& store = *this->store_;
  EXPECT_FALSE(store.PutArtifact({"demo", "{}", "\"x\"", 1, 1}).has_value());
  EXPECT_FALSE(store.GetArtifact("demo").has_value());  // nothing left behind
  ASSERT_TRUE(store.PutArtifact({"demo", "{\"v\":1}", "\"a\"", 10, 0}));
  EXPECT_FALSE(store.PutArtifact({"demo", "{}", "\"x\"", 11, 0}).has_value());
  std::optional<ArtifactRecord> second =
      store.PutArtifact({"demo", "{\"v\":2}", "\"b\"", 20, 1});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->revision, 2);
  EXPECT_FALSE(store.PutArtifact({"demo", "{}", "\"x\"", 21, 1}).has_value());
  EXPECT_EQ(store.GetArtifact("demo")->json, "{\"v\":2}");
  EXPECT_EQ(store.ListArtifactRevisions("demo").size(), 2u);
  // Another site's revisions are its own.
  EXPECT_EQ(store.PutArtifact({"other", "{}", "\"o\"", 30, 0})->revision, 1);
}

TYPED_TEST(StoreTest, ArtifactRevisionsAreKeptNewestFirstUpToTheLimit) {
  Store& store = *this->store_;
  EXPECT_TRUE(store.ListArtifactRevisions("demo").empty());
  const int64_t kPublished = kKeptArtifactRevisions + 5;
  for (int64_t i = 1; i <= kPublished; ++i) {
    std::string json = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE(
        store.PutArtifact({"demo", json, "\"e" + std::to_string(i) + "\"",
                           1000 + i, kAnyArtifactRevision}));
  }
  std::vector<ArtifactRevisionInfo> kept = store.ListArtifactRevisions("demo");
  ASSERT_EQ(kept.size(), static_cast<size_t>(kKeptArtifactRevisions));
  EXPECT_EQ(kept.front().revision, kPublished);
  EXPECT_EQ(kept.front().etag, "\"e" + std::to_string(kPublished) + "\"");
  EXPECT_EQ(kept.front().published_at_ms, 1000 + kPublished);
  EXPECT_EQ(kept.front().bytes, 9);  // {"n":105}
  EXPECT_EQ(kept.back().revision, 6);
  EXPECT_FALSE(store.GetArtifactRevision("demo", 5).has_value());
  std::optional<ArtifactRecord> sixth = store.GetArtifactRevision("demo", 6);
  ASSERT_TRUE(sixth.has_value());
  EXPECT_EQ(sixth->json, "{\"n\":6}");
  EXPECT_EQ(sixth->etag, "\"e6\"");
  EXPECT_EQ(sixth->updated_at_ms, 1006);
  EXPECT_FALSE(store.GetArtifactRevision("other", 6).has_value());
}

TYPED_TEST(StoreTest, ErasureRemovesOnlyThatVisitorAndLogsNoIdentifier) {
  this->store_->InsertSignal(MakeSignal("demo", "sig_a", "visitor-1"));
  this->store_->InsertSignal(MakeSignal("demo", "sig_b", "visitor-1"));
  this->store_->InsertSignal(MakeSignal("other", "sig_c", "visitor-1"));
  this->store_->InsertSignal(MakeSignal("demo", "sig_d", "visitor-2"));

  ErasureRecord erasure = this->store_->EraseVisitor("demo", "visitor-1", 5000);
  EXPECT_EQ(erasure.signals_erased, 2);
  EXPECT_TRUE(this->store_->SignalsOfVisitor("demo", "visitor-1").empty());
  EXPECT_EQ(this->store_->SignalsOfVisitor("other", "visitor-1").size(), 1u);
  EXPECT_EQ(this->store_->SignalsOfVisitor("demo", "visitor-2").size(), 1u);

  std::vector<ErasureRecord> log = this->store_->ListErasures();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].erased_at_ms, 5000);
  EXPECT_EQ(log[0].signals_erased, 2);
  EXPECT_EQ(log[0].subject_hash, Sha256Hex("visitor-1"));
  EXPECT_EQ(log[0].subject_hash.find("visitor"), std::string::npos);

  // An all-sites erasure reaches every site.
  EXPECT_EQ(
      this->store_->EraseVisitor(kAllSites, "visitor-1", 6000).signals_erased,
      1);
  EXPECT_TRUE(this->store_->SignalsOfVisitor(kAllSites, "visitor-1").empty());
  // With no long read open, the older copies go at once; the rest stays.
  EXPECT_TRUE(this->store_->PurgeErased());
  EXPECT_EQ(this->store_->SignalsOfVisitor("demo", "visitor-2").size(), 1u);
}

TYPED_TEST(StoreTest, RetentionDeletesOnlyOlderSignals) {
  this->store_->InsertSignal(MakeSignal("demo", "old", "v", 1 * kDay));
  this->store_->InsertSignal(MakeSignal("demo", "new", "v", 10 * kDay));
  EXPECT_EQ(this->store_->DeleteSignalsBefore(5 * kDay), 1);
  std::vector<SignalRecord> left = this->store_->SignalsOfVisitor("demo", "v");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "new");
}

TYPED_TEST(StoreTest, InsertAfterCloseFailsWithAMessage) {
  this->store_->Close();
  EXPECT_THROW(this->store_->InsertSignal(MakeSignal("demo", "late", "v")),
               StoreError);
}

TYPED_TEST(StoreTest, ResentSignalOnAnotherDayIsStillADuplicate) {
  // A client retrying after midnight: the idempotency id spans days (and so,
  // in PostgreSQL, partitions).
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "late", "v", kDay)),
            InsertOutcome::kAccepted);
  EXPECT_EQ(
      this->store_->InsertSignal(MakeSignal("demo", "late", "v", 3 * kDay)),
      InsertOutcome::kDuplicate);
  std::vector<SignalRecord> stored =
      this->store_->SignalsOfVisitor("demo", "v");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].received_at_ms, kDay);
}

TYPED_TEST(StoreTest, RetentionCutsInsideADayAndFreesTheIds) {
  const int64_t cutoff = 5 * kDay + 100;
  this->store_->InsertSignal(MakeSignal("demo", "a", "v", 1 * kDay));
  this->store_->InsertSignal(MakeSignal("demo", "b", "v", 2 * kDay + 5));
  this->store_->InsertSignal(MakeSignal("other", "c", "v", 5 * kDay + 10));
  this->store_->InsertSignal(MakeSignal("demo", "d", "v", 5 * kDay + 200));
  this->store_->InsertSignal(MakeSignal("demo", "e", "v", 10 * kDay));
  EXPECT_EQ(this->store_->DeleteSignalsBefore(cutoff), 3);
  std::vector<SignalRecord> left =
      this->store_->SignalsOfVisitor(kAllSites, "v");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, "d");
  EXPECT_EQ(left[1].id, "e");
  EXPECT_EQ(this->store_->DeleteSignalsBefore(cutoff), 0);
  // What retention deleted is gone, id included: the same id is new again.
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "a", "v", 6 * kDay)),
            InsertOutcome::kAccepted);
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "d", "v", 6 * kDay)),
            InsertOutcome::kDuplicate);
}

TYPED_TEST(StoreTest, SignalsArrivingOutOfTimeOrderArePrunedExactly) {
  // The server clock may step back: receipt times are not monotonic.
  const std::vector<std::pair<std::string, int64_t>> arrivals = {
      {"t5a", 5000}, {"t4a", 4000}, {"t4b", 4000}, {"t5b", 5000},
      {"t3", 3999},  {"t4c", 4000}, {"t6", 6000}};
  for (const auto& [id, at] : arrivals) {
    EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", id, "v", at)),
              InsertOutcome::kAccepted)
        << id;
  }
  EXPECT_EQ(this->store_->InsertSignal(MakeSignal("demo", "t4b", "v", 9000)),
            InsertOutcome::kDuplicate);
  EXPECT_EQ(this->store_->DeleteSignalsBefore(4000), 1);
  EXPECT_EQ(this->store_->DeleteSignalsBefore(5000), 3);
  std::vector<std::string> ids;
  this->store_->ForEachSignal(
      "demo", [&](const SignalRecord& signal) { ids.push_back(signal.id); });
  EXPECT_EQ(ids, (std::vector<std::string>{"t5a", "t5b", "t6"}));
}

TYPED_TEST(StoreTest, ForEachSignalVisitsInTimeThenIdOrder) {
  this->store_->InsertSignal(MakeSignal("demo", "b", "v", 2000));
  this->store_->InsertSignal(MakeSignal("demo", "a", "v", 2000));
  this->store_->InsertSignal(MakeSignal("demo", "Z", "v", 2000));
  this->store_->InsertSignal(MakeSignal("demo", "c", "v", 1000));
  this->store_->InsertSignal(MakeSignal("demo", "x", "v", 2 * kDay));
  std::vector<std::string> ids;
  this->store_->ForEachSignal(
      "demo", [&](const SignalRecord& signal) { ids.push_back(signal.id); });
  // Ids compare byte-wise ("Z" < "a"), whatever the database collation.
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "Z", "a", "b", "x"}));
}

TYPED_TEST(StoreTest, ForEachSignalSinceStartsAtThatReceiptTime) {
  this->store_->InsertSignal(MakeSignal("demo", "old", "v", 1000));
  this->store_->InsertSignal(MakeSignal("demo", "edge", "v", 2000));
  this->store_->InsertSignal(MakeSignal("demo", "new", "v", 2 * kDay));
  this->store_->InsertSignal(MakeSignal("other", "elsewhere", "v", 3000));
  auto since = [&](int64_t ms) {
    std::vector<std::string> ids;
    this->store_->ForEachSignalSince(
        "demo", ms,
        [&](const SignalRecord& signal) { ids.push_back(signal.id); });
    return ids;
  };
  EXPECT_EQ(since(0), (std::vector<std::string>{"old", "edge", "new"}));
  EXPECT_EQ(since(2000), (std::vector<std::string>{"edge", "new"}));
  EXPECT_EQ(since(2001), (std::vector<std::string>{"new"}));
  EXPECT_EQ(since(int64_t{1} << 53), std::vector<std::string>{});
}

TYPED_TEST(StoreTest, AnExportDoesNotHoldUpKeyLookupsOrArtifactReads) {
  this->store_->InsertSignal(MakeSignal("demo", "s1", "v"));
  this->store_->PutArtifact({"demo", "{}", "\"e\"", 1, kAnyArtifactRevision});
  Store* store = this->store_.get();
  std::future<bool> read;
  int visited = 0;
  store->ForEachSignal("demo", [&](const SignalRecord&) {
    ++visited;
    // What an I/O thread does while the admin worker exports. Not
    // std::async: its future would wait for a blocked read right here.
    auto answer = std::make_shared<std::promise<bool>>();
    read = answer->get_future();
    std::thread([store, answer] {
      answer->set_value(store->GetArtifact("demo").has_value() &&
                        !store->FindApiKey("no-such-hash").has_value());
    }).detach();
    EXPECT_EQ(read.wait_for(std::chrono::seconds(3)), std::future_status::ready)
        << "blocked by the export";
  });
  EXPECT_EQ(visited, 1);
  ASSERT_TRUE(read.valid());
  EXPECT_TRUE(read.get());  // (after a failure above: once the export ended)
}

TYPED_TEST(StoreTest, AnExceptionFromTheVisitorLeavesTheStoreUsable) {
  for (int i = 0; i < 5; ++i) {
    this->store_->InsertSignal(
        MakeSignal("demo", "s" + std::to_string(i), "v"));
  }
  int seen = 0;
  EXPECT_THROW(this->store_->ForEachSignal("demo",
                                           [&](const SignalRecord&) {
                                             if (++seen == 2) {
                                               throw std::runtime_error("stop");
                                             }
                                           }),
               std::runtime_error);
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(this->CountSignals("demo"), 5);
  EXPECT_TRUE(this->store_->Ping());
}

TYPED_TEST(StoreTest, TwoReplicasRacingOnTheSameIdsAcceptEachOnce) {
  // Two server processes receiving the same resent signals at once: every
  // id is accepted by exactly one of them, the other reports a duplicate.
  std::unique_ptr<Store> replica = this->OpenReplica();
  constexpr int kIds = 300;
  std::mutex mutex;
  std::map<std::string, std::vector<InsertResult>> outcomes;
  auto send_all = [&](Store& store, bool reverse) {
    std::vector<std::future<void>> done;
    for (int k = 0; k < kIds; ++k) {
      int i = reverse ? kIds - 1 - k : k;
      std::string id = "sig_race_" + std::to_string(i);
      auto promise = std::make_shared<std::promise<void>>();
      done.push_back(promise->get_future());
      store.InsertSignalAsync(MakeSignal("demo", id, "v" + std::to_string(i)),
                              [&, id, promise](const InsertResult& result) {
                                {
                                  std::lock_guard<std::mutex> lock(mutex);
                                  outcomes[id].push_back(result);
                                }
                                promise->set_value();
                              });
    }
    for (auto& future : done) future.wait();
  };
  std::thread first([&] { send_all(*this->store_, false); });
  std::thread second([&] { send_all(*replica, true); });
  first.join();
  second.join();

  ASSERT_EQ(outcomes.size(), static_cast<size_t>(kIds));
  for (const auto& [id, results] : outcomes) {
    ASSERT_EQ(results.size(), 2u) << id;
    EXPECT_TRUE(results[0].ok) << id << ": " << results[0].error;
    EXPECT_TRUE(results[1].ok) << id << ": " << results[1].error;
    int accepted = (results[0].outcome == InsertOutcome::kAccepted) +
                   (results[1].outcome == InsertOutcome::kAccepted);
    EXPECT_EQ(accepted, 1) << id;
  }
  EXPECT_EQ(this->CountSignals("demo"), kIds);
  // Both replicas read what either wrote.
  EXPECT_EQ(replica->SignalsOfVisitor("demo", "v7").size(), 1u);
}

TYPED_TEST(StoreTest, TwoReplicasHandOutEachArtifactRevisionOnce) {
  std::unique_ptr<Store> replica = this->OpenReplica();
  constexpr int kPuts = 20;
  std::vector<int64_t> revisions_a, revisions_b;
  std::thread first([&] {
    for (int i = 0; i < kPuts; ++i) {
      revisions_a.push_back(this->store_
                                ->PutArtifact({"demo", "{\"a\":1}", "\"a\"", i,
                                               kAnyArtifactRevision})
                                ->revision);
    }
  });
  std::thread second([&] {
    for (int i = 0; i < kPuts; ++i) {
      revisions_b.push_back(replica
                                ->PutArtifact({"demo", "{\"b\":1}", "\"b\"", i,
                                               kAnyArtifactRevision})
                                ->revision);
    }
  });
  first.join();
  second.join();
  std::set<int64_t> all(revisions_a.begin(), revisions_a.end());
  all.insert(revisions_b.begin(), revisions_b.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(2 * kPuts));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), 2 * kPuts);
  EXPECT_EQ(this->store_->GetArtifact("demo")->revision, 2 * kPuts);
}

TYPED_TEST(StoreTest, ReplicasMigratingAtOnceAgreeOnTheSchema) {
  std::string uri = this->engine_.NewDatabase();
  std::unique_ptr<Store> a = OpenStore(uri);
  std::unique_ptr<Store> b = OpenStore(uri);
  std::future<int> from_a =
      std::async(std::launch::async, [&] { return a->Migrate(); });
  std::future<int> from_b =
      std::async(std::launch::async, [&] { return b->Migrate(); });
  EXPECT_EQ(from_a.get(), TypeParam::kSchemaVersion);
  EXPECT_EQ(from_b.get(), TypeParam::kSchemaVersion);
  EXPECT_EQ(a->SchemaVersion(), TypeParam::kSchemaVersion);
  EXPECT_EQ(a->InsertSignal(MakeSignal("demo", "m", "v")),
            InsertOutcome::kAccepted);
  EXPECT_EQ(b->InsertSignal(MakeSignal("demo", "m", "v")),
            InsertOutcome::kDuplicate);
}

// SQLite erases in place: an erased visitor's signals are overwritten in
// the database file, not only unlinked from the tables and left in free
// space. (PostgreSQL leaves them to VACUUM; docs/privacy.md says so.)
TEST(SqliteStoreTest, ErasedSignalsLeaveNoBytesInTheDatabaseFile) {
  testing::SqliteEngine engine;
  std::string why;
  ASSERT_TRUE(engine.Ready(&why)) << why;
  const std::string db = engine.NewDatabase();
  const std::string vid = "erased-visitor-7f3a9c";
  {
    std::unique_ptr<Store> store = OpenStore(db);
    store->Migrate();
    for (int i = 0; i < 20; ++i) {
      store->InsertSignal(MakeSignal("demo", "sig_" + std::to_string(i), vid));
    }
    store->InsertSignal(MakeSignal("demo", "sig_kept", "kept-visitor"));
    ASSERT_NE(engine.StoredBytes(db).find(vid), std::string::npos);
    EXPECT_EQ(store->EraseVisitor("demo", vid, 5000).signals_erased, 20);
  }  // closing checkpoints the log into the file
  const std::string bytes = engine.StoredBytes(db);
  EXPECT_EQ(bytes.find(vid), std::string::npos);
  EXPECT_NE(bytes.find("kept-visitor"), std::string::npos);
}

// A retention pass over many rows (an hour of a busy site's signals) must
// let signals in while it runs: one DELETE holding the write lock for all
// of them kept every insert waiting for seconds per million rows, past the
// writer's 10 s wait for the lock. A signal sent once the pass has begun
// is committed while older rows are still there to delete.
TEST(SqliteStoreTest, RetentionLetsSignalsInWhileItDeletesManyRows) {
  testing::SqliteEngine engine;
  std::string why;
  ASSERT_TRUE(engine.Ready(&why)) << why;
  const std::string db = engine.NewDatabase();
  std::atomic<bool> count_at_commit{false};
  int64_t rows_at_commit = -1;
  StoreOptions options;
  options.durable = false;
  std::unique_ptr<Store> store;
  auto count_rows = [&] {
    int64_t rows = 0;
    store->ForEachSignal("demo", [&](const SignalRecord&) { ++rows; });
    return rows;
  };
  // On the writer thread, right after the commit and before the pass can
  // go on (it waits for the commit to finish).
  options.on_commit = [&](const CommitReport&) {
    if (count_at_commit.exchange(false)) rows_at_commit = count_rows();
  };
  store = OpenStore(db, options);
  store->Migrate();
  constexpr int64_t kOldRows = 200000;
  ASSERT_EQ(engine.Execute(db,
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                           "i + 1 FROM n WHERE i < " +
                               std::to_string(kOldRows) +
                               ") INSERT INTO signals (key, site, id, vid, "
                               "vid_hash, received_at_ms, body) SELECT i * "
                               "1048576, 'demo', 'old_' || i, 'v', 0, i, '{}' "
                               "FROM n"),
            "");
  int64_t deleted = 0;
  std::thread retention(
      [&] { deleted = store->DeleteSignalsBefore(kOldRows + 1); });
  while (count_rows() == kOldRows) {
  }
  count_at_commit = true;
  EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "sig_during", "v", NowMs())),
            InsertOutcome::kAccepted);
  retention.join();
  EXPECT_GT(rows_at_commit, 1) << "stored only after the pass";
  EXPECT_EQ(deleted, kOldRows);
  EXPECT_EQ(count_rows(), 1);
}

// SQLite keeps whatever type a row was given (an operator's hand edit, a
// damaged file): a number column holding text must be an error naming the
// column, not read as 0 (a signal from 1970, a key that never expires).
TEST(SqliteStoreTest, ANumberColumnHoldingTextIsAnErrorNotZero) {
  testing::SqliteEngine engine;
  std::string why;
  ASSERT_TRUE(engine.Ready(&why)) << why;
  const std::string db = engine.NewDatabase();
  std::unique_ptr<Store> store = OpenStore(db);
  store->Migrate();
  store->InsertSignal(MakeSignal("demo", "sig_1", "v1", 5000));
  store->CreateApiKey("demo", KeyKind::kWrite, "hash-1", "tsw_1", 1000, 9000);
  ASSERT_EQ(engine.Execute(db,
                           "UPDATE signals SET received_at_ms = 'yesterday'; "
                           "UPDATE api_keys SET expires_at_ms = 'never'"),
            "");

  auto expect_named = [](const std::function<void()>& read,
                         const std::string& column) {
    try {
      read();
      ADD_FAILURE() << column << ": no error";
    } catch (const StoreError& error) {
      EXPECT_NE(std::string(error.what())
                    .find("column " + column + " holds text, not an integer"),
                std::string::npos)
          << error.what();
    }
  };
  expect_named(
      [&] { store->ForEachSignal("demo", [](const SignalRecord&) {}); },
      "received_at_ms");
  expect_named([&] { store->SignalsOfVisitor("demo", "v1"); },
               "received_at_ms");
  expect_named([&] { store->FindApiKey("hash-1"); }, "expires_at_ms");
}

// What only the PostgreSQL engine has: one partition per day, and
// connections that the database may close under it.
class PostgresEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(db_.Ready(&why)) << why;
    schema_ = db_.NewSchema();
    ASSERT_FALSE(schema_.name.empty()) << "cannot create a test schema";
    store_ = OpenStore(schema_.uri);
    store_->Migrate();
  }
  std::vector<std::string> Partitions() {
    std::string error;
    std::vector<std::string> names = db_.Column(
        "SELECT c.relname FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent "
        "JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE p.relname = 'signals' AND n.nspname = $1 ORDER BY 1",
        schema_.name, &error);
    EXPECT_EQ(error, "");
    return names;
  }

  // A store on this schema whose statements give up waiting for a lock
  // after 2 s (lock_timeout), so that a lock the test holds fails what
  // waits for it instead of stalling the test for good.
  std::unique_ptr<Store> OpenStoreThatWaitsForLocksBriefly() {
    const std::string options = "options=-csearch_path%3D" + schema_.name;
    std::string uri = schema_.uri;
    uri.insert(uri.find(options) + options.size(), "%20-clock_timeout%3D2000");
    return OpenStore(uri);
  }

  // An open transaction that has read `signals`, as a long export or
  // pg_dump has: it holds the table's ACCESS SHARE lock until destroyed.
  class SignalsReader {
   public:
    explicit SignalsReader(const std::string& uri)
        : conn_(PQconnectdb(uri.c_str())) {
      PQclear(PQexec(conn_, "BEGIN"));
      PGresult* read = PQexec(conn_, "SELECT count(*) FROM signals");
      EXPECT_EQ(PQresultStatus(read), PGRES_TUPLES_OK) << PQerrorMessage(conn_);
      PQclear(read);
    }
    ~SignalsReader() { PQfinish(conn_); }
    SignalsReader(const SignalsReader&) = delete;
    SignalsReader& operator=(const SignalsReader&) = delete;

   private:
    PGconn* conn_;
  };

  PostgresTestDb db_;
  PostgresTestDb::Schema schema_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresEngineTest, SignalsLandInOnePartitionPerDay) {
  EXPECT_TRUE(Partitions().empty());
  store_->InsertSignal(MakeSignal("demo", "a", "v", 3 * kDay));
  store_->InsertSignal(MakeSignal("demo", "b", "v", 3 * kDay + 1));
  store_->InsertSignal(MakeSignal("demo", "c", "v", 4 * kDay));
  store_->InsertSignal(MakeSignal("demo", "d", "v", 9 * kDay + 5));
  EXPECT_EQ(Partitions(), (std::vector<std::string>{"signals_d3", "signals_d4",
                                                    "signals_d9"}));
  std::string error;
  EXPECT_EQ(db_.Column("SELECT count(*)::text FROM " + schema_.name +
                           ".signals_d3 WHERE $1 <> ''",
                       "x", &error),
            std::vector<std::string>{"2"})
      << error;
}

TEST_F(PostgresEngineTest, RetentionDropsWholeDaysAndTrimsTheCutoffDay) {
  store_->InsertSignal(MakeSignal("demo", "a", "v", 3 * kDay));
  store_->InsertSignal(MakeSignal("demo", "b", "v", 4 * kDay + 7));
  store_->InsertSignal(MakeSignal("demo", "c", "v", 5 * kDay + 10));
  store_->InsertSignal(MakeSignal("demo", "d", "v", 5 * kDay + 500));
  EXPECT_EQ(store_->DeleteSignalsBefore(5 * kDay + 100), 3);
  // Days 3 and 4 were wholly older: dropped. Day 5 keeps its newer signal.
  EXPECT_EQ(Partitions(), std::vector<std::string>{"signals_d5"});
  std::vector<SignalRecord> left = store_->SignalsOfVisitor("demo", "v");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "d");
}

// A new day's partition must not wait for readers of `signals` (an export,
// pg_dump): CREATE TABLE ... PARTITION OF takes an ACCESS EXCLUSIVE lock
// on it, so the first signal of the day, and every insert after it, would
// wait until the reader ends.
TEST_F(PostgresEngineTest, ANewDaysFirstSignalDoesNotWaitForAReader) {
  std::unique_ptr<Store> store = OpenStoreThatWaitsForLocksBriefly();
  store->InsertSignal(MakeSignal("demo", "a", "v", 8 * kDay));
  {
    SignalsReader reader(schema_.uri);
    EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "b", "v", 9 * kDay + 5)),
              InsertOutcome::kAccepted);
  }
  EXPECT_EQ(Partitions(),
            (std::vector<std::string>{"signals_d8", "signals_d9"}));
  EXPECT_EQ(store->SignalsOfVisitor("demo", "v").size(), 2u);
}

// Stores in two schemas of one database, one of them also on the other's
// search_path: each makes its own day partitions, whatever the other has.
TEST_F(PostgresEngineTest, ADayPartitionOfAnotherSchemaOnThePathIsNotTaken) {
  store_->InsertSignal(MakeSignal("demo", "a", "v", 5 * kDay));
  PostgresTestDb::Schema first = db_.NewSchema();
  ASSERT_FALSE(first.name.empty());
  const std::string path = "options=-csearch_path%3D" + first.name;
  std::string uri = first.uri;
  uri.insert(uri.find(path) + path.size(), "%2C" + schema_.name);
  std::unique_ptr<Store> store = OpenStore(uri);
  store->Migrate();
  EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "b", "v", 5 * kDay + 1)),
            InsertOutcome::kAccepted);
  EXPECT_EQ(store->SignalsOfVisitor("demo", "v").size(), 1u);
  EXPECT_EQ(store_->SignalsOfVisitor("demo", "v").size(), 1u);
}

// An erasure answered must survive a crash of the database even on a store
// that commits signals without waiting for the disk (--no-fsync, which is
// synchronous_commit=off): a trigger records the setting in force when the
// erasure is logged.
TEST_F(PostgresEngineTest, AnErasureIsDurableUnderNoFsync) {
  StoreOptions options;
  options.durable = false;
  std::unique_ptr<Store> store = OpenStore(schema_.uri, options);
  store->InsertSignal(MakeSignal("demo", "a", "v", 3 * kDay));
  const std::string s = schema_.name;
  ASSERT_TRUE(db_.Exec(
      "CREATE TABLE " + s + ".commit_modes (mode text); CREATE FUNCTION " + s +
      ".record_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT "
      "INTO " +
      s +
      ".commit_modes VALUES "
      "(current_setting('synchronous_commit')); RETURN NEW; END $$; "
      "CREATE TRIGGER record_mode AFTER INSERT ON " +
      s +
      ".erasure_log "
      "FOR EACH ROW EXECUTE FUNCTION " +
      s + ".record_mode()"));
  EXPECT_EQ(store->EraseVisitor("demo", "v", 10 * kDay).signals_erased, 1);
  std::string error;
  EXPECT_EQ(db_.Column("SELECT mode FROM " + s + ".commit_modes", &error),
            std::vector<std::string>{"on"})
      << error;
  // The store's other commits stay as asked.
  EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "b", "v", 11 * kDay)),
            InsertOutcome::kAccepted);
}

// Dropping a day's partition takes an ACCESS EXCLUSIVE lock on `signals`:
// behind a reader it would wait, and every insert with it. Retention deletes
// that day's rows instead, and drops the partition at a later pass.
TEST_F(PostgresEngineTest, RetentionDoesNotWaitForAReaderToDropADay) {
  std::unique_ptr<Store> store = OpenStoreThatWaitsForLocksBriefly();
  store->InsertSignal(MakeSignal("demo", "a", "v", 3 * kDay));
  store->InsertSignal(MakeSignal("demo", "b", "v", 5 * kDay));
  {
    SignalsReader reader(schema_.uri);
    EXPECT_EQ(store->DeleteSignalsBefore(5 * kDay), 1);
    EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "c", "v", 5 * kDay + 1)),
              InsertOutcome::kAccepted);
  }
  EXPECT_EQ(store->SignalsOfVisitor("demo", "v").size(), 2u);
  EXPECT_EQ(Partitions(),
            (std::vector<std::string>{"signals_d3", "signals_d5"}));
  // Its id is free again, as after any retention.
  EXPECT_EQ(store->InsertSignal(MakeSignal("demo", "a", "v", 5 * kDay + 2)),
            InsertOutcome::kAccepted);
  EXPECT_EQ(store->DeleteSignalsBefore(5 * kDay), 0);
  EXPECT_EQ(Partitions(), std::vector<std::string>{"signals_d5"});
}

// A retention pass can wait long (for a row another transaction holds, or
// deleting an hour of a busy site's rows): meanwhile the key lookups the
// I/O threads make for every uncached key must still be answered.
TEST_F(PostgresEngineTest, RetentionWaitingForALockDoesNotHoldUpKeyLookups) {
  store_->InsertSignal(MakeSignal("demo", "a", "v", 5 * kDay + 10));
  PGconn* locker = PQconnectdb(schema_.uri.c_str());
  PQclear(PQexec(locker, "BEGIN"));
  PGresult* locked =
      PQexec(locker, "SELECT id FROM signals WHERE id = 'a' FOR UPDATE");
  ASSERT_EQ(PQresultStatus(locked), PGRES_TUPLES_OK) << PQerrorMessage(locker);
  PQclear(locked);
  std::future<int64_t> retention = std::async(std::launch::async, [&] {
    return store_->DeleteSignalsBefore(5 * kDay + 100);
  });
  // Until its DELETE waits for the row.
  bool waiting = false;
  for (int i = 0; i < 300 && !waiting; ++i) {
    waiting = !db_.Column(
                      "SELECT pid::text FROM pg_stat_activity WHERE "
                      "application_name = $1 AND wait_event_type = 'Lock'",
                      schema_.name)
                   .empty();
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(waiting) << "the retention pass never waited for the row";
  std::future<bool> lookup = std::async(std::launch::async, [&] {
    return !store_->FindApiKey(HashApiKey("tsw_unknown")).has_value();
  });
  EXPECT_EQ(lookup.wait_for(std::chrono::seconds(30)),
            std::future_status::ready)
      << "the key lookup waited for the retention pass";
  PQclear(PQexec(locker, "COMMIT"));
  PQfinish(locker);
  EXPECT_TRUE(lookup.get());
  EXPECT_EQ(retention.get(), 1);
}

TEST_F(PostgresEngineTest, AReplicaRecreatesAPartitionAnotherDropped) {
  std::unique_ptr<Store> replica = OpenStore(schema_.uri);
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "a", "v", 2 * kDay)),
            InsertOutcome::kAccepted);
  // The replica's retention drops day 2, which this store has seen.
  EXPECT_EQ(replica->DeleteSignalsBefore(3 * kDay), 1);
  EXPECT_TRUE(Partitions().empty());
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "b", "v", 2 * kDay + 1)),
            InsertOutcome::kAccepted);
  EXPECT_EQ(Partitions(), std::vector<std::string>{"signals_d2"});
  EXPECT_EQ(replica->SignalsOfVisitor("demo", "v").size(), 1u);
}

TEST_F(PostgresEngineTest, InsertingBeforeMigrationFailsEveryCallback) {
  PostgresTestDb::Schema empty = db_.NewSchema();
  ASSERT_FALSE(empty.name.empty());
  std::unique_ptr<Store> unmigrated = OpenStore(empty.uri);
  try {
    unmigrated->InsertSignal(MakeSignal("demo", "a", "v"));
    FAIL() << "expected StoreError";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("postgresql"), std::string::npos)
        << error.what();
  }
  // After migrating, the same store writes normally.
  unmigrated->Migrate();
  EXPECT_EQ(unmigrated->InsertSignal(MakeSignal("demo", "a", "v")),
            InsertOutcome::kAccepted);
}

TEST_F(PostgresEngineTest, ConnectionsTheDatabaseClosesAreReopened) {
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "a", "v")),
            InsertOutcome::kAccepted);
  // Both of the store's connections (reads, writer) die, as in a restart;
  // each is replaced on its next use.
  EXPECT_EQ(db_.TerminateConnections(schema_), 2);
  EXPECT_EQ(store_->SignalsOfVisitor("demo", "v").size(), 1u);
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "b", "v")),
            InsertOutcome::kAccepted);
  EXPECT_EQ(store_->InsertSignal(MakeSignal("demo", "a", "v")),
            InsertOutcome::kDuplicate);
  // Which connections are open now depends on timing (the writer reconnects
  // lazily); what matters is that every one killed is replaced.
  EXPECT_GE(db_.TerminateConnections(schema_), 1);
  EXPECT_TRUE(store_->Ping());
  EXPECT_EQ(store_->SignalsOfVisitor("demo", "v").size(), 2u);
}

TEST(OpenStoreTest, UnreachablePostgresIsAClearErrorWithoutThePassword) {
  for (const char* uri :
       {"postgresql://tessera:s3cret-pw@127.0.0.1:1/tessera",
        "postgres://127.0.0.1:1/tessera?user=tessera&password=s3cret-pw"}) {
    try {
      OpenStore(uri);
      ADD_FAILURE() << "expected StoreError for " << uri;
    } catch (const StoreError& error) {
      std::string message = error.what();
      EXPECT_NE(message.find("cannot connect to PostgreSQL"), std::string::npos)
          << message;
      EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
    }
  }
}

TEST(OpenStoreTest, RedactStoreUriHidesOnlyThePassword) {
  EXPECT_EQ(RedactStoreUri("postgresql://u:pw@h:5432/db?sslmode=require"),
            "postgresql://u:***@h:5432/db?sslmode=require");
  EXPECT_EQ(RedactStoreUri("postgres://h/db?user=u&password=pw&x=1"),
            "postgres://h/db?user=u&password=***&x=1");
  EXPECT_EQ(RedactStoreUri("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactStoreUri("./data/tessera.db"), "./data/tessera.db");
}

TEST(OpenStoreTest, UnwritableLocationIsAStoreError) {
  EXPECT_THROW(OpenStore("/proc/no/such/dir/t.db"), StoreError);
}

}  // namespace
}  // namespace tessera::server
