// The libpq plumbing both PostgreSQL engines share (postgres_store.cpp for
// the signal store, postgres_crm_store.cpp for the CRM tables): connecting
// with the server's session settings, reconnecting a connection the
// database closed, results that free themselves, statements with text
// parameters, transactions that roll back unless committed, schema-scoped
// advisory locks, and row-by-row reads. Private to the server.
//
// Failures throw StoreError "postgresql: <PostgreSQL's message>"; a URI in
// a message never shows its password. Not thread-safe by themselves: the
// engines guard each connection.
#ifndef TESSERA_SERVER_POSTGRES_CONNECTION_H_
#define TESSERA_SERVER_POSTGRES_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "tessera/server/store.h"

namespace tessera::server::postgres {

// Whether `uri` names a PostgreSQL database (postgresql:// or postgres://)
// rather than a SQLite file.
bool IsPostgresUri(const std::string& uri);

// Owns a PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* result = nullptr) : result_(result) {}
  ~PgResult() { PQclear(result_); }
  PgResult(PgResult&& other) noexcept : result_(other.result_) {
    other.result_ = nullptr;
  }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  PGresult* get() const { return result_; }
  int rows() const { return PQntuples(result_); }
  std::string Text(int row, int column) const {
    return std::string(PQgetvalue(result_, row, column),
                       PQgetlength(result_, row, column));
  }
  int64_t Int(int row, int column) const {
    return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
  }
  bool IsNull(int row, int column) const {
    return PQgetisnull(result_, row, column) != 0;
  }
  // Rows an INSERT/UPDATE/DELETE touched.
  int64_t Affected() const {
    return std::strtoll(PQcmdTuples(result_), nullptr, 10);
  }

 private:
  PGresult* result_;
};

// The connection's last error on one line (libpq's line breaks as "; ").
std::string ConnectionError(PGconn* conn);
// The error `result` carries, or else the connection's.
std::string ResultError(const PGresult* result, PGconn* conn);

// Connects to `uri` and applies the session settings (UTF8, notices off,
// synchronous_commit off unless `durable`). Throws StoreError naming the
// redacted URI.
PGconn* Connect(const std::string& uri, bool durable);
// Resets `conn` if the database closed it, re-applying the session
// settings; returns whether it had to. Throws StoreError when it cannot.
bool EnsureConnected(PGconn* conn, const std::string& uri, bool durable);

// Runs one statement with text parameters; throws StoreError on failure.
PgResult Exec(PGconn* conn, const char* sql,
              std::initializer_list<std::string> params = {});
PgResult Exec(PGconn* conn, const char* sql,
              const std::vector<std::string>& params);

// A read-only statement: when the database had closed the connection
// (restart, idle timeout, terminated backend), `reconnect` and run it once
// more. Only for reads: a write may have committed before the loss.
template <typename Reconnect>
PgResult ExecRead(PGconn* conn, Reconnect reconnect, const char* sql,
                  std::initializer_list<std::string> params = {}) {
  try {
    return Exec(conn, sql, params);
  } catch (const StoreError&) {
    if (PQstatus(conn) == CONNECTION_OK) throw;
  }
  reconnect();
  return Exec(conn, sql, params);
}

// Runs a script of several statements (simple query protocol, no params).
void ExecScript(PGconn* conn, const char* sql);

// Runs `sql` and hands `visit` each row as it arrives (single-row mode), so
// a large table is never held in memory. Every result is read even after
// a failure, leaving the connection ready; then the first exception from
// `visit` is rethrown, or a database error thrown as StoreError.
void ForEachRow(PGconn* conn, const char* sql,
                const std::vector<std::string>& params,
                const std::function<void(const PgResult& row)>& visit);

// BEGIN ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(PGconn* conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  PGconn* conn_;
  bool done_ = false;
};

// Takes the transaction-scoped advisory lock (`which`, hash of the current
// schema), so stores in different schemas of one database do not contend.
void LockForSchema(PGconn* conn, int which);

// `values` as a PostgreSQL array literal of text ({"a","b\"c"}), for
// passing a batch as one parameter ($1::text[]).
std::string TextArray(const std::vector<std::string>& values);

}  // namespace tessera::server::postgres

#endif  // TESSERA_SERVER_POSTGRES_CONNECTION_H_
