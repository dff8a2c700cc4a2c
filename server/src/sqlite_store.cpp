#include "sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "signal_key.h"
#include "siphash.h"
#include "sqlite_connection.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

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
    // 2: signals keyed by receipt time (signal_key.h), so rows are appended
    // in time order and retention deletes one key range: no day index and
    // no day column, one B-tree fewer to update per insert. Visitors are
    // found through an integer index on a keyed hash of their id (SipHash
    // with a random key kept in signal_hash_key; the id itself is compared
    // too) instead of a text index on (vid, site). Every row is copied, its
    // key made from its receipt time in its old insertion order within a
    // millisecond.
    R"sql(
CREATE TABLE signal_hash_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  k0 INTEGER NOT NULL,
  k1 INTEGER NOT NULL
);
INSERT INTO signal_hash_key (id, k0, k1) VALUES (1, random(), random());
CREATE TABLE signals_by_key (
  key INTEGER PRIMARY KEY,
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  vid TEXT NOT NULL,
  vid_hash INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (site, id)
);
INSERT INTO signals_by_key (key, site, id, vid, vid_hash, received_at_ms,
                            body)
  SELECT received_at_ms * 1048576 - 1 +
           row_number() OVER (PARTITION BY received_at_ms ORDER BY rowid),
         site, id, vid,
         tessera_vid_hash((SELECT k0 FROM signal_hash_key),
                          (SELECT k1 FROM signal_hash_key), vid),
         received_at_ms, body
  FROM signals ORDER BY received_at_ms, rowid;
DROP TABLE signals;
ALTER TABLE signals_by_key RENAME TO signals;
CREATE INDEX signals_by_vid_hash ON signals (vid_hash);
)sql",
    // 3: the kept revisions of each site's artifact (rollback, history),
    // starting with the one published now.
    R"sql(
CREATE TABLE artifact_revisions (
  site TEXT NOT NULL,
  revision INTEGER NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  published_at_ms INTEGER NOT NULL,
  published_by_key INTEGER,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (site, revision)
);
INSERT INTO artifact_revisions (site, revision, json, etag, published_at_ms,
                                bytes)
  SELECT site, revision, json, etag, updated_at_ms,
         length(CAST(json AS BLOB))
  FROM artifacts;
)sql",
    // 4: API keys may expire (keys create --expires-in-days); the admin
    // audit log.
    R"sql(
ALTER TABLE api_keys ADD COLUMN expires_at_ms INTEGER;
CREATE TABLE admin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  site TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX admin_audit_by_site ON admin_audit (site, at_ms);
)sql",
};
constexpr int kLatestVersion =
    static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

// Stores a signal-sized row and deletes it in the same transaction: a
// commit that needs about the room one signal does (its pages and their
// indexes' go to the log) and leaves nothing behind. Key -1 is below every
// real signal's (signal_key.h).
constexpr const char* kWriteProbe =
    "INSERT INTO signals (key, site, id, vid, vid_hash, received_at_ms, body) "
    "VALUES (-1, '', '', '', 0, 0, printf('%.*c', 2048, ' ')); "
    "DELETE FROM signals WHERE key = -1";

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
  key.expires_at_ms = row.Int(6);  // NULL reads as 0: never
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

int64_t VidHash(const SipHashKey& key, const std::string& vid) {
  return static_cast<int64_t>(SipHash24(key, vid));
}

// tessera_vid_hash(k0, k1, vid) in SQL, for migration 2.
void VidHashFunction(sqlite3_context* context, int /*argc*/,
                     sqlite3_value** args) {
  SipHashKey key{static_cast<uint64_t>(sqlite3_value_int64(args[0])),
                 static_cast<uint64_t>(sqlite3_value_int64(args[1]))};
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[2]));
  std::string vid(text ? text : "", sqlite3_value_bytes(args[2]));
  sqlite3_result_int64(context, VidHash(key, vid));
}

// The database's visitor-id hash key (migration 2 made it).
SipHashKey ReadVidHashKey(sqlite3* db) {
  Statement query(db, "SELECT k0, k1 FROM signal_hash_key WHERE id = 1");
  if (!query.Step()) throw StoreError("sqlite: signal_hash_key is empty");
  return SipHashKey{static_cast<uint64_t>(query.Int(0)),
                    static_cast<uint64_t>(query.Int(1))};
}

}  // namespace

