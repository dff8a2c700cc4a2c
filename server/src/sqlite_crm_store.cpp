// The SQLite engine of CrmStore (see crm_store.h for the contract): one
// connection, guarded by a mutex, to the same database file as the
// SqliteStore. Its tables have their own migration sequence, recorded in
// crm_schema_migrations, so the signal store's schema version is untouched.
// secure_delete is on, so erased rows are overwritten in the file rather
// than left in free pages.
#include "sqlite_crm_store.h"

#include <sqlite3.h>

#include <mutex>

#include "sqlite_connection.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

// Each entry is one CRM schema version; append, never edit an applied one.
const char* const kCrmMigrations[] = {
    // 1: customers, transactions, identity links, PII key check, erasures.
    R"sql(
CREATE TABLE crm_customers (
  site TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  email_hmac TEXT,
  email_sealed BLOB,
  name_sealed BLOB,
  traits TEXT NOT NULL DEFAULT '{}',
  row_hash TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (site, customer_id)
);
CREATE INDEX crm_customers_by_email ON crm_customers (email_hmac)
  WHERE email_hmac IS NOT NULL;
CREATE TABLE crm_transactions (
  site TEXT NOT NULL,
  row_key TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL DEFAULT '',
  day TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL,
  imported_at_ms INTEGER NOT NULL,
  PRIMARY KEY (site, row_key)
);
CREATE INDEX crm_transactions_by_customer
  ON crm_transactions (site, customer_id, day);
CREATE TABLE identity_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT NOT NULL,
  vid TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  source TEXT NOT NULL,
  linked_at_ms INTEGER NOT NULL,
  UNIQUE (site, vid, customer_id)
);
CREATE INDEX identity_links_by_customer ON identity_links (customer_id, site);
CREATE INDEX identity_links_by_vid ON identity_links (vid, site);
CREATE TABLE crm_pii_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  key_check TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL
);
CREATE TABLE crm_erasure_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  erased_at_ms INTEGER NOT NULL,
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  customers_erased INTEGER NOT NULL,
  transactions_erased INTEGER NOT NULL,
  links_erased INTEGER NOT NULL
);
)sql",
};
constexpr int kLatestCrmVersion =
    static_cast<int>(sizeof kCrmMigrations / sizeof kCrmMigrations[0]);

// Errors from these tables read "sqlite (crm): ...".
constexpr const char* kCrmLabel = "sqlite (crm)";

void Exec(sqlite3* db, const char* sql) { sqlite::Exec(db, sql, kCrmLabel); }

class Statement : public sqlite::Statement {
 public:
  Statement(sqlite3* db, const char* sql)
      : sqlite::Statement(db, sql, kCrmLabel) {}
};

class Transaction : public sqlite::Transaction {
 public:
  explicit Transaction(sqlite3* db) : sqlite::Transaction(db, kCrmLabel) {}
};

bool AllSites(const std::string& site) {
  return site.empty() || site == kAllSites;
}
// The site bound for "?N = '' OR site = ?N" filters.
std::string SiteFilter(const std::string& site) {
  return AllSites(site) ? std::string() : site;
}

const char kCustomerColumns[] =
    "site, customer_id, coalesce(email_hmac, ''), email_sealed, name_sealed, "
    "traits, row_hash, created_at_ms, updated_at_ms";

CustomerRecord ReadCustomer(Statement& row) {
  CustomerRecord c;
  c.site = row.Text(0);
  c.customer_id = row.Text(1);
  c.email_hmac = row.Text(2);
  c.email_sealed = row.Text(3);
  c.name_sealed = row.Text(4);
  c.traits_json = row.Text(5);
  c.row_hash = row.Text(6);
  c.created_at_ms = row.Int(7);
  c.updated_at_ms = row.Int(8);
  return c;
}

const char kTransactionColumns[] =
    "site, row_key, row_hash, customer_id, transaction_id, day, quantity, "
    "amount_cents, imported_at_ms";

TransactionRecord ReadTransaction(Statement& row) {
  TransactionRecord t;
  t.site = row.Text(0);
  t.row_key = row.Text(1);
  t.row_hash = row.Text(2);
  t.customer_id = row.Text(3);
  t.transaction_id = row.Text(4);
  t.day = row.Text(5);
  t.quantity = row.Int(6);
  t.amount_cents = row.Int(7);
  t.imported_at_ms = row.Int(8);
  return t;
}

