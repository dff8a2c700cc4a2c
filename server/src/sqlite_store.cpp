#include "sqlite_store.h"

#include <sqlite3.h>

#include "sqlite_connection.h"
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

using sqlite::Exec;
using sqlite::Fail;
using sqlite::Statement;
using sqlite::Transaction;

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
    : inserts_(options.max_batch, options.on_commit) {
  sqlite::ConnectionOptions connection;
  connection.durable = options.durable;
  db_ = sqlite::Open(path, connection);
  try {
    writer_db_ = sqlite::Open(path, connection);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
  inserts_.Start(
      [this](const std::vector<SignalRecord>& batch,
             std::vector<InsertResult>& results) {
        return CommitBatch(batch, results);
      },
      [this] {
        if (insert_stmt_) sqlite3_finalize(insert_stmt_);
        insert_stmt_ = nullptr;
        sqlite3_close(writer_db_);
        writer_db_ = nullptr;
      });
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
  inserts_.Enqueue(std::move(signal), std::move(done));
}

void SqliteStore::Flush() { inserts_.Flush(); }

std::string SqliteStore::CommitBatch(const std::vector<SignalRecord>& batch,
                                     std::vector<InsertResult>& results) {
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
      const SignalRecord& s = batch[i];
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
    return error.what();
  }
  return "";
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

void SqliteStore::Close() { inserts_.Close(); }

}  // namespace tessera::server
