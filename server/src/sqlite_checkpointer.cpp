#include "sqlite_checkpointer.h"

#include <sqlite3.h>

#include <iostream>

namespace tessera::server {

SqliteCheckpointer::SqliteCheckpointer(
    const std::string& path, const sqlite::ConnectionOptions& connection,
    const CheckpointerOptions& options)
    : options_(options) {
  db_ = sqlite::Open(path, connection);
  sqlite3_busy_timeout(db_, options_.restart_wait_ms);
  thread_ = std::thread([this] { Loop(); });
}

SqliteCheckpointer::~SqliteCheckpointer() { Stop(); }

void SqliteCheckpointer::Watch(sqlite3* writer) {
  sqlite3_wal_hook(writer, &SqliteCheckpointer::OnCommit, this);
}

void SqliteCheckpointer::Unwatch(sqlite3* writer) {
  sqlite3_wal_hook(writer, nullptr, nullptr);
}

void SqliteCheckpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (db_) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

uint64_t SqliteCheckpointer::checkpoints() {
  std::lock_guard<std::mutex> lock(mutex_);
  return checkpoints_;
}

int SqliteCheckpointer::OnCommit(void* self, sqlite3* /*db*/,
                                 const char* /*schema*/, int wal_pages) {
  auto* checkpointer = static_cast<SqliteCheckpointer*>(self);
  {
    std::lock_guard<std::mutex> lock(checkpointer->mutex_);
    if (wal_pages < checkpointer->copied_pages_) {
      checkpointer->copied_pages_ = 0;  // the log started over
    }
    if (wal_pages - checkpointer->copied_pages_ <
        checkpointer->options_.wal_pages) {
      return SQLITE_OK;
    }
    checkpointer->wal_pages_seen_ = wal_pages;
    checkpointer->requested_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;  // the commit itself succeeded whatever happens here
}

void SqliteCheckpointer::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (!requested_) break;  // stopping, with nothing asked for
    requested_ = false;
    int wal_pages = wal_pages_seen_;
    lock.unlock();
    int log_pages = 0, copied_pages = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_pages, &copied_pages);
    // RESTART only when PASSIVE copied all it saw: then it waits for
    // nothing but the writer's current commit. Had a reader's snapshot
    // (an export) held PASSIVE back, RESTART would wait for that reader
    // while holding off the writer.
    if (rc == SQLITE_OK && wal_pages >= options_.restart_pages &&
        copied_pages == log_pages) {
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART,
                                     &log_pages, &copied_pages);
    }
    // Busy (a lock held past restart_wait_ms) only postpones the restart
    // to a later commit; anything else is worth a line in the log.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
      std::cerr << "tessera-server: sqlite: WAL checkpoint failed: "
                << sqlite3_errmsg(db_) << std::endl;
    }
    lock.lock();
    // The next checkpoint comes after wal_pages more pages, not at every
    // commit while the log stays long: each one costs two fsyncs.
    if (copied_pages > 0) copied_pages_ = copied_pages;
    ++checkpoints_;
  }
}

}  // namespace tessera::server
