// Store: where tessera-server keeps API keys, signals, artifacts and the
// erasure log. One abstract interface so engines (SQLite, PostgreSQL) are
// interchangeable and run the same test suite.
//
// Ownership: the caller owns the Store (OpenStore returns a unique_ptr).
// Thread-safety: every method may be called from any thread concurrently.
// Failures: a broken database (cannot open, disk full, corrupt) throws
// StoreError; "not found" is an empty optional, and inserting a signal that
// is already stored is the normal outcome kDuplicate, never an error.
// Durability: InsertSignalAsync acknowledges (calls back) only after the
// transaction holding the signal has committed; engines batch concurrent
// inserts into one transaction (group commit) so the cost of a durable
// commit is shared.
#ifndef TESSERA_SERVER_STORE_H_
#define TESSERA_SERVER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera::server {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class KeyKind { kWrite, kAdmin };
const char* KeyKindName(KeyKind kind);  // "write" / "admin"
std::optional<KeyKind> ParseKeyKind(const std::string& name);

// The site an admin key for every site is created with.
inline constexpr const char* kAllSites = "*";

struct ApiKeyRecord {
  int64_t id = 0;
  std::string site;  // the site it is valid for, or kAllSites
  KeyKind kind = KeyKind::kWrite;
  std::string prefix;  // first characters of the key, to recognise it
  int64_t created_at_ms = 0;
  bool revoked = false;
  int64_t expires_at_ms = 0;  // refused from then on; 0: never expires
};

struct SignalRecord {
  std::string site;
  std::string id;   // idempotency id, unique per site
  std::string vid;  // pseudonymous visitor id
  int64_t received_at_ms = 0;
  std::string body;  // the signal as canonical JSON text
};

struct ArtifactRecord {
  std::string site;
  int64_t revision = 0;  // incremented by every PutArtifact for the site
  std::string json;
  std::string etag;  // quoted, as sent in the ETag header
  int64_t updated_at_ms = 0;
};

// A kept revision of a site's artifact, as listed (without its text).
struct ArtifactRevisionInfo {
  int64_t revision = 0;
  std::string etag;
  int64_t published_at_ms = 0;
  int64_t bytes = 0;  // of its JSON text
  // Who published it: the admin key's id and prefix (as `keys list` shows
  // them); 0 and "" when not known (revisions from before version 3).
  int64_t published_by_key = 0;
  std::string published_by_prefix;
};

// How many revisions of each site's artifact a store keeps: the newest;
// publishing one more deletes the oldest.
inline constexpr int64_t kKeptArtifactRevisions = 100;
// PutArtifact's base revision that replaces whatever is published.
inline constexpr int64_t kAnyArtifactRevision = -1;

// One publication of a site's artifact (Store::PutArtifact).
struct ArtifactPublication {
  std::string site;
  std::string json;  // validated by the caller
  std::string etag;  // quoted
  int64_t published_at_ms = 0;
  // The revision the change was made from (0: none was published), or
  // kAnyArtifactRevision to replace whatever is published.
  int64_t base_revision = kAnyArtifactRevision;
  int64_t published_by_key = 0;  // the admin key's id (0: not through one)
};

// One admin action in the audit log: which admin key did what, when. It
// holds no personal data: people appear as SHA-256 hashes of their ids,
// exports and imports as counts.
struct AuditRecord {
  int64_t at_ms = 0;
  int64_t key_id = 0;  // the admin key used
  std::string site;    // the site acted on, or kAllSites
  std::string action;  // "profile.read", "export.customers", ...
  std::string detail;  // a JSON object: counts, hashes, revisions
};

struct ErasureRecord {
  int64_t erased_at_ms = 0;
  std::string site;          // the scope of the request (or kAllSites)
  std::string subject_hash;  // SHA-256 of the visitor id, never the id itself
  int64_t signals_erased = 0;
};

enum class InsertOutcome { kAccepted, kDuplicate };

// Outcome of an asynchronous insert: either an outcome or an error message.
struct InsertResult {
  bool ok = false;
  InsertOutcome outcome = InsertOutcome::kAccepted;
  std::string error;
};

// Called exactly once, on an engine thread, after the commit (or failure).
// Must not block: hand the result over to the I/O thread and return.
using InsertCallback = std::function<void(const InsertResult&)>;

// What the engine reports after every group commit: how long it took, how
// many signals it held, and "" or why it failed (every signal of the batch
// was then answered with that error).
struct CommitReport {
  double seconds = 0;
  size_t batch_size = 0;
  std::string failure;
};
// Called on the engine's writer thread; must not block.
using CommitObserver = std::function<void(const CommitReport& report)>;

