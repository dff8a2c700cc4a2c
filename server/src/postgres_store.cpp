#include "postgres_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "postgres_connection.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

using postgres::Connect;
using postgres::ConnectionError;
using postgres::Exec;
using postgres::ExecRead;
using postgres::ExecScript;
using postgres::LockForSchema;
using postgres::PgResult;
using postgres::ResultError;
using postgres::Transaction;

constexpr int64_t kMsPerDay = 24 * 60 * 60 * 1000;

// First key of the two-int advisory locks; the second is a hash of the
// schema, so stores in different schemas of one database do not contend.
constexpr int kMigrationLock = 0x7e55e8a1;
constexpr int kPartitionLock = 0x7e55e8a2;

constexpr const char* kInsertStatement = "tessera_insert_signal";
// Claims (site, id) in the ledger; only a claim that succeeded stores the
// signal, so the command's row count says accepted (1) or duplicate (0).
// Another replica's uncommitted claim of the same id makes this wait for its
// outcome rather than guess.
constexpr const char* kInsertSql =
    "WITH claimed AS (INSERT INTO signal_ids (site, id, day) "
    "VALUES ($1, $2, $5::integer) ON CONFLICT DO NOTHING RETURNING day) "
    "INSERT INTO signals (site, id, vid, received_at_ms, day, body) "
    "SELECT $1, $2, $3, $4::bigint, day, $6 FROM claimed";

// Each entry is one schema version; append, never edit an applied one.
const char* const kMigrations[] = {
    // 1: keys, signals (partitioned by day) and their ledger, artifacts,
    // erasure log.
    R"sql(
CREATE TABLE api_keys (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT
);
CREATE TABLE signal_ids (
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (site, id)
);
CREATE INDEX signal_ids_by_day ON signal_ids (day);
CREATE TABLE signals (
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  vid TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  day INTEGER NOT NULL,
  body TEXT NOT NULL
) PARTITION BY RANGE (day);
CREATE INDEX signals_by_site ON signals (site, received_at_ms);
CREATE INDEX signals_by_vid ON signals (vid, site);
CREATE TABLE artifacts (
  site TEXT PRIMARY KEY,
  revision BIGINT NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE TABLE erasure_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  erased_at_ms BIGINT NOT NULL,
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  signals_erased BIGINT NOT NULL
);
)sql",
    // 2: the kept revisions of each site's artifact (rollback, history),
    // starting with the one published now.
    R"sql(
CREATE TABLE artifact_revisions (
  site TEXT NOT NULL,
  revision BIGINT NOT NULL,
  json TEXT NOT NULL,
  etag TEXT NOT NULL,
  published_at_ms BIGINT NOT NULL,
  published_by_key BIGINT,
  bytes BIGINT NOT NULL,
  PRIMARY KEY (site, revision)
);
INSERT INTO artifact_revisions (site, revision, json, etag, published_at_ms,
                                bytes)
  SELECT site, revision, json, etag, updated_at_ms, octet_length(json)
  FROM artifacts;
)sql",
    // 3: API keys may expire (keys create --expires-in-days); the admin
    // audit log.
    R"sql(
ALTER TABLE api_keys ADD COLUMN expires_at_ms BIGINT;
CREATE TABLE admin_audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  site TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX admin_audit_by_site ON admin_audit (site, at_ms);
)sql",
};
constexpr int kLatestVersion =
    static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

int64_t DayOf(int64_t received_at_ms) { return received_at_ms / kMsPerDay; }

// Partition names encode their day: signals_d19876, signals_dm3 for day -3.
std::string PartitionName(int64_t day) {
  return day < 0 ? "signals_dm" + std::to_string(-day)
                 : "signals_d" + std::to_string(day);
}

// The day of a partition named by PartitionName, or nullopt.
std::optional<int64_t> PartitionDay(const std::string& name) {
  const std::string prefix = "signals_d";
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  std::string digits = name.substr(prefix.size());
  bool negative = !digits.empty() && digits[0] == 'm';
  if (negative) digits = digits.substr(1);
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int64_t day = std::strtoll(digits.c_str(), nullptr, 10);
  return negative ? -day : day;
}

