// The admin worker: jobs in order, on another thread, none lost at Stop.
#include "serial_worker.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tessera::server {
namespace {

TEST(SerialWorkerTest, RunsJobsInOrderOffTheCallersThread) {
  std::vector<int> order;
  std::thread::id ran_on;
  {
    SerialWorker worker;
    for (int i = 0; i < 100; ++i) {
      worker.Post([&order, &ran_on, i] {
        order.push_back(i);
        ran_on = std::this_thread::get_id();
      });
    }
  }  // the destructor runs what is queued
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(SerialWorkerTest, AJobPostedAfterStopRunsOnTheCaller) {
  SerialWorker worker;
  worker.Stop();
  std::thread::id ran_on;
  worker.Post([&ran_on] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  worker.Stop();  // again: nothing to do
}

}  // namespace
}  // namespace tessera::server
