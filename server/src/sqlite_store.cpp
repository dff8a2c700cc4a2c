#include "sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

constexpr int64_t kMsPerDay = 24 * 60 * 60 * 1000;

// Each entry is one schema version; append, never edit an applied one.
const char* const kMigrations[] = {
    // 1: keys, signals, artifacts, erasure log.
    R"sql(
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE TABLE signals (
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  vid TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  day INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (site, id)
);
CREATE INDEX signals_by_day ON signals (day);
CREATE INDEX signals_by_vid ON signals (vid, site);
CREATE TABLE artifacts (
  site TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE erasure_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  erased_at_ms INTEGER NOT NULL,
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  signals_erased INTEGER NOT NULL
);
)sql",
};
constexpr int kLatestVersion =
    static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw StoreError("sqlite: " + what + ": " +
                   (db ? sqlite3_errmsg(db) : "out of memory"));
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreError(std::string("sqlite: ") + message);
  }
}

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      Fail(db, "prepare");
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, int64_t number) {
    sqlite3_bind_int64(stmt_, index, number);
    return *this;
  }
  // True while a row is available; false when done. Throws on error.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(db_, "step");
  }
  int64_t Int(int column) { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::string Text(int column) {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), size)
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { Exec(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    Exec(db_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

sqlite3* OpenConnection(const std::string& path, bool durable) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError("cannot open database '" + path + "': " + message);
  }
  sqlite3_busy_timeout(db, 10000);
  try {
    Exec(db, "PRAGMA journal_mode=WAL");
    Exec(db, durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  return db;
}

ApiKeyRecord ReadKey(Statement& row) {
  ApiKeyRecord key;
  key.id = row.Int(0);
  key.site = row.Text(1);
  key.kind = row.Text(2) == "admin" ? KeyKind::kAdmin : KeyKind::kWrite;
  key.prefix = row.Text(3);
  key.created_at_ms = row.Int(4);
  key.revoked = !row.IsNull(5);
  return key;
}

SignalRecord ReadSignal(Statement& row) {
  SignalRecord signal;
  signal.site = row.Text(0);
  signal.id = row.Text(1);
  signal.vid = row.Text(2);
  signal.received_at_ms = row.Int(3);
  signal.body = row.Text(4);
  return signal;
}

bool AllSites(const std::string& site) {
  return site.empty() || site == kAllSites;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options)
    : options_(options) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      throw StoreError("cannot create directory '" + parent.string() +
                       "': " + error.message());
    }
  }
  db_ = OpenConnection(path, options_.durable);
  try {
    writer_db_ = OpenConnection(path, options_.durable);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

SqliteStore::~SqliteStore() {
  Close();
  sqlite3_close(db_);
}

int SqliteStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement exists(db_,
                   "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                   "name='schema_migrations'");
  exists.Step();
  if (exists.Int(0) == 0) return 0;
  Statement version(db_,
                    "SELECT coalesce(max(version), 0) FROM schema_migrations");
  version.Step();
  return static_cast<int>(version.Int(0));
}

int SqliteStore::Migrate() {
  int current = SchemaVersion();
  if (current > kLatestVersion) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this server knows (" +
                     std::to_string(kLatestVersion) + ")");
  }
  std::lock_guard<std::mutex> lock(db_mutex_);
  Transaction transaction(db_);
  Exec(db_,
       "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
       "KEY, applied_at_ms INTEGER NOT NULL)");
  // Re-read inside the write lock: another process may have migrated.
  Statement read(db_,
                 "SELECT coalesce(max(version), 0) FROM schema_migrations");
  read.Step();
  for (int version = static_cast<int>(read.Int(0)) + 1;
       version <= kLatestVersion; ++version) {
    Exec(db_, kMigrations[version - 1]);
    Statement record(db_,
                     "INSERT INTO schema_migrations (version, applied_at_ms) "
                     "VALUES (?, ?)");
    record.Bind(1, static_cast<int64_t>(version)).Bind(2, NowMs()).Step();
  }
  transaction.Commit();
  return kLatestVersion;
}

bool SqliteStore::Ping() {
  try {
    std::lock_guard<std::mutex> lock(db_mutex_);
    Statement ping(db_, "SELECT 1");
    return ping.Step() && ping.Int(0) == 1;
  } catch (const StoreError&) {
    return false;
  }
}

ApiKeyRecord SqliteStore::CreateApiKey(const std::string& site, KeyKind kind,
                                       const std::string& key_hash,
                                       const std::string& prefix,
                                       int64_t now_ms) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement insert(db_,
                   "INSERT INTO api_keys (site, kind, key_hash, prefix, "
                   "created_at_ms) VALUES (?, ?, ?, ?, ?)");
  insert.Bind(1, site)
      .Bind(2, std::string(KeyKindName(kind)))
      .Bind(3, key_hash)
      .Bind(4, prefix)
      .Bind(5, now_ms)
      .Step();
  ApiKeyRecord record;
  record.id = sqlite3_last_insert_rowid(db_);
  record.site = site;
  record.kind = kind;
  record.prefix = prefix;
  record.created_at_ms = now_ms;
  return record;
}

