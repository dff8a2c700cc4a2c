#include "group_commit_queue.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace tessera::server {

GroupCommitQueue::GroupCommitQueue(size_t max_batch, CommitObserver on_commit)
    : max_batch_(std::max<size_t>(max_batch, 1)),
      on_commit_(std::move(on_commit)) {}

GroupCommitQueue::~GroupCommitQueue() { Close(); }

void GroupCommitQueue::Start(CommitFunction commit,
                             std::function<void()> on_stop) {
  commit_ = std::move(commit);
  on_stop_ = std::move(on_stop);
  writer_ = std::thread([this] { WriterLoop(); });
}

void GroupCommitQueue::Enqueue(SignalRecord signal, InsertCallback done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      signals_.push_back(std::move(signal));
      callbacks_.push_back(std::move(done));
      ++enqueued_;
      work_cv_.notify_one();
      return;
    }
  }
  InsertResult closed;
  closed.error = "the store is closed";
  done(closed);
}

void GroupCommitQueue::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  uint64_t target = enqueued_;
  flushed_cv_.wait(lock, [&] { return committed_ >= target || closed_; });
}

void GroupCommitQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void GroupCommitQueue::WriterLoop() {
  for (;;) {
    std::vector<SignalRecord> batch;
    std::vector<InsertCallback> done;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] { return stopping_ || !signals_.empty(); });
      if (signals_.empty()) break;  // stopping, and nothing left to commit
      size_t count = std::min(signals_.size(), max_batch_);
      batch.reserve(count);
      done.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(signals_.front()));
        signals_.pop_front();
        done.push_back(std::move(callbacks_.front()));
        callbacks_.pop_front();
      }
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<InsertResult> results(batch.size());
    std::string failure = commit_(batch, results);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    last_commit_failed_.store(!failure.empty());
    if (on_commit_) on_commit_(CommitReport{seconds, batch.size(), failure});
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!failure.empty()) {
        results[i] = InsertResult{};
        results[i].error = failure;
      }
      if (done[i]) done[i](results[i]);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      committed_ += batch.size();
    }
    flushed_cv_.notify_all();
  }
  if (on_stop_) on_stop_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  flushed_cv_.notify_all();
}

}  // namespace tessera::server
