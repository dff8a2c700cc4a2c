#include "sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "sqlite_connection.h"
#include "sqlite_crm_store.h"
#include "sqlite_erasure_replay.h"
#include "sqlite_store.h"
#include "tessera/server/store.h"

namespace tessera::server {
namespace {

namespace fs = std::filesystem;
using sqlite::Statement;

struct CloseConnection {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Connection = std::unique_ptr<sqlite3, CloseConnection>;

[[noreturn]] void FailOn(const std::string& path, const std::string& what,
                         sqlite3* db) {
  throw StoreError("'" + path + "': " + what + ": " +
                   (db ? sqlite3_errmsg(db) : "out of memory"));
}

// An existing file, never created: a mistyped path is an error, not a new
// empty database.
Connection OpenExisting(const std::string& path, int flags) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    throw StoreError("no database file at '" + path + "'");
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) FailOn(path, "cannot open", raw);
  sqlite3_busy_timeout(raw, sqlite::kBusyTimeoutMs);
  return db;
}

// Takes `db`'s lock for as long as the connection stays open. Any other
// connection (a running `serve`) holds a shared lock in WAL mode, so the
// exclusive lock is refused while one is open.
void LockExclusively(sqlite3* db, const std::string& path,
                     const char* operation) {
  sqlite3_busy_timeout(db, 200);
  if (sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError("'" + path + "' is in use (" + sqlite3_errmsg(db) +
                     "); stop `tessera-server serve` before " + operation);
  }
}

// The schema version, which also proves the file is a Tessera database.
int64_t SchemaVersion(sqlite3* db, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1,
                         &raw, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(db);
    sqlite3_finalize(raw);
    throw StoreError("'" + path + "' is not a Tessera database (" + message +
                     ")");
  }
  int64_t version =
      sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : 0;
  sqlite3_finalize(raw);
  if (version < 1) {
    throw StoreError("'" + path +
                     "' is not a Tessera database (no schema "
                     "version recorded)");
  }
  return version;
}

// Refuses a database that a newer server wrote: this one could neither
// apply erasures to its tables reliably nor serve it.
void RequireKnownSchema(sqlite3* db, const std::string& path) {
  auto refuse_newer = [&](const char* schema, int64_t version, int known) {
    if (version <= known) return;
    throw StoreError(
        "'" + path + "' has " + schema + " " + std::to_string(version) +
        ", newer than this server knows (" + std::to_string(known) +
        "); use the tessera-server version that wrote it");
  };
  refuse_newer("schema version", SchemaVersion(db, path),
               SqliteStoreSchemaVersion());
  Statement crm(db,
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                "name = 'crm_schema_migrations'");
  if (crm.Step() && crm.Int(0) > 0) {
    Statement version(db, "SELECT max(version) FROM crm_schema_migrations");
    version.Step();
    refuse_newer("CRM schema version", version.Int(0),
                 SqliteCrmSchemaVersion());
  }
}

// Checks a finished copy and describes it.
SqliteCopyReport Inspect(sqlite3* db, const std::string& path) {
  Statement check(db, "PRAGMA quick_check");
  std::string verdict = check.Step() ? check.Text(0) : "no answer";
  if (verdict != "ok") {
    throw StoreError("'" + path + "' failed its integrity check: " + verdict);
  }
  SqliteCopyReport report;
  report.schema_version = SchemaVersion(db, path);
  Statement count(db, "SELECT count(*) FROM signals");
  count.Step();
  report.signals = count.Int(0);
  return report;
}

void SyncPath(const std::string& path, bool directory) {
  int fd = open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) {
    std::string message = std::strerror(errno);
    if (fd >= 0) close(fd);
    throw StoreError("cannot sync '" + path + "': " + message);
  }
  close(fd);
}

std::string DirectoryOf(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

void Rename(const std::string& from, const std::string& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) {
    throw StoreError("cannot rename '" + from + "' to '" + to +
                     "': " + error.message());
  }
}

// Removes the file when destroyed unless kept: a failed copy leaves no
// half-written file behind.
class PartialFile {
 public:
  explicit PartialFile(std::string path) : path_(std::move(path)) {
    Remove();  // a previous run's leftover
  }
  ~PartialFile() {
    if (!kept_) Remove();
  }
  const std::string& path() const { return path_; }
  void Keep() { kept_ = true; }

 private:
  void Remove() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(path_ + suffix, ignored);
    }
  }
  std::string path_;
  bool kept_ = false;
};

void RefuseExisting(const std::string& path) {
  std::error_code error;
  if (fs::exists(path, error)) {
    throw StoreError("'" + path +
                     "' exists; a backup never overwrites a file (choose "
                     "another name or remove it)");
  }
}

}  // namespace

