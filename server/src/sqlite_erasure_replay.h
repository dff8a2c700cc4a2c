// Erasures survive a restore: the erasure logs of the database a backup
// replaces are read, and every erasure the backup's own logs lack (it came
// after the backup) is applied to the restored copy again and added to its
// logs. Private to the server; used by RestoreSqlite (sqlite_backup.h).
//
// The logs hold only SHA-256 hashes of the erased ids (never the ids), so
// the copy's rows are matched by hashing their ids: signals by visitor id,
// CRM customers and transactions by customer id, identity links by either.
// Erasures logged before the backup are not applied again: a visitor erased
// then, who came back with consent, keeps what was stored since.
#ifndef TESSERA_SERVER_SQLITE_ERASURE_REPLAY_H_
#define TESSERA_SERVER_SQLITE_ERASURE_REPLAY_H_

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace tessera::server {

// One row of `erasure_log` (signals) or `crm_erasure_log`.
struct LoggedErasure {
  bool crm = false;  // which log
  int64_t erased_at_ms = 0;
  std::string site;  // or "*"
  std::string subject_hash;
  // signals_erased; or customers, transactions and links erased.
  std::vector<int64_t> counts;
};

// Both logs' rows (a log whose table does not exist reads as empty).
std::vector<LoggedErasure> ReadErasureLogs(sqlite3* db);

struct ErasureReplayReport {
  int64_t erasures = 0;  // log rows the copy lacked, now applied and logged
  int64_t rows = 0;      // rows they removed from the copy
};

// Applies to `restored` (in one transaction) every erasure of `replaced`
// that its own logs lack, and adds them to its logs, which must exist (the
// CRM schema migrated). Throws StoreError.
ErasureReplayReport ReplayLaterErasures(
    sqlite3* restored, const std::vector<LoggedErasure>& replaced);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SQLITE_ERASURE_REPLAY_H_