ApiKeyRecord ReadKey(const PgResult& rows, int row) {
  ApiKeyRecord key;
  key.id = rows.Int(row, 0);
  key.site = rows.Text(row, 1);
  key.kind = rows.Text(row, 2) == "admin" ? KeyKind::kAdmin : KeyKind::kWrite;
  key.prefix = rows.Text(row, 3);
  key.created_at_ms = rows.Int(row, 4);
  key.revoked = !rows.IsNull(row, 5);
  key.expires_at_ms = rows.IsNull(row, 6) ? 0 : rows.Int(row, 6);
  return key;
}

SignalRecord ReadSignal(const PgResult& rows, int row) {
  SignalRecord signal;
  signal.site = rows.Text(row, 0);
  signal.id = rows.Text(row, 1);
  signal.vid = rows.Text(row, 2);
  signal.received_at_ms = rows.Int(row, 3);
  signal.body = rows.Text(row, 4);
  return signal;
}

bool AllSites(const std::string& site) {
  return site.empty() || site == kAllSites;
}

// A failed batch attempt; `sqlstate` tells a retryable cause apart.
struct BatchFailure {
  std::string message;
  std::string sqlstate;
};

// SQLSTATE of "no partition of relation ... found for row".
constexpr const char* kNoPartitionState = "23514";

// Ids compare byte-wise, as in the SQLite engine.
constexpr const char* kSignalColumns =
    "SELECT site, id, vid, received_at_ms, body FROM signals ";
constexpr const char* kSignalOrder =
    " ORDER BY received_at_ms, id COLLATE \"C\"";

}  // namespace

PostgresStore::PostgresStore(const std::string& uri,
                             const StoreOptions& options)
    : uri_(uri),
      durable_(options.durable),
      inserts_(options.max_batch, options.on_commit) {
  db_ = Connect(uri_, durable_);
  try {
    writer_db_ = Connect(uri_, durable_);
  } catch (...) {
    PQfinish(db_);
    throw;
  }
  inserts_.Start(
      [this](const std::vector<SignalRecord>& batch,
             std::vector<InsertResult>& results) {
        return CommitBatch(batch, results);
      },
      [this] {
        PQfinish(writer_db_);
        writer_db_ = nullptr;
      });
}

PostgresStore::~PostgresStore() {
  Close();
  PQfinish(db_);
}

bool PostgresStore::EnsureConnected(PGconn* conn) {
  return postgres::EnsureConnected(conn, uri_, durable_);
}

int PostgresStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult exists(ExecRead(
      db_, reconnect, "SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (exists.Text(0, 0) != "t") return 0;
  PgResult version(
      ExecRead(db_, reconnect,
               "SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version.Int(0, 0));
}

int PostgresStore::Migrate() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  Transaction transaction(db_);
  // Replicas starting together: one migrates, the others wait and then
  // find nothing left to do.
  LockForSchema(db_, kMigrationLock);
  Exec(db_,
       "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
       "KEY, applied_at_ms BIGINT NOT NULL)");
  PgResult read(
      Exec(db_, "SELECT coalesce(max(version), 0) FROM schema_migrations"));
  int current = static_cast<int>(read.Int(0, 0));
  if (current > kLatestVersion) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this server knows (" +
                     std::to_string(kLatestVersion) + ")");
  }
  for (int version = current + 1; version <= kLatestVersion; ++version) {
    ExecScript(db_, kMigrations[version - 1]);
    Exec(db_,
         "INSERT INTO schema_migrations (version, applied_at_ms) VALUES "
         "($1::integer, $2::bigint)",
         {std::to_string(version), std::to_string(NowMs())});
  }
  transaction.Commit();
  return kLatestVersion;
}

bool PostgresStore::Ping() {
  try {
    std::lock_guard<std::mutex> lock(db_mutex_);
    EnsureConnected(db_);
    auto reconnect = [this] { EnsureConnected(db_); };
    PgResult ping(ExecRead(db_, reconnect, "SELECT 1"));
    if (ping.rows() != 1 || ping.Int(0, 0) != 1) return false;
    // A database that answers may still refuse commits (its disk full):
    // while signals fail, only a write tells when it takes them again.
    if (inserts_.LastCommitFailed()) {
      Exec(db_,
           "UPDATE schema_migrations SET applied_at_ms = applied_at_ms WHERE "
           "version = (SELECT max(version) FROM schema_migrations)");
    }
    return true;
  } catch (const StoreError&) {
    return false;
  }
}

ApiKeyRecord PostgresStore::CreateApiKey(const std::string& site, KeyKind kind,
                                         const std::string& key_hash,
                                         const std::string& prefix,
                                         int64_t now_ms,
                                         int64_t expires_at_ms) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  PgResult inserted(Exec(
      db_,
      "INSERT INTO api_keys (site, kind, key_hash, prefix, created_at_ms, "
      "expires_at_ms) VALUES ($1, $2, $3, $4, $5::bigint, nullif($6::bigint, "
      "0)) RETURNING id",
      {site, KeyKindName(kind), key_hash, prefix, std::to_string(now_ms),
       std::to_string(expires_at_ms)}));
  ApiKeyRecord record;
  record.id = inserted.Int(0, 0);
  record.site = site;
  record.kind = kind;
  record.prefix = prefix;
  record.created_at_ms = now_ms;
  record.expires_at_ms = expires_at_ms;
  return record;
}

