// The SQLite signal store's schema migrations applied to a database made
// with an earlier schema and holding rows: version 1 (signals keyed by
// (site, id) with a day index, an artifact without kept revisions) is built
// here with the exact DDL that version
// 1 of the server created, filled through SQLite directly, then opened and
// migrated by the current server.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "signal_key.h"
#include "temp_dir.h"
#include "tessera/server/store.h"

namespace tessera::server {
namespace {

using testing::TempDir;

constexpr int64_t kDay = 24 * 3600 * 1000LL;

// Schema version 1 as the server created it (sqlite_store.cpp, migration 1).
const char* const kVersion1Schema = R"sql(
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE TABLE signals (
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  vid TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  day INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (site, id)
);
CREATE INDEX signals_by_day ON signals (day);
CREATE INDEX signals_by_vid ON signals (vid, site);
CREATE TABLE artifacts (
  site TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE erasure_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  erased_at_ms INTEGER NOT NULL,
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  signals_erased INTEGER NOT NULL
);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
                                applied_at_ms INTEGER NOT NULL);
INSERT INTO schema_migrations (version, applied_at_ms) VALUES (1, 0);
)sql";

// A raw connection for building and inspecting the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error),
              SQLITE_OK)
        << (error ? error : "") << "\n"
        << sql;
  }
  // Every row of a one-column integer query.
  std::vector<int64_t> Ints(const std::string& sql) {
    std::vector<int64_t> values;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db_);
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      values.push_back(sqlite3_column_int64(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return values;
  }

 private:
  sqlite3* db_ = nullptr;
};

struct OldRow {
  std::string site, id, vid;
  int64_t received_at_ms;
};

std::string BodyOf(const OldRow& row) {
  return "{\"id\":\"" + row.id + "\",\"vid\":\"" + row.vid + "\"}";
}

class SqliteMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("old.db");
    RawDb raw(path_);
    raw.Exec("PRAGMA journal_mode=WAL");
    raw.Exec(kVersion1Schema);
    // Inserted out of time order, several in one millisecond, two sites,
    // one id on both sites.
    rows_ = {
        {"demo", "sig_b", "v1", 5 * kDay + 7},
        {"demo", "sig_a", "v1", 2 * kDay},
        {"demo", "sig_c", "v2", 5 * kDay + 7},
        {"other", "sig_a", "v1", 5 * kDay + 7},
        {"demo", "sig_d", "v2", 9 * kDay},
        {"other", "sig_e", "v3", 1 * kDay + 1},
    };
    std::string insert;
    for (const OldRow& row : rows_) {
      insert +=
          "INSERT INTO signals (site, id, vid, received_at_ms, day, "
          "body) VALUES ('" +
          row.site + "', '" + row.id + "', '" + row.vid + "', " +
          std::to_string(row.received_at_ms) + ", " +
          std::to_string(row.received_at_ms / kDay) + ", '" + BodyOf(row) +
          "');\n";
    }
    // A published artifact at revision 7, which becomes the first kept one.
    insert +=
        "INSERT INTO artifacts (site, revision, json, etag, updated_at_ms) "
        "VALUES ('demo', 7, '{\"v\":7}', '\"e7\"', 1234);\n";
    raw.Exec(insert);
  }

  std::vector<SignalRecord> All(Store& store, const std::string& site) {
    std::vector<SignalRecord> signals;
    store.ForEachSignal(
        site, [&](const SignalRecord& signal) { signals.push_back(signal); });
    return signals;
  }

  TempDir dir_;
  std::string path_;
  std::vector<OldRow> rows_;
};