std::vector<ApiKeyRecord> SqliteStore::ListApiKeys(const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT id, site, kind, prefix, created_at_ms, revoked_at_ms "
                  "FROM api_keys WHERE ?1 = '' OR site = ?1 ORDER BY id");
  query.Bind(1, site);
  std::vector<ApiKeyRecord> keys;
  while (query.Step()) keys.push_back(ReadKey(query));
  return keys;
}

bool SqliteStore::RevokeApiKey(int64_t id) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement update(db_,
                   "UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND "
                   "revoked_at_ms IS NULL");
  update.Bind(1, NowMs()).Bind(2, id).Step();
  return sqlite3_changes(db_) > 0;
}

std::optional<ApiKeyRecord> SqliteStore::FindApiKey(
    const std::string& key_hash) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT id, site, kind, prefix, created_at_ms, revoked_at_ms "
                  "FROM api_keys WHERE key_hash = ?");
  query.Bind(1, key_hash);
  if (!query.Step()) return std::nullopt;
  return ReadKey(query);
}

void SqliteStore::InsertSignalAsync(SignalRecord signal, InsertCallback done) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(signal), std::move(done)});
      ++enqueued_;
      queue_cv_.notify_one();
      return;
    }
  }
  InsertResult closed;
  closed.error = "the store is closed";
  done(closed);
}

void SqliteStore::Flush() {
  std::unique_lock<std::mutex> lock(queue_mutex_);
  uint64_t target = enqueued_;
  flushed_cv_.wait(lock, [&] { return committed_ >= target || closed_; });
}

void SqliteStore::WriterLoop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and nothing left to commit
      size_t count = std::min(queue_.size(), options_.max_batch);
      batch.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      committed_ += batch.size();
    }
    flushed_cv_.notify_all();
  }
  if (insert_stmt_) sqlite3_finalize(insert_stmt_);
  insert_stmt_ = nullptr;
  sqlite3_close(writer_db_);
  writer_db_ = nullptr;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    closed_ = true;
  }
  flushed_cv_.notify_all();
}

void SqliteStore::CommitBatch(std::vector<Pending>& batch) {
  auto start = std::chrono::steady_clock::now();
  std::vector<InsertResult> results(batch.size());
  std::string failure;
  try {
    if (!insert_stmt_ &&
        sqlite3_prepare_v2(writer_db_,
                           "INSERT OR IGNORE INTO signals (site, id, vid, "
                           "received_at_ms, day, body) VALUES (?, ?, ?, ?, ?, "
                           "?)",
                           -1, &insert_stmt_, nullptr) != SQLITE_OK) {
      Fail(writer_db_, "prepare insert (is the schema migrated?)");
    }
    Transaction transaction(writer_db_);
    for (size_t i = 0; i < batch.size(); ++i) {
      const SignalRecord& s = batch[i].signal;
      sqlite3_reset(insert_stmt_);
      auto bind_text = [&](int index, const std::string& text) {
        sqlite3_bind_text(insert_stmt_, index, text.data(),
                          static_cast<int>(text.size()), SQLITE_STATIC);
      };
      bind_text(1, s.site);
      bind_text(2, s.id);
      bind_text(3, s.vid);
      sqlite3_bind_int64(insert_stmt_, 4, s.received_at_ms);
      sqlite3_bind_int64(insert_stmt_, 5, s.received_at_ms / kMsPerDay);
      bind_text(6, s.body);
      if (sqlite3_step(insert_stmt_) != SQLITE_DONE) {
        Fail(writer_db_, "insert signal");
      }
      results[i].ok = true;
      results[i].outcome = sqlite3_changes(writer_db_) > 0
                               ? InsertOutcome::kAccepted
                               : InsertOutcome::kDuplicate;
    }
    sqlite3_reset(insert_stmt_);
    transaction.Commit();
  } catch (const StoreError& error) {
    if (insert_stmt_) sqlite3_reset(insert_stmt_);
    failure = error.what();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (failure.empty() && options_.on_commit) {
    options_.on_commit(seconds, batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!failure.empty()) {
      results[i] = InsertResult{};
      results[i].error = failure;
    }
    if (batch[i].done) batch[i].done(results[i]);
  }
}

void SqliteStore::ForEachSignal(
    const std::string& site,
    const std::function<void(const SignalRecord&)>& visit) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT site, id, vid, received_at_ms, body FROM signals "
                  "WHERE site = ? ORDER BY received_at_ms, id");
  query.Bind(1, site);
  while (query.Step()) visit(ReadSignal(query));
}

