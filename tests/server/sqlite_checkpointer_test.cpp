// SqliteCheckpointer: the writer connection's commits stop checkpointing,
// the checkpointer's thread copies the log into the database file, and the
// log then starts over. (What the RESTART step adds, a log that starts over
// while commits keep coming, depends on thread timing and is not tested
// here.)
#include "sqlite_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "sqlite_connection.h"
#include "temp_dir.h"
#include "tessera/server/store.h"

namespace tessera::server {
namespace {

using testing::TempDir;

constexpr int kRowBytes = 3000;  // under a page: about one log page a commit

sqlite::ConnectionOptions Fast() {
  sqlite::ConnectionOptions options;
  options.durable = false;  // no fsync per commit: the test is about pages
  return options;
}

// A database with one table, and a writer connection on it.
class Database {
 public:
  explicit Database(const std::string& path) : path_(path) {
    writer_ = sqlite::Open(path, Fast());
    sqlite::Exec(writer_, "CREATE TABLE rows (id INTEGER PRIMARY KEY, b BLOB)");
  }
  ~Database() { sqlite3_close(writer_); }
  // `count` transactions of one row each.
  void Commit(int count) {
    for (int i = 0; i < count; ++i) {
      sqlite::Exec(writer_, ("INSERT INTO rows (b) VALUES (zeroblob(" +
                             std::to_string(kRowBytes) + "))")
                                .c_str());
    }
  }
  uintmax_t FileBytes() { return std::filesystem::file_size(path_); }
  uintmax_t LogBytes() { return std::filesystem::file_size(path_ + "-wal"); }
  sqlite3* writer() { return writer_; }

 private:
  std::string path_;
  sqlite3* writer_ = nullptr;
};

TEST(SqliteCheckpointerTest, TheWritersCommitsNoLongerCheckpoint) {
  TempDir dir;
  // 1,500 commits take the log past SQLite's automatic checkpoint (1,000
  // pages) more than once.
  Database plain(dir.File("plain.db"));
  plain.Commit(1500);
  EXPECT_GT(plain.FileBytes(), 400u * kRowBytes)
      << "without the checkpointer the writer copies the log itself";

  Database watched(dir.File("watched.db"));
  CheckpointerOptions never;
  never.wal_pages = 1 << 30;
  SqliteCheckpointer checkpointer(dir.File("watched.db"), Fast(), never);
  checkpointer.Watch(watched.writer());
  watched.Commit(1500);
  EXPECT_LT(watched.FileBytes(), 64u * 1024) << "the writer checkpointed";
  EXPECT_GT(watched.LogBytes(), 1500u * kRowBytes);
  SqliteCheckpointer::Unwatch(watched.writer());
  checkpointer.Stop();
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
}

TEST(SqliteCheckpointerTest, ItsThreadCopiesTheLogWhichThenStartsOver) {
  TempDir dir;
  Database db(dir.File("t.db"));
  CheckpointerOptions options;
  options.wal_pages = 1;  // every commit asks, so the last one is pending
  options.restart_pages = 100;
  SqliteCheckpointer checkpointer(dir.File("t.db"), Fast(), options);
  checkpointer.Watch(db.writer());
  db.Commit(300);
  SqliteCheckpointer::Unwatch(db.writer());
  checkpointer.Stop();  // finishes the checkpoint the last commit asked for
  EXPECT_GE(checkpointer.checkpoints(), 1u);
  EXPECT_GT(db.FileBytes(), 300u * kRowBytes) << "not all copied";

  // Everything copied: the next commit writes at the start of the log.
  int pages_after_commit = -1;
  sqlite3_wal_hook(
      db.writer(),
      [](void* out, sqlite3*, const char*, int pages) {
        *static_cast<int*>(out) = pages;
        return SQLITE_OK;
      },
      &pages_after_commit);
  db.Commit(1);
  EXPECT_GT(pages_after_commit, 0);
  EXPECT_LE(pages_after_commit, 3);
}

// After an erasure the store truncates the log (Store::PurgeErased); a
// reader inside a long snapshot keeps the older pages needed, so it gives
// up after a bounded wait and succeeds once the reader is done.
TEST(SqliteCheckpointerTest, PurgeAfterErasureWaitsBoundedlyForALongRead) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  StoreOptions options;
  options.durable = false;
  std::unique_ptr<Store> store = OpenStore(path, options);
  store->Migrate();
  store->InsertSignal(SignalRecord{"demo", "sig_purge_000000001", "visitor-1",
                                   1000, "{}"});
  sqlite3* reader = sqlite::Open(path, Fast());
  sqlite::Exec(reader, "BEGIN");
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(reader, "SELECT count(*) FROM signals", -1,
                               &read, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);  // the snapshot is now held
  store->EraseVisitor("demo", "visitor-1", 2000);

  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(store->PurgeErased());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  sqlite3_finalize(read);
  sqlite::Exec(reader, "COMMIT");
  sqlite3_close(reader);
  EXPECT_TRUE(store->PurgeErased());
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
}

}  // namespace
}  // namespace tessera::server