int SqliteStoreSchemaVersion() { return kLatestVersion; }

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options)
    : path_(path), inserts_(options.max_batch, options.on_commit) {
  sqlite::ConnectionOptions connection;
  connection.durable = options.durable;
  // Erasure and retention overwrite what they delete (Debian's SQLite does
  // by default; other builds may not).
  connection.secure_delete = true;
  db_ = sqlite::Open(path, connection);
  try {
    // Used by this thread, then only by the writer thread.
    sqlite::ConnectionOptions writer = connection;
    writer.serialized = false;
    writer_db_ = sqlite::Open(path, writer);
    checkpointer_ = std::make_unique<SqliteCheckpointer>(path, connection,
                                                         CheckpointerOptions{});
  } catch (...) {
    sqlite3_close(writer_db_);
    sqlite3_close(db_);
    throw;
  }
  checkpointer_->Watch(writer_db_);
  sqlite3_create_function(db_, "tessera_vid_hash", 3,
                          SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                          &VidHashFunction, nullptr, nullptr);
  inserts_.Start(
      [this](const std::vector<SignalRecord>& batch,
             std::vector<InsertResult>& results) {
        return CommitBatch(batch, results);
      },
      [this] {
        FinalizeWriter();
        SqliteCheckpointer::Unwatch(writer_db_);
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
  int applied = static_cast<int>(read.Int(0));
  read.Reset();  // an open statement would keep DROP TABLE from running
  for (int version = applied + 1; version <= kLatestVersion; ++version) {
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
    if (!ping.Step() || ping.Int(0) != 1) return false;
    ping.Reset();
    // SELECT 1 reads nothing from the file: only a commit finds out whether
    // the disk has room again, and signals (which would) may not come
    // while this says not ready.
    if (inserts_.LastCommitFailed()) {
      Transaction probe(db_);
      Exec(db_, kWriteProbe);
      probe.Commit();
    }
    return true;
  } catch (const StoreError&) {
    return false;
  }
}

ApiKeyRecord SqliteStore::CreateApiKey(const std::string& site, KeyKind kind,
                                       const std::string& key_hash,
                                       const std::string& prefix,
                                       int64_t now_ms, int64_t expires_at_ms) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement insert(db_,
                   "INSERT INTO api_keys (site, kind, key_hash, prefix, "
                   "created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, "
                   "nullif(?, 0))");
  insert.Bind(1, site)
      .Bind(2, std::string(KeyKindName(kind)))
      .Bind(3, key_hash)
      .Bind(4, prefix)
      .Bind(5, now_ms)
      .Bind(6, expires_at_ms)
      .Step();
  ApiKeyRecord record;
  record.id = sqlite3_last_insert_rowid(db_);
  record.site = site;
  record.kind = kind;
  record.prefix = prefix;
  record.created_at_ms = now_ms;
  record.expires_at_ms = expires_at_ms;
  return record;
}

std::vector<ApiKeyRecord> SqliteStore::ListApiKeys(const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(
      db_,
      "SELECT id, site, kind, prefix, created_at_ms, revoked_at_ms, "
      "expires_at_ms FROM api_keys WHERE ?1 = '' OR site = ?1 ORDER BY id");
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
  Statement query(
      db_,
      "SELECT id, site, kind, prefix, created_at_ms, revoked_at_ms, "
      "expires_at_ms FROM api_keys WHERE key_hash = ?");
  query.Bind(1, key_hash);
  if (!query.Step()) return std::nullopt;
  return ReadKey(query);
}

const SipHashKey& SqliteStore::ReaderVidHashKey() {
  if (!reader_vid_hash_key_) reader_vid_hash_key_ = ReadVidHashKey(db_);
  return *reader_vid_hash_key_;
}

void SqliteStore::InsertSignalAsync(SignalRecord signal, InsertCallback done) {
  inserts_.Enqueue(std::move(signal), std::move(done));
}

void SqliteStore::Flush() { inserts_.Flush(); }

void SqliteStore::PrepareWriter() {
  auto prepare = [this](const char* sql, sqlite3_stmt** stmt) {
    if (!*stmt &&
        sqlite3_prepare_v2(writer_db_, sql, -1, stmt, nullptr) != SQLITE_OK) {
      Fail(writer_db_, "prepare the signal insert (is the schema migrated?)");
    }
  };
  prepare("BEGIN IMMEDIATE", &begin_stmt_);
  prepare("COMMIT", &commit_stmt_);
  prepare(
      "INSERT INTO signals (key, site, id, vid, vid_hash, received_at_ms, "
      "body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, id) DO NOTHING",
      &insert_stmt_);
  if (!writer_vid_hash_key_) writer_vid_hash_key_ = ReadVidHashKey(writer_db_);
  prepare("SELECT max(key) FROM signals WHERE key < ?", &max_key_stmt_);
}

void SqliteStore::FinalizeWriter() {
  for (sqlite3_stmt** stmt :
       {&begin_stmt_, &commit_stmt_, &insert_stmt_, &max_key_stmt_}) {
    sqlite3_finalize(*stmt);
    *stmt = nullptr;
  }
}

void SqliteStore::StepWriter(sqlite3_stmt* stmt, const char* what) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) Fail(writer_db_, what);
}

