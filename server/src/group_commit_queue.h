// GroupCommitQueue: the part of a Store engine's signal inserts that does
// not depend on the database — a queue of pending inserts, one writer
// thread that takes up to StoreOptions::max_batch of them at a time and
// hands them to the engine's commit function (one transaction per batch),
// then reports the commit time to StoreOptions::on_commit and calls every
// insert's callback. Private to the server; used by the SQLite and the
// PostgreSQL engines.
//
// Thread-safety: Enqueue, Flush and Close may be called from any thread.
// The commit function and `on_stop` run on the writer thread only, so the
// engine's writer connection needs no lock.
#ifndef TESSERA_SERVER_GROUP_COMMIT_QUEUE_H_
#define TESSERA_SERVER_GROUP_COMMIT_QUEUE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tessera/server/store.h"

namespace tessera::server {

class GroupCommitQueue {
 public:
  // Stores every signal of `batch` in one transaction and fills `results`
  // (sized like `batch`); returns "" on commit, else the failure message,
  // which then becomes every insert's error.
  using CommitFunction =
      std::function<std::string(const std::vector<SignalRecord>& batch,
                                std::vector<InsertResult>& results)>;

  // `max_batch` 0 is taken as 1; `on_commit` may be empty.
  GroupCommitQueue(size_t max_batch, CommitObserver on_commit);
  ~GroupCommitQueue();  // Close()
  GroupCommitQueue(const GroupCommitQueue&) = delete;
  GroupCommitQueue& operator=(const GroupCommitQueue&) = delete;

  // Starts the writer thread; `on_stop` runs on it once the queue is
  // drained after Close (to close the writer's connection). Call once,
  // when the engine's writer connection is ready.
  void Start(CommitFunction commit, std::function<void()> on_stop);
  // Queues one insert; after Close, `done` is called at once with an error.
  void Enqueue(SignalRecord signal, InsertCallback done);
  // Blocks until every insert queued before the call has finished.
  void Flush();
  // Commits what is pending, stops the writer thread and joins it.
  // Idempotent.
  void Close();
  // Whether the latest commit failed (none yet: false). Any thread.
  bool LastCommitFailed() const { return last_commit_failed_.load(); }

 private:
  void WriterLoop();

  size_t max_batch_;
  CommitObserver on_commit_;
  CommitFunction commit_;
  std::function<void()> on_stop_;

  std::mutex mutex_;
  std::condition_variable work_cv_;     // work arrived, or stop
  std::condition_variable flushed_cv_;  // committed_ advanced, or closed
  std::deque<SignalRecord> signals_;
  std::deque<InsertCallback> callbacks_;  // one per queued signal
  uint64_t enqueued_ = 0;
  uint64_t committed_ = 0;  // inserts finished (committed or failed)
  bool stopping_ = false;
  bool closed_ = false;
  std::atomic<bool> last_commit_failed_{false};
  std::thread writer_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_GROUP_COMMIT_QUEUE_H_
