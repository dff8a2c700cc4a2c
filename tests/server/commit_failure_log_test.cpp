// CommitFailureLog: one line when commits start failing, one when they
// succeed again, none in between for the same error; and the failure
// counter in /metrics.
#include "commit_failure_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tessera/server/metrics.h"

namespace tessera::server {
namespace {

using Clock = CommitFailureLog::Clock;

TEST(CommitFailureLogTest, OneLinePerEpisodeAndPerChangeOfError) {
  std::vector<std::string> lines;
  CommitFailureLog log([&](const std::string& line) { lines.push_back(line); });
  const Clock::time_point start = Clock::now();
  log.Observe({0.001, 5, ""}, start);
  EXPECT_TRUE(lines.empty());

  log.Observe({0.001, 7, "sqlite: commit: database or disk is full"}, start);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "signals are not being stored: sqlite: commit: database or disk "
            "is full; they are answered 503 (the SDK sends them again) until "
            "a commit succeeds");
  for (int i = 0; i < 100; ++i) {
    log.Observe({0.001, 3, "sqlite: commit: database or disk is full"},
                start + std::chrono::milliseconds(i));
  }
  EXPECT_EQ(lines.size(), 1u);
  log.Observe({0.001, 2, "sqlite: begin: disk I/O error"}, start);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "signals are still not being stored, now: sqlite: begin: disk I/O "
            "error");

  log.Observe({0.001, 4, ""}, start + std::chrono::milliseconds(2500));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2],
            "signals are stored again, after 102 failed commit(s) of 309 "
            "signal(s) over 2.5 s");
  log.Observe({0.001, 4, ""}, start + std::chrono::seconds(3));
  EXPECT_EQ(lines.size(), 3u);

  // A new episode starts counting afresh.
  log.Observe({0.001, 1, "sqlite: commit: database or disk is full"},
              start + std::chrono::seconds(4));
  log.Observe({0.001, 1, ""}, start + std::chrono::seconds(5));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[4],
            "signals are stored again, after 1 failed commit(s) of 1 "
            "signal(s) over 1.0 s");
}

TEST(CommitFailureLogTest, MetricsCountFailedCommitsApart) {
  Metrics metrics;
  metrics.ObserveCommit({0.002, 10, ""});
  metrics.ObserveCommit({0.002, 6, "sqlite: commit: database or disk is full"});
  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("\ntessera_store_commit_failures_total 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\ntessera_store_committed_signals_total 10\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tessera_store_commit_duration_seconds_count 1\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace tessera::server