int64_t SqliteStore::MaxSignalKeyBelow(int64_t limit) {
  sqlite3_bind_int64(max_key_stmt_, 1, limit);
  int rc = sqlite3_step(max_key_stmt_);
  int64_t key = std::numeric_limits<int64_t>::min();
  if (rc == SQLITE_ROW &&
      sqlite3_column_type(max_key_stmt_, 0) != SQLITE_NULL) {
    key = sqlite3_column_int64(max_key_stmt_, 0);
  }
  sqlite3_reset(max_key_stmt_);
  if (rc != SQLITE_ROW) Fail(writer_db_, "read the last signal key");
  return key;
}

int64_t SqliteStore::NextSignalKey(int64_t ms) {
  if (ms >= std::numeric_limits<int64_t>::max() / kSignalKeysPerMs ||
      ms <= std::numeric_limits<int64_t>::min() / kSignalKeysPerMs) {
    throw StoreError("sqlite: receipt time " + std::to_string(ms) +
                     " ms is out of range");
  }
  int64_t floor = SignalKeyFloor(ms);
  int64_t key;
  if (last_key_ < floor) {
    key = floor;  // the usual case: the first signal of a new millisecond
  } else if (SignalKeyTime(last_key_) == ms) {
    key = last_key_ + 1;
  } else {
    // The clock went back: continue after that millisecond's last key.
    key = std::max(floor, MaxSignalKeyBelow(floor + kSignalKeysPerMs) + 1);
  }
  if (SignalKeyTime(key) != ms) {
    throw StoreError("sqlite: more than 2^20 signals received in one ms");
  }
  last_key_ = std::max(last_key_, key);
  return key;
}

