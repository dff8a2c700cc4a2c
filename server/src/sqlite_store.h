// The embedded SQLite engine of Store (see store.h for the contract).
//
// Three connections: a writer thread owns one and turns queued signal
// inserts into group-commit transactions; a checkpointer thread owns another
// and copies the write-ahead log into the database file, so that no commit
// of the writer has to (sqlite_checkpointer.h); the third, guarded by a
// mutex, serves every other call. WAL mode lets readers proceed while the
// writer commits; both connections wait (busy_timeout) rather than fail when
// the other holds the write lock.
#ifndef TESSERA_SERVER_SQLITE_STORE_H_
#define TESSERA_SERVER_SQLITE_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "group_commit_queue.h"
#include "siphash.h"
#include "sqlite_checkpointer.h"
#include "tessera/server/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tessera::server {

// The newest schema version of the signal tables this server knows.
int SqliteStoreSchemaVersion();

class SqliteStore final : public Store {
 public:
  // Opens (creating it and its directory if needed) the database at `path`.
  SqliteStore(const std::string& path, const StoreOptions& options);
  ~SqliteStore() override;

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
  // One group commit (GroupCommitQueue::CommitFunction); writer thread.
  std::string CommitBatch(const std::vector<SignalRecord>& batch,
                          std::vector<InsertResult>& results);
  // The rest run on the writer thread only, and throw StoreError.
  void PrepareWriter();   // the writer's statements, once
  void FinalizeWriter();  // before closing the writer's connection
  void StepWriter(sqlite3_stmt* stmt, const char* what);  // and reset it
  // The largest signal key below `limit`, or INT64_MIN when none is.
  int64_t MaxSignalKeyBelow(int64_t limit);
  // The key (signal_key.h) of the next signal received at `ms`, inside the
  // batch's transaction; `last_key_` is the largest key in the table.
  int64_t NextSignalKey(int64_t ms);
  // The key of the visitor-id hash, read once; under db_mutex_.
  const SipHashKey& ReaderVidHashKey();

  const std::string path_;  // of the database, for exports' own connections
  std::mutex db_mutex_;     // guards db_
  sqlite3* db_ = nullptr;
  sqlite3* writer_db_ = nullptr;  // used by the writer thread only
  // Writer thread only:
  sqlite3_stmt* begin_stmt_ = nullptr;
  sqlite3_stmt* commit_stmt_ = nullptr;
  sqlite3_stmt* insert_stmt_ = nullptr;
  sqlite3_stmt* max_key_stmt_ = nullptr;
  int64_t last_key_ = 0;
  std::optional<SipHashKey> writer_vid_hash_key_;
  std::optional<SipHashKey> reader_vid_hash_key_;  // guarded by db_mutex_
  // Checkpoints the log off the writer's commits (constructed before and
  // stopped after the writer thread).
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  GroupCommitQueue inserts_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SQLITE_STORE_H_
