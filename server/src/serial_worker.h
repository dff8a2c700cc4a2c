// One background thread running posted jobs in order. The admin routes
// that can take seconds (CRM imports, exports, erasures) run here instead of
// on an I/O thread, where they would hold up every signal of the
// connections that thread serves.
#ifndef TESSERA_SERVER_SERIAL_WORKER_H_
#define TESSERA_SERVER_SERIAL_WORKER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tessera::server {

class SerialWorker {
 public:
  SerialWorker() = default;
  ~SerialWorker() { Stop(); }
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // Queues `job`; the thread starts with the first one. Jobs posted after
  // Stop run on the caller's thread, so none is lost.
  void Post(std::function<void()> job);
  // Runs what is queued, then joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SERIAL_WORKER_H_