std::string SqliteStore::CommitBatch(const std::vector<SignalRecord>& batch,
                                     std::vector<InsertResult>& results) {
  bool began = false;
  try {
    PrepareWriter();
    StepWriter(begin_stmt_, "begin");
    began = true;
    // Under the write lock: another process may have added signals.
    last_key_ = MaxSignalKeyBelow(std::numeric_limits<int64_t>::max());
    for (size_t i = 0; i < batch.size(); ++i) {
      const SignalRecord& s = batch[i];
      auto bind_text = [&](int index, const std::string& text) {
        sqlite3_bind_text(insert_stmt_, index, text.data(),
                          static_cast<int>(text.size()), SQLITE_STATIC);
      };
      sqlite3_bind_int64(insert_stmt_, 1, NextSignalKey(s.received_at_ms));
      bind_text(2, s.site);
      bind_text(3, s.id);
      bind_text(4, s.vid);
      sqlite3_bind_int64(insert_stmt_, 5,
                         VidHash(*writer_vid_hash_key_, s.vid));
      sqlite3_bind_int64(insert_stmt_, 6, s.received_at_ms);
      bind_text(7, s.body);
      StepWriter(insert_stmt_, "insert signal");
      results[i].ok = true;
      results[i].outcome = sqlite3_changes(writer_db_) > 0
                               ? InsertOutcome::kAccepted
                               : InsertOutcome::kDuplicate;
    }
    StepWriter(commit_stmt_, "commit");
  } catch (const StoreError& error) {
    if (began && !sqlite3_get_autocommit(writer_db_)) {
      sqlite3_exec(writer_db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return error.what();
  }
  return "";
}

void SqliteStore::ForEachSignalSince(
    const std::string& site, int64_t since_ms,
    const std::function<void(const SignalRecord&)>& visit) {
  // A connection of its own: an export may take seconds, and db_mutex_ is
  // what key lookups and artifact reads on the I/O threads wait for.
  sqlite::ConnectionOptions options;
  options.serialized = false;
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> reader(
      sqlite::Open(path_, options), &sqlite3_close);
  // Keys are receipt times (signal_key.h): a range of keys, not a scan.
  Statement query(reader.get(),
                  "SELECT site, id, vid, received_at_ms, body FROM signals "
                  "WHERE site = ? AND key >= ? ORDER BY received_at_ms, id");
  query.Bind(1, site).Bind(2, SignalKeyFloor(since_ms));
  while (query.Step()) visit(ReadSignal(query));
}

std::vector<SignalRecord> SqliteStore::SignalsOfVisitor(
    const std::string& site, const std::string& vid) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT site, id, vid, received_at_ms, body FROM signals "
                  "WHERE vid_hash = ?3 AND vid = ?1 AND (?2 = '' OR site = "
                  "?2) "
                  "ORDER BY received_at_ms, id");
  query.Bind(1, vid)
      .Bind(2, AllSites(site) ? std::string() : site)
      .Bind(3, VidHash(ReaderVidHashKey(), vid));
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
                  "DELETE FROM signals WHERE vid_hash = ?3 AND vid = ?1 AND "
                  "(?2 = '' OR site = ?2)");
  erase.Bind(1, vid)
      .Bind(2, AllSites(site) ? std::string() : site)
      .Bind(3, VidHash(ReaderVidHashKey(), vid))
      .Step();
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

bool SqliteStore::PurgeErased() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  // TRUNCATE waits for the signal writer's commit in progress and holds off
  // the next while it copies the log; the checkpointer thread's own
  // checkpoint may hold the checkpoint lock a moment. Both are short, so
  // the wait is bounded (about 1 s in all): a reader inside a long snapshot
  // (an export) makes it give up rather than stall this I/O thread.
  sqlite3_busy_timeout(db_, 200);
  int rc = SQLITE_BUSY;
  for (int attempt = 0;
       attempt < 5 && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED); ++attempt) {
    rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                   nullptr, nullptr);
  }
  sqlite3_busy_timeout(db_, sqlite::kBusyTimeoutMs);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
    Fail(db_, "checkpoint after an erasure");
  }
  return rc == SQLITE_OK;
}