std::vector<ApiKeyRecord> PostgresStore::ListApiKeys(const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(ExecRead(
      db_, reconnect,
      "SELECT id, site, kind, prefix, created_at_ms, "
      "revoked_at_ms, expires_at_ms FROM api_keys WHERE $1 = '' OR site = $1 "
      "ORDER BY id",
      {site}));
  std::vector<ApiKeyRecord> keys;
  for (int row = 0; row < rows.rows(); ++row) {
    keys.push_back(ReadKey(rows, row));
  }
  return keys;
}

bool PostgresStore::RevokeApiKey(int64_t id) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  PgResult updated(Exec(db_,
                        "UPDATE api_keys SET revoked_at_ms = $1::bigint WHERE "
                        "id = $2::bigint AND revoked_at_ms IS NULL",
                        {std::to_string(NowMs()), std::to_string(id)}));
  return updated.Affected() > 0;
}

std::optional<ApiKeyRecord> PostgresStore::FindApiKey(
    const std::string& key_hash) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(
      ExecRead(db_, reconnect,
               "SELECT id, site, kind, prefix, created_at_ms, "
               "revoked_at_ms, expires_at_ms FROM api_keys WHERE key_hash = $1",
               {key_hash}));
  if (rows.rows() == 0) return std::nullopt;
  return ReadKey(rows, 0);
}

void PostgresStore::InsertSignalAsync(SignalRecord signal,
                                      InsertCallback done) {
  inserts_.Enqueue(std::move(signal), std::move(done));
}

void PostgresStore::Flush() { inserts_.Flush(); }

void PostgresStore::EnsurePartitions(const std::set<int64_t>& days) {
  std::vector<int64_t> missing;
  for (int64_t day : days) {
    if (!known_days_.count(day)) missing.push_back(day);
  }
  if (missing.empty()) return;
  // The lock orders creation against other replicas creating the same day
  // and against retention, so a table that exists is attached.
  Transaction transaction(writer_db_);
  LockForSchema(writer_db_, kPartitionLock);
  for (int64_t day : missing) {
    const std::string name = PartitionName(day);
    // In the schema CREATE TABLE makes it in, not one later on the path.
    PgResult exists(Exec(writer_db_,
                         "SELECT to_regclass(format('%I.%I', "
                         "current_schema(), $1::text)) IS NOT NULL",
                         {name}));
    if (exists.Text(0, 0) == "t") continue;
    // Made apart, then attached: CREATE TABLE ... PARTITION OF would take
    // an ACCESS EXCLUSIVE lock on `signals`, waiting for every reader (an
    // export, pg_dump) with every insert queued behind it; ATTACH takes
    // one that neither readers nor inserts conflict with.
    Exec(writer_db_, ("CREATE TABLE " + name +
                      " (LIKE signals INCLUDING DEFAULTS INCLUDING "
                      "CONSTRAINTS)")
                         .c_str());
    Exec(writer_db_, ("ALTER TABLE signals ATTACH PARTITION " + name +
                      " FOR VALUES FROM (" + std::to_string(day) + ") TO (" +
                      std::to_string(day + 1) + ")")
                         .c_str());
  }
  transaction.Commit();
  known_days_.insert(missing.begin(), missing.end());
}

