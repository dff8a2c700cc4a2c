#include "sqlite_connection.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace tessera::server::sqlite {

sqlite3* Open(const std::string& path, const ConnectionOptions& options) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      throw StoreError("cannot create directory '" + parent.string() +
                       "': " + error.message());
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
          (options.serialized ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX),
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError("cannot open database '" + path + "': " + message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // The first statements are where a file that is not a database (or is
  // damaged, or locked) shows: name the file.
  auto set = [&](const char* pragma) {
    if (sqlite3_exec(db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw StoreError("cannot open database '" + path + "': " + message);
    }
  };
  set("PRAGMA journal_mode=WAL");
  set(options.durable ? "PRAGMA synchronous=FULL"
                      : "PRAGMA synchronous=NORMAL");
  if (options.secure_delete) set("PRAGMA secure_delete=ON");
  return db;
}

void Fail(sqlite3* db, const std::string& what, const char* label) {
  throw StoreError(std::string(label) + ": " + what + ": " +
                   (db ? sqlite3_errmsg(db) : "out of memory"));
}

void Exec(sqlite3* db, const char* sql, const char* label) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreError(std::string(label) + ": " + message);
  }
}

Statement::Statement(sqlite3* db, const char* sql, const char* label)
    : db_(db), label_(label) {
  if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    Fail(db, "prepare", label_);
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, const std::string& text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t number) {
  sqlite3_bind_int64(stmt_, index, number);
  return *this;
}

Statement& Statement::BindBlobOrNull(int index, const std::string& bytes) {
  if (bytes.empty()) {
    sqlite3_bind_null(stmt_, index);
  } else {
    sqlite3_bind_blob(stmt_, index, bytes.data(),
                      static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindTextOrNull(int index, const std::string& text) {
  if (text.empty()) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  return Bind(index, text);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(db_, "step", label_);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int column) {
  // SQLite keeps whatever a row was given: a value that is no integer (a
  // hand edit, a damaged file) is an error, not read as 0.
  const int type = sqlite3_column_type(stmt_, column);
  if (type != SQLITE_INTEGER && type != SQLITE_NULL) {
    const char* name = sqlite3_column_name(stmt_, column);
    throw StoreError(std::string(label_) + ": column " + (name ? name : "?") +
                     " holds " +
                     (type == SQLITE_TEXT    ? "text"
                      : type == SQLITE_FLOAT ? "a fraction"
                                             : "bytes") +
                     ", not an integer (a damaged or edited row)");
  }
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::IsNull(int column) {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::Text(int column) {
  // The blob accessor returns text columns' bytes unchanged, and blobs too.
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(static_cast<const char*>(data), size)
              : std::string();
}

Transaction::Transaction(sqlite3* db, const char* label)
    : db_(db), label_(label) {
  Exec(db, "BEGIN IMMEDIATE", label_);
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::Commit() {
  Exec(db_, "COMMIT", label_);
  done_ = true;
}

}  // namespace tessera::server::sqlite
