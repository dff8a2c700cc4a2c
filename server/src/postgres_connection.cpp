#include "postgres_connection.h"

#include <exception>

namespace tessera::server::postgres {
namespace {

void IgnoreNotice(void*, const char*) {}

// libpq's text on one line: its line breaks (and the indentation after
// them) become "; ", a trailing one is dropped, so that an error is one
// log line.
std::string OneLine(const char* text) {
  std::string line;
  for (const char* c = text; *c; ++c) {
    if (*c != '\n' && *c != '\r') {
      line.push_back(*c);
      continue;
    }
    while (c[1] == '\n' || c[1] == '\r' || c[1] == '\t' || c[1] == ' ') ++c;
    if (c[1] != '\0') line += "; ";
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

void SetUpSession(PGconn* conn, bool durable) {
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    throw StoreError("postgresql: cannot use UTF8: " + ConnectionError(conn));
  }
  // Not durable: a server crash may lose the last commits (never corrupts).
  if (!durable) Exec(conn, "SET synchronous_commit = off");
}

PgResult ExecValues(PGconn* conn, const char* sql,
                    const std::vector<const char*>& values) {
  PgResult result(PQexecParams(conn, sql, static_cast<int>(values.size()),
                               nullptr, values.data(), nullptr, nullptr, 0));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw StoreError("postgresql: " + ResultError(result.get(), conn));
  }
  return result;
}

}  // namespace

bool IsPostgresUri(const std::string& uri) {
  return uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0;
}

std::string ConnectionError(PGconn* conn) {
  return conn ? OneLine(PQerrorMessage(conn)) : "out of memory";
}

std::string ResultError(const PGresult* result, PGconn* conn) {
  const char* text = result ? PQresultErrorMessage(result) : nullptr;
  return text && *text ? OneLine(text) : ConnectionError(conn);
}

PGconn* Connect(const std::string& uri, bool durable) {
  // The URI may name the application; otherwise it is "tessera-server".
  // A host that takes the connection and never answers would otherwise
  // hold start-up, or a reconnect (and the lock the I/O threads wait for),
  // for good: 10 s unless the URI sets connect_timeout (keywords before
  // dbname are defaults the URI overrides).
  const char* keywords[] = {"connect_timeout", "dbname",
                            "fallback_application_name", nullptr};
  const char* values[] = {"10", uri.c_str(), "tessera-server", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = ConnectionError(conn);
    PQfinish(conn);
    throw StoreError("cannot connect to PostgreSQL at '" + RedactStoreUri(uri) +
                     "': " + message);
  }
  try {
    SetUpSession(conn, durable);
  } catch (...) {
    PQfinish(conn);
    throw;
  }
  return conn;
}

bool EnsureConnected(PGconn* conn, const std::string& uri, bool durable) {
  if (PQstatus(conn) == CONNECTION_OK) return false;
  PQreset(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    throw StoreError("lost the PostgreSQL connection to '" +
                     RedactStoreUri(uri) + "': " + ConnectionError(conn));
  }
  SetUpSession(conn, durable);
  return true;
}

PgResult Exec(PGconn* conn, const char* sql,
              std::initializer_list<std::string> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  return ExecValues(conn, sql, values);
}

PgResult Exec(PGconn* conn, const char* sql,
              const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  return ExecValues(conn, sql, values);
}

void ExecScript(PGconn* conn, const char* sql) {
  PgResult result(PQexec(conn, sql));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw StoreError("postgresql: " + ResultError(result.get(), conn));
  }
}

void ForEachRow(PGconn* conn, const char* sql,
                const std::vector<std::string>& params,
                const std::function<void(const PgResult& row)>& visit) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  if (PQsendQueryParams(conn, sql, static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0) != 1) {
    throw StoreError("postgresql: " + ConnectionError(conn));
  }
  PQsetSingleRowMode(conn);
  std::exception_ptr visit_error;
  std::string db_error;
  while (PGresult* raw = PQgetResult(conn)) {
    PgResult result(raw);
    ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_SINGLE_TUPLE) {
      if (visit_error || !db_error.empty()) continue;
      try {
        visit(result);
      } catch (...) {
        visit_error = std::current_exception();
      }
    } else if (status != PGRES_TUPLES_OK && db_error.empty()) {
      db_error = ResultError(raw, conn);
    }
  }
  if (visit_error) std::rethrow_exception(visit_error);
  if (!db_error.empty()) throw StoreError("postgresql: " + db_error);
}

Transaction::Transaction(PGconn* conn) : conn_(conn) { Exec(conn, "BEGIN"); }

Transaction::~Transaction() {
  if (!done_) PQclear(PQexec(conn_, "ROLLBACK"));
}

void Transaction::Commit() {
  Exec(conn_, "COMMIT");
  done_ = true;
}

void LockForSchema(PGconn* conn, int which) {
  Exec(conn,
       "SELECT pg_advisory_xact_lock($1::integer, "
       "hashtext(coalesce(current_schema(), '')))",
       {std::to_string(which)});
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    // Quoted, so that empty strings, commas, braces, spaces and the word
    // NULL stay plain text; inside quotes only " and \ need a backslash.
    literal += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

}  // namespace tessera::server::postgres