void PostgresStore::TryCommitBatch(const std::vector<SignalRecord>& batch,
                                   const std::vector<size_t>& order,
                                   std::vector<InsertResult>& results) {
  if (!writer_db_ || EnsureConnected(writer_db_)) {
    if (!writer_db_) writer_db_ = Connect(uri_, durable_);
    insert_prepared_ = false;
    known_days_.clear();
  }
  std::set<int64_t> days;
  for (const SignalRecord& signal : batch) {
    days.insert(DayOf(signal.received_at_ms));
  }
  EnsurePartitions(days);
  if (!insert_prepared_) {
    PgResult prepared(
        PQprepare(writer_db_, kInsertStatement, kInsertSql, 0, nullptr));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      throw BatchFailure{
          "postgresql: prepare insert (is the schema "
          "migrated?): " +
              ResultError(prepared.get(), writer_db_),
          ""};
    }
    insert_prepared_ = true;
  }

  // BEGIN, one insert per signal, COMMIT, all sent before reading any
  // result: one round trip per batch. Results are a few bytes per insert,
  // so the server never blocks on writing them while we still send.
  if (PQenterPipelineMode(writer_db_) != 1) {
    throw BatchFailure{"postgresql: cannot enter pipeline mode: " +
                           ConnectionError(writer_db_),
                       ""};
  }
  auto send_failed = [&]() -> BatchFailure {
    BatchFailure failure{
        "postgresql: send batch: " + ConnectionError(writer_db_), ""};
    // The connection is in an unknown state: the next batch opens a new
    // one.
    PQfinish(writer_db_);
    writer_db_ = nullptr;
    return failure;
  };
  bool sent = PQsendQueryParams(writer_db_, "BEGIN", 0, nullptr, nullptr,
                                nullptr, nullptr, 0) == 1;
  for (size_t k = 0; sent && k < order.size(); ++k) {
    const SignalRecord& s = batch[order[k]];
    std::string received = std::to_string(s.received_at_ms);
    std::string day = std::to_string(DayOf(s.received_at_ms));
    const char* values[] = {s.site.c_str(),   s.id.c_str(), s.vid.c_str(),
                            received.c_str(), day.c_str(),  s.body.c_str()};
    sent = PQsendQueryPrepared(writer_db_, kInsertStatement, 6, values, nullptr,
                               nullptr, 0) == 1;
  }
  sent = sent && PQsendQueryParams(writer_db_, "COMMIT", 0, nullptr, nullptr,
                                   nullptr, nullptr, 0) == 1;
  sent = sent && PQpipelineSync(writer_db_) == 1;
  if (!sent) throw send_failed();

  // Results arrive in order: BEGIN, the inserts, COMMIT, then the sync.
  BatchFailure failure;
  size_t query = 0;
  int empty_in_a_row = 0;
  for (;;) {
    PgResult result(PQgetResult(writer_db_));
    if (!result.get()) {
      // Ends one query's results; two in a row means nothing is coming.
      if (++empty_in_a_row > 1 || PQstatus(writer_db_) != CONNECTION_OK) {
        throw send_failed();
      }
      continue;
    }
    empty_in_a_row = 0;
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status == PGRES_COMMAND_OK) {
      if (query >= 1 && query <= order.size()) {
        InsertResult& r = results[order[query - 1]];
        r.ok = true;
        r.outcome = result.Affected() > 0 ? InsertOutcome::kAccepted
                                          : InsertOutcome::kDuplicate;
      }
    } else if (status != PGRES_PIPELINE_ABORTED && failure.message.empty()) {
      const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
      failure = BatchFailure{"postgresql: insert signals: " +
                                 ResultError(result.get(), writer_db_),
                             state ? state : ""};
    }
    ++query;
  }
  PQexitPipelineMode(writer_db_);
  if (failure.message.empty() && query != order.size() + 2) {
    failure.message = "postgresql: insert signals: " + std::to_string(query) +
                      " results for " + std::to_string(order.size() + 2) +
                      " statements";
  }
  if (!failure.message.empty()) {
    if (PQstatus(writer_db_) != CONNECTION_OK) {
      PQfinish(writer_db_);  // a new one for the next attempt
      writer_db_ = nullptr;
    } else if (PQtransactionStatus(writer_db_) != PQTRANS_IDLE) {
      PQclear(PQexec(writer_db_, "ROLLBACK"));
    }
    throw failure;
  }
}

