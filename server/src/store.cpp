#include "tessera/server/store.h"

#include <chrono>
#include <future>

#include "sqlite_store.h"

namespace tessera::server {

const char* KeyKindName(KeyKind kind) {
  return kind == KeyKind::kAdmin ? "admin" : "write";
}

std::optional<KeyKind> ParseKeyKind(const std::string& name) {
  if (name == "write") return KeyKind::kWrite;
  if (name == "admin") return KeyKind::kAdmin;
  return std::nullopt;
}

InsertOutcome Store::InsertSignal(SignalRecord signal) {
  std::promise<InsertResult> promise;
  std::future<InsertResult> future = promise.get_future();
  InsertSignalAsync(std::move(signal), [&promise](const InsertResult& result) {
    promise.set_value(result);
  });
  InsertResult result = future.get();
  if (!result.ok) throw StoreError(result.error);
  return result.outcome;
}

std::unique_ptr<Store> OpenStore(const std::string& uri,
                                 const StoreOptions& options) {
  if (uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0) {
    throw StoreError(
        "PostgreSQL stores are not supported by this build yet; use a SQLite "
        "file path");
  }
  std::string path = uri;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty()) throw StoreError("empty database path");
  return std::make_unique<SqliteStore>(path, options);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tessera::server