std::vector<SignalRecord> SqliteStore::SignalsOfVisitor(
    const std::string& site, const std::string& vid) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT site, id, vid, received_at_ms, body FROM signals "
                  "WHERE vid = ?1 AND (?2 = '' OR site = ?2) "
                  "ORDER BY received_at_ms, id");
  query.Bind(1, vid).Bind(2, AllSites(site) ? std::string() : site);
  std::vector<SignalRecord> signals;
  while (query.Step()) signals.push_back(ReadSignal(query));
  return signals;
}

ErasureRecord SqliteStore::EraseVisitor(const std::string& site,
                                        const std::string& vid,
                                        int64_t now_ms) {
  // A signal acknowledged before the request must not survive it.
  Flush();
  std::lock_guard<std::mutex> lock(db_mutex_);
  Transaction transaction(db_);
  Statement erase(db_,
                  "DELETE FROM signals WHERE vid = ?1 AND (?2 = '' OR site = "
                  "?2)");
  erase.Bind(1, vid).Bind(2, AllSites(site) ? std::string() : site).Step();
  ErasureRecord record;
  record.erased_at_ms = now_ms;
  record.site = AllSites(site) ? std::string(kAllSites) : site;
  record.subject_hash = Sha256Hex(vid);
  record.signals_erased = sqlite3_changes(db_);
  Statement log(db_,
                "INSERT INTO erasure_log (erased_at_ms, site, subject_hash, "
                "signals_erased) VALUES (?, ?, ?, ?)");
  log.Bind(1, record.erased_at_ms)
      .Bind(2, record.site)
      .Bind(3, record.subject_hash)
      .Bind(4, record.signals_erased)
      .Step();
  transaction.Commit();
  return record;
}

std::vector<ErasureRecord> SqliteStore::ListErasures() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT erased_at_ms, site, subject_hash, signals_erased "
                  "FROM erasure_log ORDER BY id");
  std::vector<ErasureRecord> records;
  while (query.Step()) {
    records.push_back(ErasureRecord{query.Int(0), query.Text(1), query.Text(2),
                                    query.Int(3)});
  }
  return records;
}

int64_t SqliteStore::DeleteSignalsBefore(int64_t cutoff_ms) {
  Flush();
  std::lock_guard<std::mutex> lock(db_mutex_);
  // The day index narrows the scan; the exact cut-off is on received_at_ms.
  Statement erase(
      db_, "DELETE FROM signals WHERE day <= ?1 AND received_at_ms < ?2");
  erase.Bind(1, cutoff_ms / kMsPerDay).Bind(2, cutoff_ms).Step();
  return sqlite3_changes(db_);
}

std::optional<ArtifactRecord> SqliteStore::GetArtifact(
    const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT site, revision, json, etag, updated_at_ms FROM "
                  "artifacts WHERE site = ?");
  query.Bind(1, site);
  if (!query.Step()) return std::nullopt;
  return ArtifactRecord{query.Text(0), query.Int(1), query.Text(2),
                        query.Text(3), query.Int(4)};
}

ArtifactRecord SqliteStore::PutArtifact(const std::string& site,
                                        const std::string& json,
                                        const std::string& etag,
                                        int64_t now_ms) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement upsert(
      db_,
      "INSERT INTO artifacts (site, revision, json, etag, updated_at_ms) "
      "VALUES (?1, 1, ?2, ?3, ?4) ON CONFLICT (site) DO UPDATE SET "
      "revision = revision + 1, json = ?2, etag = ?3, updated_at_ms = ?4 "
      "RETURNING revision");
  upsert.Bind(1, site).Bind(2, json).Bind(3, etag).Bind(4, now_ms);
  int64_t revision = upsert.Step() ? upsert.Int(0) : 0;
  while (upsert.Step()) {
  }
  return ArtifactRecord{site, revision, json, etag, now_ms};
}

void SqliteStore::Close() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

}  // namespace tessera::server