std::string PostgresStore::CommitBatch(const std::vector<SignalRecord>& batch,
                                       std::vector<InsertResult>& results) {
  // Every writer claims ids in the same (site, id) order, so two replicas'
  // overlapping batches wait for each other instead of deadlocking.
  std::vector<size_t> order(batch.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const SignalRecord& x = batch[a];
    const SignalRecord& y = batch[b];
    return x.site != y.site ? x.site < y.site : x.id < y.id;
  });
  std::string failure;
  for (int attempt = 0;; ++attempt) {
    failure.clear();
    try {
      results.assign(batch.size(), InsertResult{});
      TryCommitBatch(batch, order, results);
      break;
    } catch (const BatchFailure& error) {
      failure = error.message;
      // Another replica's retention may have dropped a partition we had
      // seen: forget what we know and create it again, once.
      if (attempt == 0 && error.sqlstate == kNoPartitionState) {
        known_days_.clear();
        continue;
      }
    } catch (const StoreError& error) {
      failure = error.what();
    }
    // A connection the database closed (restart, idle timeout, terminated
    // backend): once more on a new one. Safe even if the lost attempt did
    // commit, since ids already stored then come back as duplicates.
    if (attempt == 0 &&
        (!writer_db_ || PQstatus(writer_db_) != CONNECTION_OK)) {
      continue;
    }
    break;
  }
  return failure;
}

void PostgresStore::ForEachSignalSince(
    const std::string& site, int64_t since_ms,
    const std::function<void(const SignalRecord&)>& visit) {
  // A connection of its own: an export may take seconds, and db_mutex_ is
  // what key lookups and artifact reads on the I/O threads wait for.
  std::unique_ptr<PGconn, void (*)(PGconn*)> reader(Connect(uri_, durable_),
                                                    &PQfinish);
  // Row by row, so exporting a large site does not load it all in memory.
  std::string sql = std::string(kSignalColumns) +
                    "WHERE site = $1 AND received_at_ms >= $2" + kSignalOrder;
  postgres::ForEachRow(reader.get(), sql.c_str(),
                       {site, std::to_string(since_ms)},
                       [&](const PgResult& row) { visit(ReadSignal(row, 0)); });
}

std::vector<SignalRecord> PostgresStore::SignalsOfVisitor(
    const std::string& site, const std::string& vid) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  std::string sql = std::string(kSignalColumns) +
                    "WHERE vid = $1 AND ($2 = '' OR site = $2)" + kSignalOrder;
  PgResult rows(ExecRead(db_, reconnect, sql.c_str(),
                         {vid, AllSites(site) ? std::string() : site}));
  std::vector<SignalRecord> signals;
  for (int row = 0; row < rows.rows(); ++row) {
    signals.push_back(ReadSignal(rows, row));
  }
  return signals;
}

ErasureRecord PostgresStore::EraseVisitor(const std::string& site,
                                          const std::string& vid,
                                          int64_t now_ms) {
  // A signal acknowledged before the request must not survive it.
  Flush();
  ErasureRecord record;
  record.erased_at_ms = now_ms;
  record.site = AllSites(site) ? std::string(kAllSites) : site;
  record.subject_hash = Sha256Hex(vid);
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  // An erasure answered is kept, also under --no-fsync, whose
  // synchronous_commit=off may lose the last commits in a database crash.
  postgres::Transaction transaction(db_);
  Exec(db_, "SET LOCAL synchronous_commit = on");
  // One statement: the signals, their ledger rows and the log entry go
  // together.
  PgResult logged(Exec(
      db_,
      "WITH gone AS (DELETE FROM signals WHERE vid = $1 AND ($2 = '' OR site "
      "= $2) RETURNING site, id), "
      "forgotten AS (DELETE FROM signal_ids i USING gone g WHERE i.site = "
      "g.site AND i.id = g.id) "
      "INSERT INTO erasure_log (erased_at_ms, site, subject_hash, "
      "signals_erased) SELECT $3::bigint, $4, $5, count(*) FROM gone "
      "RETURNING signals_erased",
      {vid, AllSites(site) ? std::string() : site,
       std::to_string(record.erased_at_ms), record.site, record.subject_hash}));
  record.signals_erased = logged.Int(0, 0);
  transaction.Commit();
  return record;
}

std::vector<ErasureRecord> PostgresStore::ListErasures() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(
      ExecRead(db_, reconnect,
               "SELECT erased_at_ms, site, subject_hash, signals_erased "
               "FROM erasure_log ORDER BY id"));
  std::vector<ErasureRecord> records;
  for (int row = 0; row < rows.rows(); ++row) {
    records.push_back(ErasureRecord{rows.Int(row, 0), rows.Text(row, 1),
                                    rows.Text(row, 2), rows.Int(row, 3)});
  }
  return records;
}