struct StoreOptions {
  // Durable commits: fsync on every commit (SQLite synchronous=FULL,
  // PostgreSQL synchronous_commit=on). When false (SQLite NORMAL, PostgreSQL
  // synchronous_commit=off), a power loss or database crash may lose the last
  // commits; a crash of the server process still loses nothing. Default: true.
  bool durable = true;
  // Most signals in one group-commit transaction. Default: 512.
  size_t max_batch = 512;
  // Optional observer for metrics and logs. Default: none.
  CommitObserver on_commit;
};

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies every schema migration not yet applied; returns the schema
  // version now in effect. Idempotent.
  virtual int Migrate() = 0;
  virtual int SchemaVersion() = 0;
  // Whether the database answers a trivial query and, while the latest
  // signal commit failed (a full disk), whether it takes a write again.
  virtual bool Ping() = 0;

  // API keys; only the SHA-256 of a key is stored. `expires_at_ms`: 0 for
  // a key that never expires.
  virtual ApiKeyRecord CreateApiKey(const std::string& site, KeyKind kind,
                                    const std::string& key_hash,
                                    const std::string& prefix, int64_t now_ms,
                                    int64_t expires_at_ms) = 0;
  // Every key (revoked ones included), of one site or of all when empty.
  virtual std::vector<ApiKeyRecord> ListApiKeys(const std::string& site) = 0;
  // Returns whether a key with this id existed and was not yet revoked.
  virtual bool RevokeApiKey(int64_t id) = 0;
  virtual std::optional<ApiKeyRecord> FindApiKey(
      const std::string& key_hash) = 0;

  // Queues a signal for the next group commit; `done` runs after it.
  virtual void InsertSignalAsync(SignalRecord signal, InsertCallback done) = 0;
  // Synchronous convenience over InsertSignalAsync; throws StoreError.
  InsertOutcome InsertSignal(SignalRecord signal);
  // Blocks until every insert queued before the call has committed.
  virtual void Flush() = 0;

  // Every signal of `site` received at or after `since_ms`, in
  // (received_at, id) order: incremental exports.
  virtual void ForEachSignalSince(
      const std::string& site, int64_t since_ms,
      const std::function<void(const SignalRecord&)>& visit) = 0;
  // Every signal of `site`, in the same order.
  void ForEachSignal(const std::string& site,
                     const std::function<void(const SignalRecord&)>& visit) {
    ForEachSignalSince(site, 0, visit);
  }
  // Signals of one visitor; `site` empty or kAllSites means every site.
  virtual std::vector<SignalRecord> SignalsOfVisitor(
      const std::string& site, const std::string& vid) = 0;
  // Deletes every signal of the visitor (within `site`, or every site for
  // kAllSites) after flushing pending inserts, and records the erasure.
  virtual ErasureRecord EraseVisitor(const std::string& site,
                                     const std::string& vid,
                                     int64_t now_ms) = 0;
  virtual std::vector<ErasureRecord> ListErasures() = 0;

  // The admin audit log (kept like the erasure logs: not pruned by age).
  virtual void AppendAudit(const AuditRecord& record) = 0;
  // Newest first: at most `limit` entries at or after `since_ms`, of `site`
  // (every site for kAllSites).
  virtual std::vector<AuditRecord> ListAudit(const std::string& site,
                                             int64_t since_ms,
                                             int64_t limit) = 0;
  // After erasures: removes the older copies of erased rows that the
  // engine keeps beside its tables (SQLite: the write-ahead log, copied
  // into the database file, whose freed space secure_delete zeroed, and
  // truncated). False when it could not now (a long read holds the log);
  // the copies then go with a later checkpoint. PostgreSQL keeps none of
  // its own beyond what vacuum reclaims (docs/privacy.md): true.
  virtual bool PurgeErased() = 0;
  // Retention: deletes signals received before `cutoff_ms`; returns count.
  int64_t DeleteSignalsBefore(int64_t cutoff_ms) {
    return DeleteSignalsBefore(cutoff_ms, {});
  }
  // The same, asking `stop` (when set) between steps, so that a long pass
  // ends early for a shutdown: what it deleted stays deleted, the rest goes
  // at the next pass.
  virtual int64_t DeleteSignalsBefore(int64_t cutoff_ms,
                                      const std::function<bool()>& stop) = 0;

  virtual std::optional<ArtifactRecord> GetArtifact(
      const std::string& site) = 0;
  // Publishes the artifact as the site's next revision, and keeps it among
  // the site's revisions, when the revision published now is its
  // `base_revision` (or that is kAnyArtifactRevision). nullopt, with nothing
  // changed, when another publication came first: the caller read an older
  // revision.
  virtual std::optional<ArtifactRecord> PutArtifact(
      const ArtifactPublication& publication) = 0;
  // The site's kept revisions, newest first (none for an unknown site).
  virtual std::vector<ArtifactRevisionInfo> ListArtifactRevisions(
      const std::string& site) = 0;
  // One kept revision (`updated_at_ms`: when it was published); nullopt
  // when the site has no such revision or it is no longer kept.
  virtual std::optional<ArtifactRecord> GetArtifactRevision(
      const std::string& site, int64_t revision) = 0;

  // Commits what is pending and stops the writer; later inserts fail.
  virtual void Close() = 0;

 protected:
  Store() = default;
};

// Opens the store named by `uri`: a file path (SQLite; its directory is
// created), "sqlite:PATH", or a libpq connection URI "postgresql://..." /
// "postgres://..." (PostgreSQL; several server processes may share one
// database). Throws StoreError on failure. Does not migrate.
std::unique_ptr<Store> OpenStore(const std::string& uri,
                                 const StoreOptions& options = {});

// Throws StoreError naming the file when `uri` is a SQLite path with no
// file: for commands that only read or change what a database holds, which
// OpenStore would otherwise give a new empty database at a mistyped path.
// A PostgreSQL URI passes (connecting fails on a missing database anyway).
void RequireExistingStore(const std::string& uri);

// The file a SQLite `uri` names ("PATH" or "sqlite:PATH"); "" for a
// PostgreSQL URI.
std::string SqliteFileOf(const std::string& uri);

// `uri` with any password replaced by "***", for logs and error messages.
std::string RedactStoreUri(const std::string& uri);

// Milliseconds since the epoch from the system clock.
int64_t NowMs();

}  // namespace tessera::server

#endif  // TESSERA_SERVER_STORE_H_
