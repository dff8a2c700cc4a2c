// SqliteCheckpointer: copies a database's write-ahead log back into the
// database file on a thread and connection of its own, so that the
// connection committing signals never does it inside a commit. (SQLite's
// automatic checkpoint runs in the commit that takes the log past 1,000
// pages: that commit also writes those pages into the database file and
// waits for its fsync, which under disk contention is where the slowest
// acknowledgements came from.) Private to the server's SQLite engine.
//
// Watch(writer) replaces the writer connection's automatic checkpoints with
// a hook that wakes the thread once the log holds `wal_pages` pages not yet
// copied. The thread then runs a PASSIVE checkpoint, which never blocks the
// writer.
// While signals keep arriving the log does not start over by itself (it
// does only when a checkpoint has copied all of it before the writer's
// next transaction), so when it reaches `restart_pages` and PASSIVE could
// copy all it saw, the thread runs a RESTART checkpoint: it waits for the
// writer's current commit, holds off the next one while it copies what
// PASSIVE left (few pages) and syncs, and the log then starts over. It
// gives up rather than wait longer than `restart_wait_ms` for a lock, and
// tries again later. While a long read (an export) keeps PASSIVE from
// copying everything, it does not try: the log grows until the read ends,
// as with SQLite's own checkpoints.
//
// Thread-safety: Watch before the writer commits, on the thread using the
// writer then; Stop from any thread. The hook runs on the writer's thread.
#ifndef TESSERA_SERVER_SQLITE_CHECKPOINTER_H_
#define TESSERA_SERVER_SQLITE_CHECKPOINTER_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "sqlite_connection.h"

struct sqlite3;

namespace tessera::server {

struct CheckpointerOptions {
  int wal_pages = 1000;       // checkpoint from this log size. Default 1000
  int restart_pages = 8000;   // and start the log over from this. Default
  int restart_wait_ms = 100;  // longest wait for a lock. Default 100 ms
};

class SqliteCheckpointer {
 public:
  // Opens its own connection to `path` (StoreError if it cannot) and
  // starts the thread.
  SqliteCheckpointer(const std::string& path,
                     const sqlite::ConnectionOptions& connection,
                     const CheckpointerOptions& options);
  ~SqliteCheckpointer();  // Stop()
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Makes `writer`'s commits wake this thread instead of checkpointing.
  void Watch(sqlite3* writer);
  // Finishes a checkpoint already asked for, stops the thread and closes
  // the connection. Idempotent. Unwatch (or close) the writer first.
  void Stop();
  // Stops waking this thread from `writer`'s commits.
  static void Unwatch(sqlite3* writer);

  // Checkpoints run so far (PASSIVE and RESTART); for tests and logs.
  uint64_t checkpoints();

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema,
                      int wal_pages);
  void Loop();

  CheckpointerOptions options_;
  sqlite3* db_ = nullptr;  // the thread's own connection

  std::mutex mutex_;
  std::condition_variable wake_;
  int wal_pages_seen_ = 0;  // the log's size at the last request
  int copied_pages_ = 0;    // of the log, copied by the last checkpoint
  bool requested_ = false;
  bool stopping_ = false;
  uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SQLITE_CHECKPOINTER_H_