bool PostgresStore::PurgeErased() { return true; }

// One DELETE after the drops: nothing to stop between.
int64_t PostgresStore::DeleteSignalsBefore(int64_t cutoff_ms,
                                           const std::function<bool()>&) {
  Flush();
  // A connection of its own, as exports have: a pass may wait for a lock
  // or delete an hour of a busy site's rows, and db_mutex_ is what key
  // lookups and artifact reads on the I/O threads wait for.
  std::unique_ptr<PGconn, void (*)(PGconn*)> owned(Connect(uri_, durable_),
                                                   &PQfinish);
  PGconn* conn = owned.get();
  // Day d >= 0 holds [d, d + 1) days: wholly older than the cut-off when
  // d < whole_days. Those partitions are dropped, not scanned.
  const int64_t whole_days = cutoff_ms > 0 ? cutoff_ms / kMsPerDay : 0;
  if (whole_days > 0) {
    // Dropping a partition takes an ACCESS EXCLUSIVE lock on `signals`,
    // which waits for every reader (an export, pg_dump) with every insert
    // queued behind it, and holds it until the commit. So the drops are a
    // transaction of their own, and each waits a moment at most: a
    // partition not dropped now has its rows deleted below and goes at a
    // later pass.
    Transaction drops(conn);
    LockForSchema(conn, kPartitionLock);
    PgResult partitions(
        Exec(conn,
             "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
             "i.inhrelid WHERE i.inhparent = 'signals'::regclass"));
    Exec(conn, "SET LOCAL lock_timeout = '200ms'");
    for (int row = 0; row < partitions.rows(); ++row) {
      std::string name = partitions.Text(row, 0);
      std::optional<int64_t> day = PartitionDay(name);
      if (!day || *day < 0 || *day >= whole_days) continue;
      Exec(conn, "SAVEPOINT drop_partition");
      try {
        Exec(conn, ("DROP TABLE " + name).c_str());
        Exec(conn, "RELEASE SAVEPOINT drop_partition");
      } catch (const StoreError&) {
        Exec(conn, "ROLLBACK TO SAVEPOINT drop_partition");
      }
    }
    drops.Commit();
  }
  Transaction transaction(conn);
  LockForSchema(conn, kPartitionLock);
  // The rest: rows older than the cut-off in the partitions that remain
  // (the day bound lets PostgreSQL skip every newer partition).
  PgResult rest(
      Exec(conn,
           "WITH gone AS (DELETE FROM signals WHERE day <= $1::integer AND "
           "received_at_ms < $2::bigint RETURNING site, id), "
           "forgotten AS (DELETE FROM signal_ids i USING gone g WHERE i.site "
           "= g.site AND i.id = g.id) SELECT count(*) FROM gone",
           {std::to_string(DayOf(cutoff_ms)), std::to_string(cutoff_ms)}));
  int64_t deleted = rest.Int(0, 0);
  if (whole_days > 0) {
    // What is left of the whole days in the ledger was in the dropped
    // partitions: one row per signal, so their count is theirs.
    PgResult forgotten(Exec(
        conn, "DELETE FROM signal_ids WHERE day >= 0 AND day < $1::integer",
        {std::to_string(whole_days)}));
    deleted += forgotten.Affected();
  }
  transaction.Commit();
  return deleted;
}

std::optional<ArtifactRecord> PostgresStore::GetArtifact(
    const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(
      ExecRead(db_, reconnect,
               "SELECT site, revision, json, etag, updated_at_ms FROM "
               "artifacts WHERE site = $1",
               {site}));
  if (rows.rows() == 0) return std::nullopt;
  return ArtifactRecord{rows.Text(0, 0), rows.Int(0, 1), rows.Text(0, 2),
                        rows.Text(0, 3), rows.Int(0, 4)};
}

