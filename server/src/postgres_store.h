// The PostgreSQL engine of Store (see store.h for the contract), over libpq.
//
// Built so that several stateless tessera-server replicas can share one
// database: every write is safe against other processes (INSERT ... ON
// CONFLICT DO NOTHING for idempotency, upserts for artifacts, advisory locks
// around migrations and partition changes), and nothing is cached that
// another replica could invalidate without the engine noticing.
//
// Layout: `signals` is PARTITIONED BY RANGE on its `day` column (days since
// the epoch of received_at_ms), one partition per day, created on demand by
// the writer; retention drops whole partitions and deletes from the one the
// cut-off falls in. PostgreSQL cannot enforce UNIQUE (site, id) across
// partitions (a unique key must contain the partition key), and a resent
// signal may arrive on another day, so a small unpartitioned ledger,
// `signal_ids`, holds the unique (site, id) of every stored signal; its row
// and the signal's row are written, erased and pruned together.
//
// Two connections, like the SQLite engine: a writer thread owns one and
// turns queued inserts into one pipelined transaction per batch (group
// commit; callbacks run after COMMIT); the other, guarded by a mutex,
// serves every other call. A connection found broken is reset before use.
#ifndef TESSERA_SERVER_POSTGRES_STORE_H_
#define TESSERA_SERVER_POSTGRES_STORE_H_

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "group_commit_queue.h"
#include "tessera/server/store.h"

struct pg_conn;

namespace tessera::server {

class PostgresStore final : public Store {
 public:
  // Connects to `uri` (a libpq connection URI, postgresql://...). Throws
  // StoreError, without the password, when it cannot connect.
  PostgresStore(const std::string& uri, const StoreOptions& options);
  ~PostgresStore() override;

  int Migrate() override;
  int SchemaVersion() override;
  bool Ping() override;
  ApiKeyRecord CreateApiKey(const std::string& site, KeyKind kind,
                            const std::string& key_hash,
                            const std::string& prefix, int64_t now_ms,
                            int64_t expires_at_ms) override;
  std::vector<ApiKeyRecord> ListApiKeys(const std::string& site) override;
  bool RevokeApiKey(int64_t id) override;
  std::optional<ApiKeyRecord> FindApiKey(const std::string& key_hash) override;
  void InsertSignalAsync(SignalRecord signal, InsertCallback done) override;
  void Flush() override;
  void ForEachSignalSince(
      const std::string& site, int64_t since_ms,
      const std::function<void(const SignalRecord&)>& visit) override;
  std::vector<SignalRecord> SignalsOfVisitor(const std::string& site,
                                             const std::string& vid) override;
  ErasureRecord EraseVisitor(const std::string& site, const std::string& vid,
                             int64_t now_ms) override;
  std::vector<ErasureRecord> ListErasures() override;
  void AppendAudit(const AuditRecord& record) override;
  std::vector<AuditRecord> ListAudit(const std::string& site, int64_t since_ms,
                                     int64_t limit) override;
  bool PurgeErased() override;
  using Store::DeleteSignalsBefore;
  int64_t DeleteSignalsBefore(int64_t cutoff_ms,
                              const std::function<bool()>& stop) override;
  std::optional<ArtifactRecord> GetArtifact(const std::string& site) override;
  std::optional<ArtifactRecord> PutArtifact(
      const ArtifactPublication& publication) override;
  std::vector<ArtifactRevisionInfo> ListArtifactRevisions(
      const std::string& site) override;
  std::optional<ArtifactRecord> GetArtifactRevision(const std::string& site,
                                                    int64_t revision) override;
  void Close() override;

 private:
  // One group commit (GroupCommitQueue::CommitFunction), retried once on a
  // lost connection or a partition dropped by another replica.
  std::string CommitBatch(const std::vector<SignalRecord>& batch,
                          std::vector<InsertResult>& results);
  // One attempt at committing `batch` in `order`; fills `results` or throws.
  void TryCommitBatch(const std::vector<SignalRecord>& batch,
                      const std::vector<size_t>& order,
                      std::vector<InsertResult>& results);
  // Creates the day partitions the writer has not seen yet (writer only).
  void EnsurePartitions(const std::set<int64_t>& days);
  // Resets a broken connection and re-applies the session settings.
  // Returns whether it had to reconnect.
  bool EnsureConnected(pg_conn* conn);

  std::string uri_;
  bool durable_;         // StoreOptions::durable
  std::mutex db_mutex_;  // guards db_
  pg_conn* db_ = nullptr;
  // Writer thread only; null after a broken pipeline until the next batch.
  pg_conn* writer_db_ = nullptr;
  bool insert_prepared_ = false;  // writer thread only
  std::set<int64_t> known_days_;  // writer thread only; partitions seen
  GroupCommitQueue inserts_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_POSTGRES_STORE_H_
