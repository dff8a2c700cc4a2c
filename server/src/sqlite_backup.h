// Backup and restore of the embedded SQLite database (signals, keys,
// artifacts, CRM tables and both erasure logs live in the one file), for
// `tessera-server backup` and `restore`, and the check that no server has
// the file open. Private to the server.
//
// A backup is taken while `serve` keeps writing: SQLite's online backup API
// copies one snapshot (WAL readers do not block the writer), so the copy is
// consistent and holds every signal acknowledged before it started. It is
// written beside its destination under a ".partial" name, checked
// (quick_check, schema present), synced and only then renamed, so a file
// under the destination's name is always a whole backup.
//
// A restore puts a backup in place of a database that no process has open
// (checked with an exclusive lock: stop `serve` first). Erasures do not
// come back with the backup: every erasure logged by the database being
// replaced and absent from the backup's logs is applied to the restored
// copy again (sqlite_erasure_replay.h) before it takes the database's
// name. The replaced database is kept, renamed, and never deleted here:
// it holds what was accepted after the backup.
#ifndef TESSERA_SERVER_SQLITE_BACKUP_H_
#define TESSERA_SERVER_SQLITE_BACKUP_H_

#include <cstdint>
#include <string>

namespace tessera::server {

struct SqliteCopyReport {
  int64_t schema_version = 0;  // of the copy
  int64_t signals = 0;         // signals in the copy
  int64_t bytes = 0;           // size of the copy's file
  // Restore only: erasures applied again, rows they removed, and where the
  // replaced database now is ("" when there was none).
  int64_t erasures_replayed = 0;
  int64_t rows_erased = 0;
  std::string replaced_path;
};

// Copies the database at `db` (which must exist and be a Tessera database)
// into the new file `out`, which must not exist. Throws StoreError naming
// the file and what was wrong.
SqliteCopyReport BackupSqlite(const std::string& db, const std::string& out);

// Replaces the database at `db` (if any; else creates it) with a copy of
// the backup `backup`, with the replaced database's later erasures applied
// again; `now_ms` names the replaced file ("<db>.replaced-<now_ms>").
// Throws StoreError when `db` is open elsewhere, `backup` is not a Tessera
// database or one of a newer schema than this server knows, or a file
// operation fails; `db` is then left as it was.
SqliteCopyReport RestoreSqlite(const std::string& backup, const std::string& db,
                               int64_t now_ms);

// For offline maintenance such as `rotate-pii-key`: throws StoreError when
// `db` is no Tessera database or another process (a running `serve`) has it
// open; `operation` ("a key rotation") ends the message. The check's lock
// is released on return, so a server started right after is not seen.
void RequireSqliteUnused(const std::string& db, const char* operation);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SQLITE_BACKUP_H_