class SqliteCrmStore final : public CrmStore {
 public:
  explicit SqliteCrmStore(const std::string& path) {
    sqlite::ConnectionOptions connection;
    connection.secure_delete = true;
    connection.label = kCrmLabel;
    db_ = sqlite::Open(path, connection);
  }
  ~SqliteCrmStore() override { sqlite3_close(db_); }

  int SchemaVersion() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return VersionLocked();
  }

  int Migrate() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (VersionLocked() > kLatestCrmVersion) {
      throw StoreError("CRM schema version " + std::to_string(VersionLocked()) +
                       " is newer than this server knows (" +
                       std::to_string(kLatestCrmVersion) + ")");
    }
    Transaction transaction(db_);
    Exec(db_,
         "CREATE TABLE IF NOT EXISTS crm_schema_migrations (version INTEGER "
         "PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
    Statement read(db_,
                   "SELECT coalesce(max(version), 0) FROM "
                   "crm_schema_migrations");
    read.Step();
    for (int version = static_cast<int>(read.Int(0)) + 1;
         version <= kLatestCrmVersion; ++version) {
      Exec(db_, kCrmMigrations[version - 1]);
      Statement record(db_,
                       "INSERT INTO crm_schema_migrations (version, "
                       "applied_at_ms) VALUES (?, ?)");
      record.Bind(1, static_cast<int64_t>(version)).Bind(2, NowMs()).Step();
    }
    transaction.Commit();
    return kLatestCrmVersion;
  }

  std::optional<std::string> PiiKeyCheck() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement query(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1");
    if (!query.Step()) return std::nullopt;
    return query.Text(0);
  }

  std::string RecordPiiKeyCheck(const std::string& check) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement insert(db_,
                     "INSERT OR IGNORE INTO crm_pii_key (id, key_check, "
                     "recorded_at_ms) VALUES (1, ?, ?)");
    insert.Bind(1, check).Bind(2, NowMs()).Step();
    Statement query(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1");
    query.Step();
    return query.Text(0);
  }

  int64_t ResealPii(
      const std::string& current_check, const std::string& next_check,
      const std::function<void(CustomerRecord&)>& reseal) override {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t rewritten = ResealLocked(current_check, next_check, reseal);
    // The old key's values stay in the log's earlier frames until it is
    // checkpointed and emptied (secure_delete already clears them from the
    // database's own pages).
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                  nullptr, nullptr) != SQLITE_OK) {
      sqlite::Fail(db_,
                   "checkpoint after re-sealing (the new key is in effect)",
                   kCrmLabel);
    }
    return rewritten;
  }

  std::vector<RowOutcome> UpsertCustomers(
      const std::vector<CustomerRecord>& customers, int64_t now_ms,
      const std::string& sealed_with) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<RowOutcome> outcomes;
    outcomes.reserve(customers.size());
    Transaction transaction(db_);
    if (!sealed_with.empty()) {
      Statement recorded(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1");
      if (!recorded.Step() || recorded.Text(0) != sealed_with) {
        throw PiiError(kRetiredPiiKeyMessage);
      }
    }
    Statement find(db_,
                   "SELECT row_hash FROM crm_customers WHERE site = ? AND "
                   "customer_id = ?");
    Statement insert(db_,
                     "INSERT INTO crm_customers (site, customer_id, "
                     "email_hmac, email_sealed, name_sealed, traits, row_hash, "
                     "created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, "
                     "?5, ?6, ?7, ?8, ?8)");
    Statement update(db_,
                     "UPDATE crm_customers SET email_hmac = ?3, email_sealed "
                     "= ?4, name_sealed = ?5, traits = ?6, row_hash = ?7, "
                     "updated_at_ms = ?8 WHERE site = ?1 AND customer_id = ?2");
    for (const CustomerRecord& c : customers) {
      find.Reset();
      find.Bind(1, c.site).Bind(2, c.customer_id);
      bool exists = find.Step();
      std::string stored = exists ? find.Text(0) : std::string();
      find.Reset();
      if (exists && stored == c.row_hash) {
        outcomes.push_back(RowOutcome::kUnchanged);
        continue;
      }
      Statement& write = exists ? update : insert;
      write.Reset();
      write.Bind(1, c.site)
          .Bind(2, c.customer_id)
          .BindTextOrNull(3, c.email_hmac)
          .BindBlobOrNull(4, c.email_sealed)
          .BindBlobOrNull(5, c.name_sealed)
          .Bind(6, c.traits_json)
          .Bind(7, c.row_hash)
          .Bind(8, now_ms);
      write.Step();
      outcomes.push_back(exists ? RowOutcome::kUpdated : RowOutcome::kInserted);
    }
    transaction.Commit();
    return outcomes;
  }

  TransactionBatchOutcome UpsertTransactions(
      const std::vector<TransactionRecord>& transactions,
      int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mutex_);
    TransactionBatchOutcome outcome;
    outcome.rows.reserve(transactions.size());
    Transaction transaction(db_);
    Statement customer(db_,
                       "INSERT OR IGNORE INTO crm_customers (site, "
                       "customer_id, created_at_ms, updated_at_ms) VALUES (?1, "
                       "?2, ?3, ?3)");
    Statement find(db_,
                   "SELECT row_hash FROM crm_transactions WHERE site = ? AND "
                   "row_key = ?");
    Statement upsert(db_,
                     "INSERT INTO crm_transactions (site, row_key, row_hash, "
                     "customer_id, transaction_id, day, quantity, "
                     "amount_cents, imported_at_ms) VALUES (?1, ?2, ?3, ?4, "
                     "?5, ?6, ?7, ?8, ?9) ON CONFLICT (site, row_key) DO "
                     "UPDATE SET row_hash = ?3, customer_id = ?4, "
                     "transaction_id = ?5, day = ?6, quantity = ?7, "
                     "amount_cents = ?8, imported_at_ms = ?9");
    for (const TransactionRecord& t : transactions) {
      customer.Reset();
      customer.Bind(1, t.site).Bind(2, t.customer_id).Bind(3, now_ms).Step();
      outcome.customers_created += sqlite3_changes(db_);
      find.Reset();
      find.Bind(1, t.site).Bind(2, t.row_key);
      bool exists = find.Step();
      std::string stored = exists ? find.Text(0) : std::string();
      find.Reset();
      if (exists && stored == t.row_hash) {
        outcome.rows.push_back(RowOutcome::kUnchanged);
        continue;
      }
      upsert.Reset();
      upsert.Bind(1, t.site)
          .Bind(2, t.row_key)
          .Bind(3, t.row_hash)
          .Bind(4, t.customer_id)
          .Bind(5, t.transaction_id)
          .Bind(6, t.day)
          .Bind(7, t.quantity)
          .Bind(8, t.amount_cents)
          .Bind(9, now_ms);
      upsert.Step();
      outcome.rows.push_back(exists ? RowOutcome::kUpdated
                                    : RowOutcome::kInserted);
    }
    transaction.Commit();
    return outcome;
  }

  std::optional<CustomerRecord> FindCustomer(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE site = ? AND customer_id = ?";
    Statement query(db_, sql.c_str());
    query.Bind(1, site).Bind(2, customer_id);
    if (!query.Step()) return std::nullopt;
    return ReadCustomer(query);
  }

  std::vector<CustomerRecord> CustomersById(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE customer_id = ?1 AND (?2 = "
                      "'' OR site = ?2) ORDER BY site";
    Statement query(db_, sql.c_str());
    query.Bind(1, customer_id).Bind(2, SiteFilter(site));
    std::vector<CustomerRecord> found;
    while (query.Step()) found.push_back(ReadCustomer(query));
    return found;
  }

  std::vector<CustomerRecord> FindCustomersByEmailHmac(
      const std::string& site, const std::string& email_hmac) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE email_hmac = ?1 AND (?2 = '' "
                      "OR site = ?2) ORDER BY site, customer_id";
    Statement query(db_, sql.c_str());
    query.Bind(1, email_hmac).Bind(2, SiteFilter(site));
    std::vector<CustomerRecord> found;
    while (query.Step()) found.push_back(ReadCustomer(query));
    return found;
  }

  void ForEachCustomer(
      const std::string& site,
      const std::function<void(const CustomerRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE ?1 = '' OR site = ?1 ORDER "
                      "BY site, customer_id";
    Statement query(db_, sql.c_str());
    query.Bind(1, SiteFilter(site));
    while (query.Step()) visit(ReadCustomer(query));
  }

  void ForEachTransaction(
      const std::string& site,
      const std::function<void(const TransactionRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kTransactionColumns +
                      " FROM crm_transactions WHERE ?1 = '' OR site = ?1 "
                      "ORDER BY site, customer_id, day, row_key";
    Statement query(db_, sql.c_str());
    query.Bind(1, SiteFilter(site));
    while (query.Step()) visit(ReadTransaction(query));
  }

  std::vector<TransactionRecord> TransactionsOfCustomer(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string sql = std::string("SELECT ") + kTransactionColumns +
                      " FROM crm_transactions WHERE customer_id = ?1 AND (?2 "
                      "= '' OR site = ?2) ORDER BY site, day, row_key";
    Statement query(db_, sql.c_str());
    query.Bind(1, customer_id).Bind(2, SiteFilter(site));
    std::vector<TransactionRecord> found;
    while (query.Step()) found.push_back(ReadTransaction(query));
    return found;
  }

  int64_t CountCustomers(const std::string& site) override {
    return Count(
        "SELECT count(*) FROM crm_customers WHERE ?1 = '' OR site = "
        "?1",
        site);
  }
  int64_t CountTransactions(const std::string& site) override {
    return Count(
        "SELECT count(*) FROM crm_transactions WHERE ?1 = '' OR "
        "site = ?1",
        site);
  }

  bool LinkIdentity(const IdentityLink& link) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement insert(db_,
                     "INSERT OR IGNORE INTO identity_links (site, vid, "
                     "customer_id, source, linked_at_ms) VALUES (?, ?, ?, ?, "
                     "?)");
    insert.Bind(1, link.site)
        .Bind(2, link.vid)
        .Bind(3, link.customer_id)
        .Bind(4, link.source)
        .Bind(5, link.linked_at_ms)
        .Step();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<IdentityLink> LinksOf(const std::string& site,
                                    const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement query(db_,
                    "SELECT site, vid, customer_id, source, linked_at_ms FROM "
                    "identity_links WHERE (vid = ?1 OR customer_id = ?1) AND "
                    "(?2 = '' OR site = ?2) ORDER BY id");
    query.Bind(1, id).Bind(2, SiteFilter(site));
    std::vector<IdentityLink> links;
    while (query.Step()) {
      links.push_back(IdentityLink{query.Text(0), query.Text(1), query.Text(2),
                                   query.Text(3), query.Int(4)});
    }
    return links;
  }

  CrmErasureRecord EraseSubject(const std::string& site, const std::string& id,
                                int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string scope = SiteFilter(site);
    CrmErasureRecord record;
    record.erased_at_ms = now_ms;
    record.site = AllSites(site) ? std::string(kAllSites) : site;
    record.subject_hash = Sha256Hex(id);
    Transaction transaction(db_);
    {
      Statement vids(db_,
                     "SELECT DISTINCT vid FROM identity_links WHERE "
                     "customer_id = ?1 AND (?2 = '' OR site = ?2) ORDER BY "
                     "vid");
      vids.Bind(1, id).Bind(2, scope);
      while (vids.Step()) record.linked_vids.push_back(vids.Text(0));
    }
    auto erase = [&](const char* sql) {
      Statement statement(db_, sql);
      statement.Bind(1, id).Bind(2, scope).Step();
      return static_cast<int64_t>(sqlite3_changes(db_));
    };
    record.transactions_erased = erase(
        "DELETE FROM crm_transactions WHERE customer_id = ?1 AND (?2 = "
        "'' OR site = ?2)");
    record.customers_erased = erase(
        "DELETE FROM crm_customers WHERE customer_id = ?1 AND (?2 = '' "
        "OR site = ?2)");
    record.links_erased = erase(
        "DELETE FROM identity_links WHERE (customer_id = ?1 OR vid = "
        "?1) AND (?2 = '' OR site = ?2)");
    Statement log(db_,
                  "INSERT INTO crm_erasure_log (erased_at_ms, site, "
                  "subject_hash, customers_erased, transactions_erased, "
                  "links_erased) VALUES (?, ?, ?, ?, ?, ?)");
    log.Bind(1, record.erased_at_ms)
        .Bind(2, record.site)
        .Bind(3, record.subject_hash)
        .Bind(4, record.customers_erased)
        .Bind(5, record.transactions_erased)
        .Bind(6, record.links_erased)
        .Step();
    transaction.Commit();
    return record;
  }

  std::vector<CrmErasureRecord> ListErasures() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement query(db_,
                    "SELECT erased_at_ms, site, subject_hash, "
                    "customers_erased, transactions_erased, links_erased FROM "
                    "crm_erasure_log ORDER BY id");
    std::vector<CrmErasureRecord> records;
    while (query.Step()) {
      CrmErasureRecord r;
      r.erased_at_ms = query.Int(0);
      r.site = query.Text(1);
      r.subject_hash = query.Text(2);
      r.customers_erased = query.Int(3);
      r.transactions_erased = query.Int(4);
      r.links_erased = query.Int(5);
      records.push_back(std::move(r));
    }
    return records;
  }

 private:
  // ResealPii's transaction; its statements are finalized on return, as a
  // checkpoint needs.
  int64_t ResealLocked(const std::string& current_check,
                       const std::string& next_check,
                       const std::function<void(CustomerRecord&)>& reseal) {
    // BEGIN IMMEDIATE: the write lock from the start, so no import slips in
    // between the check and the last rewritten row.
    Transaction transaction(db_);
    Statement recorded(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1");
    if (!recorded.Step() || recorded.Text(0) != current_check) {
      throw StoreError(
          "sqlite (crm): the recorded PII key check is not the current "
          "key's; nothing was re-sealed");
    }
    // Pages in key order, so memory stays bounded however many customers.
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE (email_sealed IS NOT NULL OR "
                      "name_sealed IS NOT NULL) AND (site, customer_id) > (?1, "
                      "?2) ORDER BY site, customer_id LIMIT 512";
    Statement page(db_, sql.c_str());
    Statement update(db_,
                     "UPDATE crm_customers SET email_hmac = ?3, email_sealed "
                     "= ?4, name_sealed = ?5, row_hash = ?6 WHERE site = ?1 "
                     "AND customer_id = ?2");
    int64_t rewritten = 0;
    std::string after_site, after_id;
    for (;;) {
      std::vector<CustomerRecord> customers;
      page.Reset();
      page.Bind(1, after_site).Bind(2, after_id);
      while (page.Step()) customers.push_back(ReadCustomer(page));
      page.Reset();
      if (customers.empty()) break;
      for (CustomerRecord& c : customers) {
        reseal(c);
        update.Reset();
        update.Bind(1, c.site)
            .Bind(2, c.customer_id)
            .BindTextOrNull(3, c.email_hmac)
            .BindBlobOrNull(4, c.email_sealed)
            .BindBlobOrNull(5, c.name_sealed)
            .Bind(6, c.row_hash)
            .Step();
      }
      rewritten += static_cast<int64_t>(customers.size());
      after_site = customers.back().site;
      after_id = customers.back().customer_id;
    }
    Statement record(db_,
                     "UPDATE crm_pii_key SET key_check = ?, recorded_at_ms = ? "
                     "WHERE id = 1");
    record.Bind(1, next_check).Bind(2, NowMs()).Step();
    transaction.Commit();
    return rewritten;
  }

  int VersionLocked() {
    Statement exists(db_,
                     "SELECT count(*) FROM sqlite_master WHERE type='table' "
                     "AND name='crm_schema_migrations'");
    exists.Step();
    if (exists.Int(0) == 0) return 0;
    Statement version(db_,
                      "SELECT coalesce(max(version), 0) FROM "
                      "crm_schema_migrations");
    version.Step();
    return static_cast<int>(version.Int(0));
  }

  int64_t Count(const char* sql, const std::string& site) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement query(db_, sql);
    query.Bind(1, SiteFilter(site));
    query.Step();
    return query.Int(0);
  }

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace

int SqliteCrmSchemaVersion() { return kLatestCrmVersion; }

std::unique_ptr<CrmStore> OpenSqliteCrmStore(const std::string& path) {
  return std::make_unique<SqliteCrmStore>(path);
}

}  // namespace tessera::server
