// Throw-away schemas in the PostgreSQL test database, one per test.
//
// The database comes from TESSERA_TEST_POSTGRES_URI (printed by
// scripts/start-postgres.sh; `make test` sets it). Each NewSchema() creates a
// fresh schema and returns a URI whose search_path selects it, so tests
// running in parallel never see each other's tables; the destructor drops
// every schema it created. Without the variable, Ready() explains what to
// run, and the tests that need PostgreSQL fail with that message.
#ifndef TESSERA_TESTS_SERVER_POSTGRES_TEST_DB_H_
#define TESSERA_TESTS_SERVER_POSTGRES_TEST_DB_H_

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace tessera::server::testing {

class PostgresTestDb {
 public:
  struct Schema {
    std::string name;
    std::string uri;  // search_path and application_name = name
  };

  PostgresTestDb() {
    const char* uri = std::getenv("TESSERA_TEST_POSTGRES_URI");
    if (!uri || !*uri) {
      error_ =
          "TESSERA_TEST_POSTGRES_URI is not set: run `export "
          "TESSERA_TEST_POSTGRES_URI=$(scripts/start-postgres.sh)` (as root "
          "or with sudo) to start PostgreSQL for these tests, or `make test`";
      return;
    }
    uri_ = uri;
    conn_ = PQconnectdb(uri_.c_str());
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
    if (PQstatus(conn_) != CONNECTION_OK) {
      error_ = std::string("cannot connect to TESSERA_TEST_POSTGRES_URI (") +
               PQerrorMessage(conn_) +
               "); is it running? see scripts/start-postgres.sh";
    }
  }
  ~PostgresTestDb() {
    for (const Schema& schema : schemas_) {
      Exec("DROP SCHEMA IF EXISTS " + schema.name + " CASCADE");
    }
    PQfinish(conn_);
  }
  PostgresTestDb(const PostgresTestDb&) = delete;
  PostgresTestDb& operator=(const PostgresTestDb&) = delete;

  // Whether the database is reachable; otherwise `why` says what to do.
  bool Ready(std::string* why) const {
    if (why) *why = error_;
    return error_.empty();
  }

  // A new empty schema; the name is empty when it could not be created.
  Schema NewSchema() {
    std::random_device random;
    Schema schema;
    std::string name = "tessera_t" + std::to_string(getpid()) + "_" +
                       std::to_string(schemas_.size()) + "_" +
                       std::to_string(random() % 1000000);
    if (!Exec("CREATE SCHEMA " + name)) return schema;
    schema.name = name;
    // The application name tells this schema's connections apart.
    schema.uri = uri_ + (uri_.find('?') == std::string::npos ? "?" : "&") +
                 "options=-csearch_path%3D" + name +
                 "&application_name=" + name;
    schemas_.push_back(schema);
    return schema;
  }

  // The first column of every row of `sql` (with $1 = param); on failure an
  // empty list, and the message in `error`.
  std::vector<std::string> Column(const std::string& sql,
                                  const std::string& param,
                                  std::string* error = nullptr) {
    const char* values[] = {param.c_str()};
    return ColumnOf(sql, 1, values, error);
  }
  // The same for `sql` without parameters.
  std::vector<std::string> Column(const std::string& sql, std::string* error) {
    return ColumnOf(sql, 0, nullptr, error);
  }

  // Runs statements that return no rows (several, separated by semicolons);
  // returns whether they all succeeded.
  bool Exec(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    return ok;
  }

  // Ends every connection made with `schema.uri`, as a database restart
  // would, and waits until they are gone; returns how many there were.
  int TerminateConnections(const Schema& schema) {
    std::vector<std::string> ended = Column(
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
        "WHERE application_name = $1",
        schema.name);
    return static_cast<int>(ended.size());
  }

 private:
  static void IgnoreNotice(void*, const char*) {}

  std::vector<std::string> ColumnOf(const std::string& sql, int count,
                                    const char* const* values,
                                    std::string* error) {
    PGresult* result = PQexecParams(conn_, sql.c_str(), count, nullptr, values,
                                    nullptr, nullptr, 0);
    std::vector<std::string> column;
    if (PQresultStatus(result) == PGRES_TUPLES_OK) {
      for (int row = 0; row < PQntuples(result); ++row) {
        column.emplace_back(PQgetvalue(result, row, 0));
      }
    } else if (error) {
      *error = PQresultErrorMessage(result);
    }
    PQclear(result);
    return column;
  }

  std::string uri_;
  std::string error_;
  PGconn* conn_ = nullptr;
  std::vector<Schema> schemas_;
};

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_POSTGRES_TEST_DB_H_