std::optional<ArtifactRecord> PostgresStore::PutArtifact(
    const ArtifactPublication& p) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  postgres::Transaction transaction(db_);
  // The first publication of a site inserts its row (a replica racing it
  // waits on the key, then updates); every later one locks the row, so
  // replicas hand out each revision number once, in order.
  Exec(db_,
       "INSERT INTO artifacts (site, revision, json, etag, updated_at_ms) "
       "VALUES ($1, 0, '', '', 0) ON CONFLICT (site) DO NOTHING",
       {p.site});
  PgResult current(
      Exec(db_, "SELECT revision FROM artifacts WHERE site = $1 FOR UPDATE",
           {p.site}));
  const int64_t published = current.Int(0, 0);
  if (p.base_revision != kAnyArtifactRevision && p.base_revision != published) {
    return std::nullopt;  // rolled back, the placeholder row with it
  }
  const std::string revision = std::to_string(published + 1);
  const std::string at = std::to_string(p.published_at_ms);
  Exec(db_,
       "UPDATE artifacts SET revision = $2::bigint, json = $3, etag = $4, "
       "updated_at_ms = $5::bigint WHERE site = $1",
       {p.site, revision, p.json, p.etag, at});
  Exec(db_,
       "INSERT INTO artifact_revisions (site, revision, json, etag, "
       "published_at_ms, published_by_key, bytes) VALUES ($1, $2::bigint, "
       "$3, $4, $5::bigint, nullif($6::bigint, 0), $7::bigint)",
       {p.site, revision, p.json, p.etag, at,
        std::to_string(p.published_by_key), std::to_string(p.json.size())});
  Exec(db_,
       "DELETE FROM artifact_revisions WHERE site = $1 AND revision <= "
       "$2::bigint",
       {p.site, std::to_string(published + 1 - kKeptArtifactRevisions)});
  transaction.Commit();
  return ArtifactRecord{p.site, published + 1, p.json, p.etag,
                        p.published_at_ms};
}

std::vector<ArtifactRevisionInfo> PostgresStore::ListArtifactRevisions(
    const std::string& site) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(ExecRead(
      db_, reconnect,
      "SELECT r.revision, r.etag, r.published_at_ms, r.bytes, "
      "coalesce(k.id, 0), coalesce(k.prefix, '') FROM artifact_revisions r "
      "LEFT JOIN api_keys k ON k.id = r.published_by_key WHERE r.site = $1 "
      "ORDER BY r.revision DESC",
      {site}));
  std::vector<ArtifactRevisionInfo> revisions;
  for (int row = 0; row < rows.rows(); ++row) {
    revisions.push_back(ArtifactRevisionInfo{
        rows.Int(row, 0), rows.Text(row, 1), rows.Int(row, 2), rows.Int(row, 3),
        rows.Int(row, 4), rows.Text(row, 5)});
  }
  return revisions;
}

std::optional<ArtifactRecord> PostgresStore::GetArtifactRevision(
    const std::string& site, int64_t revision) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(ExecRead(db_, reconnect,
                         "SELECT json, etag, published_at_ms FROM "
                         "artifact_revisions WHERE site = $1 AND revision = "
                         "$2::bigint",
                         {site, std::to_string(revision)}));
  if (rows.rows() == 0) return std::nullopt;
  return ArtifactRecord{site, revision, rows.Text(0, 0), rows.Text(0, 1),
                        rows.Int(0, 2)};
}

void PostgresStore::AppendAudit(const AuditRecord& record) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  Exec(db_,
       "INSERT INTO admin_audit (at_ms, key_id, site, action, detail) VALUES "
       "($1::bigint, $2::bigint, $3, $4, $5)",
       {std::to_string(record.at_ms), std::to_string(record.key_id),
        record.site, record.action, record.detail});
}

std::vector<AuditRecord> PostgresStore::ListAudit(const std::string& site,
                                                  int64_t since_ms,
                                                  int64_t limit) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  EnsureConnected(db_);
  auto reconnect = [this] { EnsureConnected(db_); };
  PgResult rows(ExecRead(
      db_, reconnect,
      "SELECT at_ms, key_id, site, action, detail FROM admin_audit WHERE ($1 "
      "= '*' OR site = $1) AND at_ms >= $2::bigint ORDER BY id DESC LIMIT "
      "$3::bigint",
      {site, std::to_string(since_ms), std::to_string(limit)}));
  std::vector<AuditRecord> records;
  for (int row = 0; row < rows.rows(); ++row) {
    records.push_back(AuditRecord{rows.Int(row, 0), rows.Int(row, 1),
                                  rows.Text(row, 2), rows.Text(row, 3),
                                  rows.Text(row, 4)});
  }
  return records;
}

void PostgresStore::Close() { inserts_.Close(); }

}  // namespace tessera::server
