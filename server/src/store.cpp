#include "tessera/server/store.h"

#include <chrono>
#include <filesystem>
#include <future>

#include "postgres_connection.h"
#include "postgres_store.h"
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

namespace {

// The file a SQLite `uri` names, which must not be empty.
std::string SqlitePath(const std::string& uri) {
  std::string path = SqliteFileOf(uri);
  if (path.empty()) throw StoreError("empty database path");
  return path;
}

}  // namespace

std::string SqliteFileOf(const std::string& uri) {
  if (postgres::IsPostgresUri(uri)) return "";
  return uri.rfind("sqlite:", 0) == 0 ? uri.substr(7) : uri;
}

std::unique_ptr<Store> OpenStore(const std::string& uri,
                                 const StoreOptions& options) {
  if (postgres::IsPostgresUri(uri)) {
    return std::make_unique<PostgresStore>(uri, options);
  }
  return std::make_unique<SqliteStore>(SqlitePath(uri), options);
}

void RequireExistingStore(const std::string& uri) {
  if (postgres::IsPostgresUri(uri)) return;
  const std::string path = SqlitePath(uri);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw StoreError("no database file at '" + path +
                     "' (serve, migrate and keys create make a new one)");
  }
}

std::string RedactStoreUri(const std::string& uri) {
  std::string redacted = uri;
  // scheme://user:password@host...
  size_t scheme = redacted.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = redacted.find_first_of("/?", start);
    size_t at =
        redacted.rfind('@', end == std::string::npos ? redacted.size() : end);
    if (at != std::string::npos && at >= start) {
      size_t colon = redacted.find(':', start);
      if (colon != std::string::npos && colon < at) {
        redacted.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  // ...?password=secret&...
  for (size_t at = redacted.find("password="); at != std::string::npos;
       at = redacted.find("password=", at + 1)) {
    if (at > 0 && redacted[at - 1] != '?' && redacted[at - 1] != '&') {
      continue;
    }
    size_t value = at + 9;
    size_t end = redacted.find('&', value);
    redacted.replace(value,
                     (end == std::string::npos ? redacted.size() : end) - value,
                     "***");
  }
  return redacted;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tessera::server
