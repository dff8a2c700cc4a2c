// Tells the operator when signals stop being stored and when they are stored
// again (disk full, database unreachable): one line when commits start to
// fail, naming the error, and one when a commit succeeds again, with how
// many failed and for how long. Not one line per failure, which under load
// would be thousands a second. Private to the server. Thread-safe.
#ifndef TESSERA_SERVER_COMMIT_FAILURE_LOG_H_
#define TESSERA_SERVER_COMMIT_FAILURE_LOG_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "tessera/server/store.h"

namespace tessera::server {

class CommitFailureLog {
 public:
  using Clock = std::chrono::steady_clock;
  using Sink = std::function<void(const std::string& line)>;

  explicit CommitFailureLog(Sink sink);

  void Observe(const CommitReport& commit, Clock::time_point now);

 private:
  Sink sink_;
  std::mutex mutex_;
  uint64_t failed_commits_ = 0;  // in the current episode
  uint64_t failed_signals_ = 0;
  Clock::time_point first_failure_;
  std::string last_failure_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_COMMIT_FAILURE_LOG_H_
