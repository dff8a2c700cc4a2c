#include "sqlite_erasure_replay.h"

#include <sqlite3.h>

#include <set>
#include <string_view>
#include <tuple>

#include "sqlite_connection.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

using sqlite::Statement;

bool HasTable(sqlite3* db, const char* table) {
  Statement query(db,
                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                  "name = ?");
  query.Bind(1, std::string(table));
  return query.Step();
}

void Sha256HexFunction(sqlite3_context* context, int, sqlite3_value** args) {
  const unsigned char* text = sqlite3_value_text(args[0]);
  if (!text) {
    sqlite3_result_null(context);
    return;
  }
  std::string hash = Sha256Hex(std::string_view(
      reinterpret_cast<const char*>(text), sqlite3_value_bytes(args[0])));
  sqlite3_result_text(context, hash.data(), static_cast<int>(hash.size()),
                      SQLITE_TRANSIENT);
}

// Where an erased id can appear: table and column (each with a `site`).
struct SubjectColumn {
  const char* table;
  const char* column;
};
constexpr SubjectColumn kSubjectColumns[] = {
    {"signals", "vid"},
    {"crm_transactions", "customer_id"},
    {"crm_customers", "customer_id"},
    {"identity_links", "customer_id"},
    {"identity_links", "vid"},
};

using ErasureKey = std::tuple<bool, int64_t, std::string, std::string>;

ErasureKey KeyOf(const LoggedErasure& erasure) {
  return {erasure.crm, erasure.erased_at_ms, erasure.site,
          erasure.subject_hash};
}

void AppendToLog(sqlite3* db, const LoggedErasure& erasure) {
  Statement insert(
      db, erasure.crm
              ? "INSERT INTO crm_erasure_log (erased_at_ms, site, "
                "subject_hash, customers_erased, transactions_erased, "
                "links_erased) VALUES (?, ?, ?, ?, ?, ?)"
              : "INSERT INTO erasure_log (erased_at_ms, site, subject_hash, "
                "signals_erased) VALUES (?, ?, ?, ?)");
  insert.Bind(1, erasure.erased_at_ms)
      .Bind(2, erasure.site)
      .Bind(3, erasure.subject_hash);
  for (size_t i = 0; i < erasure.counts.size(); ++i) {
    insert.Bind(static_cast<int>(4 + i), erasure.counts[i]);
  }
  insert.Step();
}

}  // namespace

std::vector<LoggedErasure> ReadErasureLogs(sqlite3* db) {
  std::vector<LoggedErasure> rows;
  auto read = [&](bool crm, const char* sql, int counts) {
    Statement query(db, sql);
    while (query.Step()) {
      LoggedErasure row;
      row.crm = crm;
      row.erased_at_ms = query.Int(0);
      row.site = query.Text(1);
      row.subject_hash = query.Text(2);
      for (int i = 0; i < counts; ++i) row.counts.push_back(query.Int(3 + i));
      rows.push_back(std::move(row));
    }
  };
  if (HasTable(db, "erasure_log")) {
    read(false,
         "SELECT erased_at_ms, site, subject_hash, signals_erased FROM "
         "erasure_log ORDER BY id",
         1);
  }
  if (HasTable(db, "crm_erasure_log")) {
    read(true,
         "SELECT erased_at_ms, site, subject_hash, customers_erased, "
         "transactions_erased, links_erased FROM crm_erasure_log ORDER BY id",
         3);
  }
  return rows;
}

ErasureReplayReport ReplayLaterErasures(
    sqlite3* restored, const std::vector<LoggedErasure>& replaced) {
  std::set<ErasureKey> known;
  for (const LoggedErasure& erasure : ReadErasureLogs(restored)) {
    known.insert(KeyOf(erasure));
  }
  std::vector<const LoggedErasure*> later;
  for (const LoggedErasure& erasure : replaced) {
    if (known.insert(KeyOf(erasure)).second) later.push_back(&erasure);
  }
  ErasureReplayReport report;
  if (later.empty()) return report;

  if (sqlite3_create_function(
          restored, "tessera_sha256_hex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
          nullptr, Sha256HexFunction, nullptr, nullptr) != SQLITE_OK) {
    sqlite::Fail(restored, "register the hash function for erasures");
  }
  sqlite::Transaction transaction(restored);
  sqlite::Exec(restored,
               "CREATE TEMP TABLE erased_subjects (site TEXT NOT NULL, "
               "hash TEXT NOT NULL);"
               "CREATE INDEX temp.erased_subjects_by_hash ON "
               "erased_subjects (hash)");
  {
    Statement add(
        restored,
        "INSERT INTO temp.erased_subjects (site, hash) VALUES (?, ?)");
    for (const LoggedErasure* erasure : later) {
      add.Bind(1, erasure->site).Bind(2, erasure->subject_hash).Step();
      add.Reset();
    }
  }
  for (const SubjectColumn& where : kSubjectColumns) {
    if (!HasTable(restored, where.table)) continue;
    const std::string sql =
        std::string("DELETE FROM main.") + where.table +
        " WHERE EXISTS (SELECT 1 FROM temp.erased_subjects e WHERE e.hash = "
        "tessera_sha256_hex(" +
        where.table + "." + where.column +
        ") AND (e.site = '*' OR e.site = " + where.table + ".site))";
    Statement erase(restored, sql.c_str());
    erase.Step();
    report.rows += sqlite3_changes(restored);
  }
  for (const LoggedErasure* erasure : later) {
    AppendToLog(restored, *erasure);
    ++report.erasures;
  }
  sqlite::Exec(restored, "DROP TABLE temp.erased_subjects");
  transaction.Commit();
  return report;
}

}  // namespace tessera::server