TEST_F(SqliteMigrationTest, EveryVersion1RowIsFoundAfterMigrating) {
  std::unique_ptr<Store> store = OpenStore(path_);
  EXPECT_EQ(store->SchemaVersion(), 1);
  EXPECT_EQ(store->Migrate(), 4);
  EXPECT_EQ(store->SchemaVersion(), 4);

  // Every row, with every field, in the export order (time, then id).
  std::map<std::string, std::vector<std::string>> expected_ids = {
      {"demo", {"sig_a", "sig_b", "sig_c", "sig_d"}},
      {"other", {"sig_e", "sig_a"}}};
  size_t found = 0;
  for (const auto& [site, ids] : expected_ids) {
    std::vector<SignalRecord> signals = All(*store, site);
    std::vector<std::string> got;
    for (const SignalRecord& signal : signals) {
      got.push_back(signal.id);
      bool matched = false;
      for (const OldRow& row : rows_) {
        if (row.site == signal.site && row.id == signal.id) {
          EXPECT_EQ(signal.vid, row.vid);
          EXPECT_EQ(signal.received_at_ms, row.received_at_ms);
          EXPECT_EQ(signal.body, BodyOf(row));
          matched = true;
        }
      }
      EXPECT_TRUE(matched) << site << "/" << signal.id;
      ++found;
    }
    EXPECT_EQ(got, ids) << site;
  }
  EXPECT_EQ(found, rows_.size());

  // Found by visitor too, and the old ids are still known.
  EXPECT_EQ(store->SignalsOfVisitor(kAllSites, "v1").size(), 3u);
  EXPECT_EQ(store->SignalsOfVisitor("demo", "v2").size(), 2u);
  EXPECT_EQ(
      store->InsertSignal(SignalRecord{"demo", "sig_b", "v1", 10 * kDay, "{}"}),
      InsertOutcome::kDuplicate);
  EXPECT_EQ(store->InsertSignal(
                SignalRecord{"other", "sig_c", "v1", 5 * kDay + 7, "{}"}),
            InsertOutcome::kAccepted);

  // The published artifact is the first kept revision; the next follows it.
  std::vector<ArtifactRevisionInfo> kept = store->ListArtifactRevisions("demo");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].revision, 7);
  EXPECT_EQ(kept[0].published_at_ms, 1234);
  EXPECT_EQ(kept[0].published_by_key, 0);  // not known from before
  EXPECT_EQ(kept[0].bytes, 7);
  EXPECT_EQ(store->GetArtifactRevision("demo", 7)->json, "{\"v\":7}");
  EXPECT_EQ(store->PutArtifact({"demo", "{}", "\"e8\"", 2000, 7})->revision, 8);
  store->Close();
  store.reset();

  // The day and text visitor indexes are gone, the hash index is there;
  // each key stands for its row's receipt time.
  RawDb raw(path_);
  EXPECT_EQ(raw.Ints("SELECT count(*) FROM sqlite_master WHERE name IN "
                     "('signals_by_day', 'signals_by_vid')"),
            std::vector<int64_t>{0});
  EXPECT_EQ(raw.Ints("SELECT count(*) FROM sqlite_master WHERE name = "
                     "'signals_by_vid_hash'"),
            std::vector<int64_t>{1});
  std::vector<int64_t> keys = raw.Ints("SELECT key FROM signals ORDER BY key");
  std::vector<int64_t> times =
      raw.Ints("SELECT received_at_ms FROM signals ORDER BY key");
  ASSERT_EQ(keys.size(), rows_.size() + 1);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(SignalKeyTime(keys[i]), times[i]) << keys[i];
  }
}

TEST_F(SqliteMigrationTest, RetentionAndErasureWorkOnMigratedRows) {
  std::unique_ptr<Store> store = OpenStore(path_);
  store->Migrate();
  // Before day 5 + 7 ms: sig_a (demo), sig_e (other).
  EXPECT_EQ(store->DeleteSignalsBefore(5 * kDay + 7), 2);
  EXPECT_EQ(All(*store, "demo").size(), 3u);
  EXPECT_EQ(All(*store, "other").size(), 1u);
  EXPECT_EQ(store->EraseVisitor(kAllSites, "v1", 1).signals_erased, 2);
  std::vector<SignalRecord> left = All(*store, "demo");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, "sig_c");
  EXPECT_EQ(left[1].id, "sig_d");
  EXPECT_TRUE(All(*store, "other").empty());
}

}  // namespace
}  // namespace tessera::server
