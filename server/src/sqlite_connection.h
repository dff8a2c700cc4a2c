// The SQLite plumbing both SQLite engines share (sqlite_store.cpp for the
// signal store, sqlite_crm_store.cpp for the CRM tables): opening a
// connection with the server's settings, prepared statements that finalize
// themselves, and transactions that roll back unless committed. Private to
// the server.
//
// Failures throw StoreError "<label>: <what>: <SQLite's message>"; the
// label names the engine in logs ("sqlite", or "sqlite (crm)").
// Not thread-safe by themselves: the engines guard each connection.
#ifndef TESSERA_SERVER_SQLITE_CONNECTION_H_
#define TESSERA_SERVER_SQLITE_CONNECTION_H_

#include <cstdint>
#include <string>

#include "tessera/server/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tessera::server::sqlite {

inline constexpr const char* kLabel = "sqlite";

// How long a connection waits for another's lock before SQLITE_BUSY.
inline constexpr int kBusyTimeoutMs = 10000;

struct ConnectionOptions {
  // synchronous=FULL (fsync each commit) or NORMAL. Default: FULL.
  bool durable = true;
  // Overwrite deleted content in the file. Default: off.
  bool secure_delete = false;
  // Whether SQLite serializes calls on the connection with its own mutex
  // (needed when several threads may use it at once). A connection that
  // one thread at a time uses, like the signal writer's, skips that lock
  // on every call. Default: on.
  bool serialized = true;
  const char* label = kLabel;  // for error messages. Default: "sqlite"
};

// Opens (creating the file and its directory) a connection in WAL mode that
// waits up to 10 s for a lock held by another connection. Throws StoreError
// naming the path or the directory.
sqlite3* Open(const std::string& path, const ConnectionOptions& options);

[[noreturn]] void Fail(sqlite3* db, const std::string& what,
                       const char* label = kLabel);
// Runs SQL without results (several statements allowed).
void Exec(sqlite3* db, const char* sql, const char* label = kLabel);

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const char* label = kLabel);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& text);
  Statement& Bind(int index, int64_t number);
  // Binary data; NULL when empty.
  Statement& BindBlobOrNull(int index, const std::string& bytes);
  // Text; NULL when empty.
  Statement& BindTextOrNull(int index, const std::string& text);
  // True while a row is available; false when done. Throws on error.
  bool Step();
  // Back to before the first Step, with no values bound.
  void Reset();
  // An INTEGER column's value, 0 for NULL; throws StoreError naming the
  // column when it holds another type.
  int64_t Int(int column);
  bool IsNull(int column);
  // The column's bytes (text or blob); empty for NULL.
  std::string Text(int column);

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const char* label_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db, const char* label = kLabel);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  sqlite3* db_;
  const char* label_;
  bool done_ = false;
};

}  // namespace tessera::server::sqlite

#endif  // TESSERA_SERVER_SQLITE_CONNECTION_H_
