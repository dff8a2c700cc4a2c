// The database engines the store suites run against, so that one suite
// covers both: SQLite in a temporary directory, and PostgreSQL in a fresh
// schema of the database named by TESSERA_TEST_POSTGRES_URI (see
// scripts/start-postgres.sh; without it the PostgreSQL cases fail and say
// what to run). Each engine drops what it created when destroyed, so a
// second run starts clean.
//
// Typed suites (TYPED_TEST) take the engine classes through `Engines` and
// `EngineNames`; value-parametrized suites (TEST_P) take an engine name
// through `EngineParams()` / `EngineParamName` and make it with MakeEngine.
#ifndef TESSERA_TESTS_SERVER_TEST_ENGINES_H_
#define TESSERA_TESTS_SERVER_TEST_ENGINES_H_

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

#include "postgres_test_db.h"
#include "temp_dir.h"
#include "tessera/server/store.h"

namespace tessera::server::testing {

class TestEngine {
 public:
  virtual ~TestEngine() = default;
  // Whether databases can be made; otherwise `why` says what to do.
  virtual bool Ready(std::string* why) = 0;
  // The `--db` value of a new, empty database, different each call.
  virtual std::string NewDatabase() = 0;
  // What the database `db` (made by NewDatabase) holds as stored, for
  // checking that something is NOT there in clear.
  virtual std::string StoredBytes(const std::string& db) = 0;
  // Runs `sql` (the engine's own dialect) on the database `db`, beside the
  // server's connections: to damage it the way a test needs. "" or the
  // engine's error.
  virtual std::string Execute(const std::string& db,
                              const std::string& sql) = 0;
};

class SqliteEngine final : public TestEngine {
 public:
  // The signal store's schema version after Migrate().
  static constexpr int kSchemaVersion = 4;
  bool Ready(std::string* why) override {
    *why = "cannot create a temporary directory";
    return !dir_.path().empty();
  }
  std::string NewDatabase() override {
    return dir_.File("nested/dir/tessera" + std::to_string(count_++) + ".db");
  }
  // The database file and its write-ahead log, byte for byte.
  std::string StoredBytes(const std::string& db) override {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(db + suffix, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      bytes += text.str();
    }
    return bytes;
  }
  std::string Execute(const std::string& db, const std::string& sql) override {
    sqlite3* raw = nullptr;
    std::string error;
    if (sqlite3_open(db.c_str(), &raw) != SQLITE_OK ||
        sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) !=
            SQLITE_OK) {
      error = sqlite3_errmsg(raw);
    }
    sqlite3_close(raw);
    return error;
  }

 private:
  TempDir dir_;
  int count_ = 0;
};

class PostgresEngine final : public TestEngine {
 public:
  static constexpr int kSchemaVersion = 3;
  bool Ready(std::string* why) override { return db_.Ready(why); }
  std::string NewDatabase() override {
    PostgresTestDb::Schema schema = db_.NewSchema();
    if (schema.uri.empty()) throw StoreError("cannot create a test schema");
    schemas_[schema.uri] = schema.name;
    return schema.uri;
  }
  // Every value of every column of every table in the schema, as the
  // server stored it: text as is, BYTEA as its raw bytes (printable bytes
  // verbatim, the others as \ooo escapes). The data files themselves
  // belong to the postgres user, out of this test's reach.
  std::string StoredBytes(const std::string& db) override {
    std::string error;
    std::vector<std::string> queries = db_.Column(
        "SELECT format('SELECT concat_ws('' '', %s) FROM %I.%I', "
        "string_agg(CASE WHEN data_type = 'bytea' THEN format('encode(%I, "
        "''escape'')', column_name) ELSE format('%I::text', column_name) "
        "END, ', '), table_schema, table_name) FROM "
        "information_schema.columns WHERE table_schema = $1 GROUP BY "
        "table_schema, table_name",
        schemas_[db], &error);
    std::string bytes;
    for (const std::string& query : queries) {
      for (const std::string& row : db_.Column(query, &error)) {
        bytes += row + "\n";
      }
    }
    if (!error.empty()) ADD_FAILURE() << "reading the stored rows: " << error;
    return bytes;
  }
  std::string Execute(const std::string& db, const std::string& sql) override {
    PGconn* conn = PQconnectdb(db.c_str());
    PGresult* result = PQexec(conn, sql.c_str());
    std::string error =
        PQresultStatus(result) == PGRES_COMMAND_OK ? "" : PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    return error;
  }

 private:
  PostgresTestDb db_;
  std::map<std::string, std::string> schemas_;  // uri -> schema name
};

struct EngineNames {
  template <typename Engine>
  static std::string GetName(int) {
    return std::is_same<Engine, SqliteEngine>::value ? "Sqlite" : "Postgres";
  }
};
using Engines = ::testing::Types<SqliteEngine, PostgresEngine>;

inline std::unique_ptr<TestEngine> MakeEngine(const std::string& name) {
  if (name == "Postgres") return std::make_unique<PostgresEngine>();
  return std::make_unique<SqliteEngine>();
}
inline auto EngineParams() {
  return ::testing::Values(std::string("Sqlite"), std::string("Postgres"));
}
struct EngineParamName {
  std::string operator()(
      const ::testing::TestParamInfo<std::string>& info) const {
    return info.param;
  }
};

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_TEST_ENGINES_H_
