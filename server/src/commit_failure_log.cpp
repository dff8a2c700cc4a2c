#include "commit_failure_log.h"

#include <cstdio>
#include <utility>

namespace tessera::server {

CommitFailureLog::CommitFailureLog(Sink sink) : sink_(std::move(sink)) {}

void CommitFailureLog::Observe(const CommitReport& commit,
                               Clock::time_point now) {
  std::string line;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!commit.failure.empty()) {
      if (failed_commits_++ == 0) {
        first_failure_ = now;
        line = "signals are not being stored: " + commit.failure +
               "; they are answered 503 (the SDK sends them again) until a "
               "commit succeeds";
      } else if (commit.failure != last_failure_) {
        line = "signals are still not being stored, now: " + commit.failure;
      }
      failed_signals_ += commit.batch_size;
      last_failure_ = commit.failure;
    } else if (failed_commits_ > 0) {
      char seconds[32];
      std::snprintf(
          seconds, sizeof seconds, "%.1f",
          std::chrono::duration<double>(now - first_failure_).count());
      line = "signals are stored again, after " +
             std::to_string(failed_commits_) + " failed commit(s) of " +
             std::to_string(failed_signals_) + " signal(s) over " + seconds +
             " s";
      failed_commits_ = 0;
      failed_signals_ = 0;
      last_failure_.clear();
    }
  }
  if (!line.empty()) sink_(line);
}

}  // namespace tessera::server