SqliteCopyReport BackupSqlite(const std::string& db, const std::string& out) {
  RefuseExisting(out);
  std::error_code error;
  if (!fs::is_directory(DirectoryOf(out), error)) {
    throw StoreError("no directory '" + DirectoryOf(out) + "' for the backup");
  }
  Connection source = OpenExisting(db, SQLITE_OPEN_READWRITE);
  SchemaVersion(source.get(), db);

  PartialFile partial(out + ".partial");
  SqliteCopyReport report;
  {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        partial.path().c_str(), &raw,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
        nullptr);
    Connection copy(raw);
    if (rc != SQLITE_OK) FailOn(partial.path(), "cannot create", raw);
    // One step copies one snapshot whatever `serve` commits meanwhile (in
    // WAL mode the writer goes on); smaller steps would start over after
    // each commit and might never finish under steady ingest.
    sqlite3_backup* backup =
        sqlite3_backup_init(copy.get(), "main", source.get(), "main");
    if (!backup) FailOn(partial.path(), "cannot start the backup", copy.get());
    do {
      rc = sqlite3_backup_step(backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) FailOn(db, "backup failed", copy.get());
    report = Inspect(copy.get(), partial.path());
  }
  SyncPath(partial.path(), false);
  report.bytes = static_cast<int64_t>(fs::file_size(partial.path()));
  RefuseExisting(out);  // created while the copy was made?
  Rename(partial.path(), out);
  partial.Keep();
  SyncPath(DirectoryOf(out), true);
  return report;
}

SqliteCopyReport RestoreSqlite(const std::string& backup, const std::string& db,
                               int64_t now_ms) {
  {
    // A backup that was served from (or written to) since may hold commits
    // in its -wal file; the copy below takes the main file only, so they
    // move into it first.
    std::error_code missing;
    const uintmax_t wal_bytes = fs::file_size(backup + "-wal", missing);
    const bool pending = !missing && wal_bytes > 0;
    Connection check = OpenExisting(
        backup, pending ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY);
    RequireKnownSchema(check.get(), backup);
    if (pending && sqlite3_wal_checkpoint_v2(check.get(), nullptr,
                                             SQLITE_CHECKPOINT_TRUNCATE,
                                             nullptr, nullptr) != SQLITE_OK) {
      FailOn(backup, "cannot move its -wal file into it", check.get());
    }
  }
  std::error_code error;
  const bool replacing = fs::exists(db, error);
  if (replacing && fs::equivalent(backup, db, error)) {
    throw StoreError("'" + backup + "' is the database itself");
  }
  std::vector<LoggedErasure> replaced_erasures;
  if (replacing) {
    Connection current = OpenExisting(db, SQLITE_OPEN_READWRITE);
    SchemaVersion(current.get(), db);
    LockExclusively(current.get(), db, "a restore");
    replaced_erasures = ReadErasureLogs(current.get());
    // Everything committed moves into the file itself, so the renamed
    // database needs no -wal beside it.
    if (sqlite3_wal_checkpoint_v2(current.get(), nullptr,
                                  SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                  nullptr) != SQLITE_OK) {
      FailOn(db, "cannot checkpoint before the restore", current.get());
    }
  }

  PartialFile restoring(db + ".restoring");
  fs::copy_file(backup, restoring.path(), error);
  if (error) {
    throw StoreError("cannot copy '" + backup + "' to '" + restoring.path() +
                     "': " + error.message());
  }
  // A copy from before the CRM tables (a database never served) gets them
  // now, as serve would at start, so its CRM erasure log can take the
  // replaced database's entries.
  OpenSqliteCrmStore(restoring.path())->Migrate();
  SqliteCopyReport report;
  {
    sqlite::ConnectionOptions options;
    options.secure_delete = true;  // replayed erasures overwrite the rows
    options.serialized = false;
    Connection copy(sqlite::Open(restoring.path(), options));
    ErasureReplayReport replay =
        ReplayLaterErasures(copy.get(), replaced_erasures);
    if (sqlite3_wal_checkpoint_v2(copy.get(), nullptr,
                                  SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                  nullptr) != SQLITE_OK) {
      FailOn(restoring.path(), "cannot checkpoint", copy.get());
    }
    report = Inspect(copy.get(), restoring.path());
    report.erasures_replayed = replay.erasures;
    report.rows_erased = replay.rows;
  }
  SyncPath(restoring.path(), false);
  report.bytes = static_cast<int64_t>(fs::file_size(restoring.path()));

  if (replacing) {
    for (const char* suffix : {"-wal", "-journal"}) {
      if (fs::exists(db + suffix, error) && fs::file_size(db + suffix) > 0) {
        throw StoreError("'" + db + suffix +
                         "' still holds commits; is `serve` running?");
      }
    }
    report.replaced_path = db + ".replaced-" + std::to_string(now_ms);
    Rename(db, report.replaced_path);
    for (const char* suffix : {"-wal", "-shm"}) {
      fs::remove(db + suffix, error);  // empty after the checkpoint
    }
  }
  try {
    Rename(restoring.path(), db);
  } catch (const StoreError&) {
    if (replacing) fs::rename(report.replaced_path, db, error);  // as it was
    throw;
  }
  restoring.Keep();
  SyncPath(DirectoryOf(db), true);
  return report;
}

void RequireSqliteUnused(const std::string& db, const char* operation) {
  Connection connection = OpenExisting(db, SQLITE_OPEN_READWRITE);
  SchemaVersion(connection.get(), db);
  LockExclusively(connection.get(), db, operation);
}

}  // namespace tessera::server