int64_t SqliteStore::DeleteSignalsBefore(int64_t cutoff_ms,
                                         const std::function<bool()>& stop) {
  // Keys order the rows by receipt time: the oldest rows lead the table's
  // B-tree. They go a chunk at a time, each chunk its own transaction, and
  // the signals queued meanwhile are committed in between: one DELETE of
  // an hour of a busy site's signals held the write lock (and db_mutex_,
  // which key lookups wait for) for seconds per million rows, past the
  // writer's wait for the lock.
  constexpr int64_t kChunk = 10000;
  int64_t deleted = 0;
  for (;;) {
    Flush();
    std::lock_guard<std::mutex> lock(db_mutex_);
    Statement erase(db_,
                    "DELETE FROM signals WHERE key IN (SELECT key FROM "
                    "signals WHERE key < ? ORDER BY key LIMIT ?)");
    erase.Bind(1, SignalKeyFloor(cutoff_ms)).Bind(2, kChunk).Step();
    const int64_t changes = sqlite3_changes(db_);
    deleted += changes;
    if (changes < kChunk || (stop && stop())) return deleted;
  }
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

std::optional<ArtifactRecord> SqliteStore::PutArtifact(
    const ArtifactPublication& p) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Transaction transaction(db_);  // BEGIN IMMEDIATE: no publication between
  int64_t published = 0;
  {
    Statement current(db_, "SELECT revision FROM artifacts WHERE site = ?");
    current.Bind(1, p.site);
    if (current.Step()) published = current.Int(0);
  }
  if (p.base_revision != kAnyArtifactRevision && p.base_revision != published) {
    return std::nullopt;
  }
  const int64_t revision = published + 1;
  Statement upsert(db_,
                   "INSERT INTO artifacts (site, revision, json, etag, "
                   "updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT "
                   "(site) DO UPDATE SET revision = ?2, json = ?3, etag = ?4, "
                   "updated_at_ms = ?5");
  upsert.Bind(1, p.site).Bind(2, revision).Bind(3, p.json).Bind(4, p.etag);
  upsert.Bind(5, p.published_at_ms).Step();
  Statement keep(db_,
                 "INSERT INTO artifact_revisions (site, revision, json, etag, "
                 "published_at_ms, published_by_key, bytes) VALUES (?1, ?2, "
                 "?3, ?4, ?5, nullif(?6, 0), ?7)");
  keep.Bind(1, p.site).Bind(2, revision).Bind(3, p.json).Bind(4, p.etag);
  keep.Bind(5, p.published_at_ms).Bind(6, p.published_by_key);
  keep.Bind(7, static_cast<int64_t>(p.json.size())).Step();
  Statement prune(db_,
                  "DELETE FROM artifact_revisions WHERE site = ? AND revision "
                  "<= ?");
  prune.Bind(1, p.site).Bind(2, revision - kKeptArtifactRevisions).Step();
  transaction.Commit();
  return ArtifactRecord{p.site, revision, p.json, p.etag, p.published_at_ms};
}

std::vector<ArtifactRevisionInfo> SqliteStore::ListArtifactRevisions(
    const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT r.revision, r.etag, r.published_at_ms, "
                  "r.bytes, coalesce(k.id, 0), "
                  "coalesce(k.prefix, '') FROM artifact_revisions r LEFT "
                  "JOIN api_keys k ON k.id = r.published_by_key WHERE r.site "
                  "= ? ORDER BY r.revision DESC");
  query.Bind(1, site);
  std::vector<ArtifactRevisionInfo> revisions;
  while (query.Step()) {
    revisions.push_back(ArtifactRevisionInfo{query.Int(0), query.Text(1),
                                             query.Int(2), query.Int(3),
                                             query.Int(4), query.Text(5)});
  }
  return revisions;
}

std::optional<ArtifactRecord> SqliteStore::GetArtifactRevision(
    const std::string& site, int64_t revision) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT json, etag, published_at_ms FROM artifact_revisions "
                  "WHERE site = ? AND revision = ?");
  query.Bind(1, site).Bind(2, revision);
  if (!query.Step()) return std::nullopt;
  return ArtifactRecord{site, revision, query.Text(0), query.Text(1),
                        query.Int(2)};
}

void SqliteStore::AppendAudit(const AuditRecord& record) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement insert(db_,
                   "INSERT INTO admin_audit (at_ms, key_id, site, action, "
                   "detail) VALUES (?, ?, ?, ?, ?)");
  insert.Bind(1, record.at_ms).Bind(2, record.key_id).Bind(3, record.site);
  insert.Bind(4, record.action).Bind(5, record.detail).Step();
}

std::vector<AuditRecord> SqliteStore::ListAudit(const std::string& site,
                                                int64_t since_ms,
                                                int64_t limit) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  Statement query(db_,
                  "SELECT at_ms, key_id, site, action, detail FROM "
                  "admin_audit WHERE (?1 = '*' OR site = ?1) AND at_ms >= ?2 "
                  "ORDER BY id DESC LIMIT ?3");
  query.Bind(1, site).Bind(2, since_ms).Bind(3, limit);
  std::vector<AuditRecord> records;
  while (query.Step()) {
    records.push_back(AuditRecord{query.Int(0), query.Int(1), query.Text(2),
                                  query.Text(3), query.Text(4)});
  }
  return records;
}

void SqliteStore::Close() {
  inserts_.Close();
  checkpointer_->Stop();
}

}  // namespace tessera::server
