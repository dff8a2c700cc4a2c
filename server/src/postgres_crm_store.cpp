// The PostgreSQL engine of CrmStore (see crm_store.h for the contract): one
// connection, guarded by a mutex, to the same database (and schema) as the
// PostgresStore. The tables and their migration sequence
// (crm_schema_migrations) mirror the SQLite engine's; sealed emails and
// names are BYTEA, holding exactly the bytes PiiCipher produced.
//
// Batches: an upsert is one transaction of a few statements whatever its
// size — the batch goes over as text arrays (unnest), the stored row hashes
// come back in one query, and the rows that changed are written in one
// INSERT ... ON CONFLICT — so a 70,000-row import is a few dozen round
// trips, not 200,000. Several replicas may write at once: ON CONFLICT keeps
// every key to one row; only the inserted/updated counts of two imports of
// the same rows racing each other may be off.
//
// Erasure: DELETE leaves dead row versions in the table and index files
// until vacuum reclaims them, so after an erasure commits the three tables
// are vacuumed at once instead of whenever autovacuum comes by.
#include "postgres_crm_store.h"

#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "postgres_connection.h"
#include "tessera/server/digest.h"

namespace tessera::server {
namespace {

using postgres::Exec;
using postgres::ExecRead;
using postgres::PgResult;
using postgres::TextArray;

// Each entry is one CRM schema version; append, never edit an applied one.
// Keys and ordering columns use the "C" collation so rows sort byte-wise,
// as in SQLite, whatever the database's locale.
const char* const kCrmMigrations[] = {
    // 1: customers, transactions, identity links, PII key check, erasures.
    R"sql(
CREATE TABLE crm_customers (
  site TEXT COLLATE "C" NOT NULL,
  customer_id TEXT COLLATE "C" NOT NULL,
  email_hmac TEXT,
  email_sealed BYTEA,
  name_sealed BYTEA,
  traits TEXT NOT NULL DEFAULT '{}',
  row_hash TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (site, customer_id)
);
CREATE INDEX crm_customers_by_email ON crm_customers (email_hmac)
  WHERE email_hmac IS NOT NULL;
CREATE TABLE crm_transactions (
  site TEXT COLLATE "C" NOT NULL,
  row_key TEXT COLLATE "C" NOT NULL,
  row_hash TEXT NOT NULL,
  customer_id TEXT COLLATE "C" NOT NULL,
  transaction_id TEXT NOT NULL DEFAULT '',
  day TEXT COLLATE "C" NOT NULL,
  quantity BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL,
  imported_at_ms BIGINT NOT NULL,
  PRIMARY KEY (site, row_key)
);
CREATE INDEX crm_transactions_by_customer
  ON crm_transactions (site, customer_id, day);
CREATE TABLE identity_links (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site TEXT COLLATE "C" NOT NULL,
  vid TEXT COLLATE "C" NOT NULL,
  customer_id TEXT COLLATE "C" NOT NULL,
  source TEXT NOT NULL,
  linked_at_ms BIGINT NOT NULL,
  UNIQUE (site, vid, customer_id)
);
CREATE INDEX identity_links_by_customer ON identity_links (customer_id, site);
CREATE INDEX identity_links_by_vid ON identity_links (vid, site);
CREATE TABLE crm_pii_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  key_check TEXT NOT NULL,
  recorded_at_ms BIGINT NOT NULL
);
CREATE TABLE crm_erasure_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  erased_at_ms BIGINT NOT NULL,
  site TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  customers_erased BIGINT NOT NULL,
  transactions_erased BIGINT NOT NULL,
  links_erased BIGINT NOT NULL
);
)sql",
};
constexpr int kLatestCrmVersion =
    static_cast<int>(sizeof kCrmMigrations / sizeof kCrmMigrations[0]);

// Advisory lock key of CRM migrations (the signal store uses 0x7e55e8a1/2).
constexpr int kCrmMigrationLock = 0x7e55e8a3;

bool AllSites(const std::string& site) {
  return site.empty() || site == kAllSites;
}
// The site bound for "$N = '' OR site = $N" filters.
std::string SiteFilter(const std::string& site) {
  return AllSites(site) ? std::string() : site;
}

// Sealed values travel as hex text: in through decode(..., 'hex'), out
// through encode(..., 'hex'), so no statement needs binary parameters.
std::string ToHex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FromHex(const std::string& hex) {
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int high = HexDigit(hex[i]);
    int low = HexDigit(hex[i + 1]);
    if (high < 0 || low < 0) {
      throw StoreError("postgresql (crm): a sealed value is not hex");
    }
    bytes += static_cast<char>(high << 4 | low);
  }
  return bytes;
}

const char kCustomerColumns[] =
    "site, customer_id, coalesce(email_hmac, ''), encode(email_sealed, "
    "'hex'), encode(name_sealed, 'hex'), traits, row_hash, created_at_ms, "
    "updated_at_ms";

CustomerRecord ReadCustomer(const PgResult& rows, int row) {
  CustomerRecord c;
  c.site = rows.Text(row, 0);
  c.customer_id = rows.Text(row, 1);
  c.email_hmac = rows.Text(row, 2);
  c.email_sealed = FromHex(rows.Text(row, 3));
  c.name_sealed = FromHex(rows.Text(row, 4));
  c.traits_json = rows.Text(row, 5);
  c.row_hash = rows.Text(row, 6);
  c.created_at_ms = rows.Int(row, 7);
  c.updated_at_ms = rows.Int(row, 8);
  return c;
}

// Each column as one text-array parameter, in order (for unnest).
template <size_t N>
std::vector<std::string> ArrayParams(
    const std::vector<std::string> (&columns)[N]) {
  std::vector<std::string> params;
  for (const std::vector<std::string>& column : columns) {
    params.push_back(TextArray(column));
  }
  return params;
}

std::vector<CustomerRecord> ReadCustomers(const PgResult& rows) {
  std::vector<CustomerRecord> customers;
  for (int row = 0; row < rows.rows(); ++row) {
    customers.push_back(ReadCustomer(rows, row));
  }
  return customers;
}

const char kTransactionColumns[] =
    "site, row_key, row_hash, customer_id, transaction_id, day, quantity, "
    "amount_cents, imported_at_ms";

TransactionRecord ReadTransaction(const PgResult& rows, int row) {
  TransactionRecord t;
  t.site = rows.Text(row, 0);
  t.row_key = rows.Text(row, 1);
  t.row_hash = rows.Text(row, 2);
  t.customer_id = rows.Text(row, 3);
  t.transaction_id = rows.Text(row, 4);
  t.day = rows.Text(row, 5);
  t.quantity = rows.Int(row, 6);
  t.amount_cents = rows.Int(row, 7);
  t.imported_at_ms = rows.Int(row, 8);
  return t;
}

// The outcome of each row of a batch keyed by `key_of`, given the row
// hashes stored before it, as if the rows were written one after another
// (a key repeated in the batch sees the earlier row). `writes` receives the
// index of the last changed row of each key: the one to store.
template <typename Record, typename KeyOf>
std::vector<RowOutcome> Outcomes(
    const std::vector<Record>& batch, KeyOf key_of,
    std::map<std::pair<std::string, std::string>, std::string> stored,
    std::vector<size_t>& writes) {
  std::vector<RowOutcome> outcomes;
  outcomes.reserve(batch.size());
  std::map<std::pair<std::string, std::string>, size_t> last_write;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::pair<std::string, std::string> key = key_of(batch[i]);
    auto found = stored.find(key);
    if (found != stored.end() && found->second == batch[i].row_hash) {
      outcomes.push_back(RowOutcome::kUnchanged);
      continue;
    }
    outcomes.push_back(found != stored.end() ? RowOutcome::kUpdated
                                             : RowOutcome::kInserted);
    stored[key] = batch[i].row_hash;
    last_write[key] = i;
  }
  writes.clear();
  for (const auto& entry : last_write) writes.push_back(entry.second);
  return outcomes;
}

class PostgresCrmStore final : public CrmStore {
 public:
  explicit PostgresCrmStore(const std::string& uri)
      : uri_(uri), db_(postgres::Connect(uri, kDurable)) {}
  ~PostgresCrmStore() override { PQfinish(db_); }

  int SchemaVersion() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    return VersionLocked();
  }

  int Migrate() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    postgres::Transaction transaction(db_);
    // Replicas starting together: one migrates, the others wait and then
    // find nothing left to do.
    postgres::LockForSchema(db_, kCrmMigrationLock);
    Exec(db_,
         "CREATE TABLE IF NOT EXISTS crm_schema_migrations (version INTEGER "
         "PRIMARY KEY, applied_at_ms BIGINT NOT NULL)");
    PgResult read(Exec(
        db_, "SELECT coalesce(max(version), 0) FROM crm_schema_migrations"));
    int current = static_cast<int>(read.Int(0, 0));
    if (current > kLatestCrmVersion) {
      throw StoreError("CRM schema version " + std::to_string(current) +
                       " is newer than this server knows (" +
                       std::to_string(kLatestCrmVersion) + ")");
    }
    for (int version = current + 1; version <= kLatestCrmVersion; ++version) {
      postgres::ExecScript(db_, kCrmMigrations[version - 1]);
      Exec(db_,
           "INSERT INTO crm_schema_migrations (version, applied_at_ms) VALUES "
           "($1::integer, $2::bigint)",
           {std::to_string(version), std::to_string(NowMs())});
    }
    transaction.Commit();
    return kLatestCrmVersion;
  }

  std::optional<std::string> PiiKeyCheck() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    PgResult rows(Read("SELECT key_check FROM crm_pii_key WHERE id = 1"));
    if (rows.rows() == 0) return std::nullopt;
    return rows.Text(0, 0);
  }

  std::string RecordPiiKeyCheck(const std::string& check) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    Exec(db_,
         "INSERT INTO crm_pii_key (id, key_check, recorded_at_ms) VALUES (1, "
         "$1, $2::bigint) ON CONFLICT (id) DO NOTHING",
         {check, std::to_string(NowMs())});
    // A statement of its own, so it sees a check another replica recorded
    // while this insert waited for it.
    PgResult rows(Exec(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1"));
    return rows.Text(0, 0);
  }

  int64_t ResealPii(
      const std::string& current_check, const std::string& next_check,
      const std::function<void(CustomerRecord&)>& reseal) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    postgres::Transaction transaction(db_);
    // The key row stays locked until the commit: another replica recording
    // or rotating the key waits, then sees the new check.
    PgResult recorded(
        Exec(db_, "SELECT key_check FROM crm_pii_key WHERE id = 1 FOR UPDATE"));
    if (recorded.rows() == 0 || recorded.Text(0, 0) != current_check) {
      throw StoreError(
          "postgresql (crm): the recorded PII key check is not the current "
          "key's; nothing was re-sealed");
    }
    // Pages in key order, so memory stays bounded however many customers.
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE (email_sealed IS NOT NULL OR "
                      "name_sealed IS NOT NULL) AND (site, customer_id) > ($1, "
                      "$2) ORDER BY site, customer_id LIMIT 512 FOR UPDATE";
    int64_t rewritten = 0;
    std::string after_site, after_id;
    for (;;) {
      std::vector<CustomerRecord> customers =
          ReadCustomers(Exec(db_, sql.c_str(), {after_site, after_id}));
      if (customers.empty()) break;
      std::vector<std::string> columns[6];
      for (CustomerRecord& c : customers) {
        reseal(c);
        columns[0].push_back(c.site);
        columns[1].push_back(c.customer_id);
        columns[2].push_back(c.email_hmac);
        columns[3].push_back(ToHex(c.email_sealed));
        columns[4].push_back(ToHex(c.name_sealed));
        columns[5].push_back(c.row_hash);
      }
      std::vector<std::string> params = ArrayParams(columns);
      // Empty strings stand for "none": NULL, as in UpsertCustomers.
      Exec(db_,
           "UPDATE crm_customers c SET email_hmac = nullif(u.email_hmac, ''), "
           "email_sealed = decode(nullif(u.email_sealed, ''), 'hex'), "
           "name_sealed = decode(nullif(u.name_sealed, ''), 'hex'), row_hash "
           "= u.row_hash FROM unnest($1::text[], $2::text[], $3::text[], "
           "$4::text[], $5::text[], $6::text[]) AS u(site, customer_id, "
           "email_hmac, email_sealed, name_sealed, row_hash) WHERE c.site = "
           "u.site AND c.customer_id = u.customer_id",
           params);
      rewritten += static_cast<int64_t>(customers.size());
      after_site = customers.back().site;
      after_id = customers.back().customer_id;
    }
    Exec(db_,
         "UPDATE crm_pii_key SET key_check = $1, recorded_at_ms = $2::bigint "
         "WHERE id = 1",
         {next_check, std::to_string(NowMs())});
    transaction.Commit();
    VacuumDeadRows("re-sealing PII");  // the old key's values go with them
    return rewritten;
  }

  std::vector<RowOutcome> UpsertCustomers(
      const std::vector<CustomerRecord>& customers, int64_t now_ms,
      const std::string& sealed_with) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    if (customers.empty()) return {};
    std::vector<std::string> sites, ids;
    for (const CustomerRecord& c : customers) {
      sites.push_back(c.site);
      ids.push_back(c.customer_id);
    }
    postgres::Transaction transaction(db_);
    if (!sealed_with.empty()) {
      // FOR SHARE: a rotation (FOR UPDATE on this row) waits for this batch
      // and then re-seals it, or ran before and is seen here.
      PgResult recorded(Exec(
          db_, "SELECT key_check FROM crm_pii_key WHERE id = 1 FOR SHARE"));
      if (recorded.rows() == 0 || recorded.Text(0, 0) != sealed_with) {
        throw PiiError(kRetiredPiiKeyMessage);
      }
    }
    PgResult found(Exec(
        db_,
        "SELECT c.site, c.customer_id, c.row_hash FROM crm_customers c JOIN "
        "unnest($1::text[], $2::text[]) AS k(site, customer_id) ON c.site = "
        "k.site AND c.customer_id = k.customer_id",
        {TextArray(sites), TextArray(ids)}));
    std::vector<size_t> writes;
    std::vector<RowOutcome> outcomes = Outcomes(
        customers,
        [](const CustomerRecord& c) {
          return std::make_pair(c.site, c.customer_id);
        },
        StoredHashes(found), writes);
    if (!writes.empty()) {
      std::vector<std::string> columns[7];
      for (size_t i : writes) {
        const CustomerRecord& c = customers[i];
        columns[0].push_back(c.site);
        columns[1].push_back(c.customer_id);
        columns[2].push_back(c.email_hmac);
        columns[3].push_back(ToHex(c.email_sealed));
        columns[4].push_back(ToHex(c.name_sealed));
        columns[5].push_back(c.traits_json);
        columns[6].push_back(c.row_hash);
      }
      std::vector<std::string> params = ArrayParams(columns);
      params.push_back(std::to_string(now_ms));
      // Empty strings stand for "none": NULL, as in the SQLite engine.
      Exec(db_,
           "INSERT INTO crm_customers (site, customer_id, email_hmac, "
           "email_sealed, name_sealed, traits, row_hash, created_at_ms, "
           "updated_at_ms) SELECT site, customer_id, nullif(email_hmac, ''), "
           "decode(nullif(email_sealed, ''), 'hex'), decode(nullif("
           "name_sealed, ''), 'hex'), traits, row_hash, $8::bigint, "
           "$8::bigint FROM unnest($1::text[], $2::text[], $3::text[], "
           "$4::text[], $5::text[], $6::text[], $7::text[]) AS i(site, "
           "customer_id, email_hmac, email_sealed, name_sealed, traits, "
           "row_hash) ON CONFLICT (site, customer_id) DO UPDATE SET "
           "email_hmac = EXCLUDED.email_hmac, email_sealed = "
           "EXCLUDED.email_sealed, name_sealed = EXCLUDED.name_sealed, traits "
           "= EXCLUDED.traits, row_hash = EXCLUDED.row_hash, updated_at_ms = "
           "EXCLUDED.updated_at_ms",
           params);
    }
    transaction.Commit();
    return outcomes;
  }

  TransactionBatchOutcome UpsertTransactions(
      const std::vector<TransactionRecord>& transactions,
      int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    TransactionBatchOutcome outcome;
    if (transactions.empty()) return outcome;
    std::vector<std::string> sites, keys, customer_ids;
    for (const TransactionRecord& t : transactions) {
      sites.push_back(t.site);
      keys.push_back(t.row_key);
      customer_ids.push_back(t.customer_id);
    }
    const std::string now = std::to_string(now_ms);
    postgres::Transaction transaction(db_);
    // Bare customers for the ids not known yet, in key order (as every
    // writer does, so concurrent imports wait rather than deadlock).
    PgResult created(
        Exec(db_,
             "INSERT INTO crm_customers (site, customer_id, created_at_ms, "
             "updated_at_ms) SELECT DISTINCT site, customer_id, $3::bigint, "
             "$3::bigint FROM unnest($1::text[], $2::text[]) AS i(site, "
             "customer_id) ORDER BY 1, 2 ON CONFLICT DO NOTHING",
             {TextArray(sites), TextArray(customer_ids), now}));
    outcome.customers_created = created.Affected();
    PgResult found(Exec(
        db_,
        "SELECT t.site, t.row_key, t.row_hash FROM crm_transactions t JOIN "
        "unnest($1::text[], $2::text[]) AS k(site, row_key) ON t.site = "
        "k.site AND t.row_key = k.row_key",
        {TextArray(sites), TextArray(keys)}));
    std::vector<size_t> writes;
    outcome.rows = Outcomes(
        transactions,
        [](const TransactionRecord& t) {
          return std::make_pair(t.site, t.row_key);
        },
        StoredHashes(found), writes);
    if (!writes.empty()) {
      std::vector<std::string> columns[8];
      for (size_t i : writes) {
        const TransactionRecord& t = transactions[i];
        columns[0].push_back(t.site);
        columns[1].push_back(t.row_key);
        columns[2].push_back(t.row_hash);
        columns[3].push_back(t.customer_id);
        columns[4].push_back(t.transaction_id);
        columns[5].push_back(t.day);
        columns[6].push_back(std::to_string(t.quantity));
        columns[7].push_back(std::to_string(t.amount_cents));
      }
      std::vector<std::string> params = ArrayParams(columns);
      params.push_back(now);
      Exec(db_,
           "INSERT INTO crm_transactions (site, row_key, row_hash, "
           "customer_id, transaction_id, day, quantity, amount_cents, "
           "imported_at_ms) SELECT site, row_key, row_hash, customer_id, "
           "transaction_id, day, quantity, amount_cents, $9::bigint FROM "
           "unnest($1::text[], $2::text[], $3::text[], $4::text[], "
           "$5::text[], $6::text[], $7::bigint[], $8::bigint[]) AS i(site, "
           "row_key, row_hash, customer_id, transaction_id, day, quantity, "
           "amount_cents) ON CONFLICT (site, row_key) DO UPDATE SET "
           "row_hash = EXCLUDED.row_hash, customer_id = "
           "EXCLUDED.customer_id, transaction_id = EXCLUDED.transaction_id, "
           "day = EXCLUDED.day, quantity = EXCLUDED.quantity, amount_cents = "
           "EXCLUDED.amount_cents, imported_at_ms = EXCLUDED.imported_at_ms",
           params);
    }
    transaction.Commit();
    return outcome;
  }

  std::optional<CustomerRecord> FindCustomer(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE site = $1 AND customer_id = "
                      "$2";
    PgResult rows(Read(sql.c_str(), {site, customer_id}));
    if (rows.rows() == 0) return std::nullopt;
    return ReadCustomer(rows, 0);
  }

  std::vector<CustomerRecord> CustomersById(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE customer_id = $1 AND ($2 = "
                      "'' OR site = $2) ORDER BY site";
    return ReadCustomers(Read(sql.c_str(), {customer_id, SiteFilter(site)}));
  }

  std::vector<CustomerRecord> FindCustomersByEmailHmac(
      const std::string& site, const std::string& email_hmac) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE email_hmac = $1 AND ($2 = '' "
                      "OR site = $2) ORDER BY site, customer_id";
    return ReadCustomers(Read(sql.c_str(), {email_hmac, SiteFilter(site)}));
  }

  void ForEachCustomer(
      const std::string& site,
      const std::function<void(const CustomerRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kCustomerColumns +
                      " FROM crm_customers WHERE $1 = '' OR site = $1 ORDER "
                      "BY site, customer_id";
    postgres::ForEachRow(
        db_, sql.c_str(), {SiteFilter(site)},
        [&](const PgResult& row) { visit(ReadCustomer(row, 0)); });
  }

  void ForEachTransaction(
      const std::string& site,
      const std::function<void(const TransactionRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kTransactionColumns +
                      " FROM crm_transactions WHERE $1 = '' OR site = $1 "
                      "ORDER BY site, customer_id, day, row_key";
    postgres::ForEachRow(
        db_, sql.c_str(), {SiteFilter(site)},
        [&](const PgResult& row) { visit(ReadTransaction(row, 0)); });
  }

  std::vector<TransactionRecord> TransactionsOfCustomer(
      const std::string& site, const std::string& customer_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    std::string sql = std::string("SELECT ") + kTransactionColumns +
                      " FROM crm_transactions WHERE customer_id = $1 AND ($2 "
                      "= '' OR site = $2) ORDER BY site, day, row_key";
    PgResult rows(Read(sql.c_str(), {customer_id, SiteFilter(site)}));
    std::vector<TransactionRecord> found;
    for (int row = 0; row < rows.rows(); ++row) {
      found.push_back(ReadTransaction(rows, row));
    }
    return found;
  }

  int64_t CountCustomers(const std::string& site) override {
    return Count(
        "SELECT count(*) FROM crm_customers WHERE $1 = '' OR site = $1", site);
  }
  int64_t CountTransactions(const std::string& site) override {
    return Count(
        "SELECT count(*) FROM crm_transactions WHERE $1 = '' OR site = $1",
        site);
  }

  bool LinkIdentity(const IdentityLink& link) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    PgResult inserted(
        Exec(db_,
             "INSERT INTO identity_links (site, vid, customer_id, source, "
             "linked_at_ms) VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT DO "
             "NOTHING",
             {link.site, link.vid, link.customer_id, link.source,
              std::to_string(link.linked_at_ms)}));
    return inserted.Affected() > 0;
  }

  std::vector<IdentityLink> LinksOf(const std::string& site,
                                    const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    PgResult rows(
        Read("SELECT site, vid, customer_id, source, linked_at_ms FROM "
             "identity_links WHERE (vid = $1 OR customer_id = $1) AND ($2 = "
             "'' OR site = $2) ORDER BY id",
             {id, SiteFilter(site)}));
    std::vector<IdentityLink> links;
    for (int row = 0; row < rows.rows(); ++row) {
      links.push_back(IdentityLink{rows.Text(row, 0), rows.Text(row, 1),
                                   rows.Text(row, 2), rows.Text(row, 3),
                                   rows.Int(row, 4)});
    }
    return links;
  }

  CrmErasureRecord EraseSubject(const std::string& site, const std::string& id,
                                int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    const std::string scope = SiteFilter(site);
    CrmErasureRecord record;
    record.erased_at_ms = now_ms;
    record.site = AllSites(site) ? std::string(kAllSites) : site;
    record.subject_hash = Sha256Hex(id);
    {
      postgres::Transaction transaction(db_);
      PgResult vids(Exec(db_,
                         "SELECT DISTINCT vid FROM identity_links WHERE "
                         "customer_id = $1 AND ($2 = '' OR site = $2) ORDER "
                         "BY vid",
                         {id, scope}));
      for (int row = 0; row < vids.rows(); ++row) {
        record.linked_vids.push_back(vids.Text(row, 0));
      }
      auto erase = [&](const char* sql) {
        return Exec(db_, sql, {id, scope}).Affected();
      };
      record.transactions_erased = erase(
          "DELETE FROM crm_transactions WHERE customer_id = $1 AND ($2 = '' "
          "OR site = $2)");
      record.customers_erased = erase(
          "DELETE FROM crm_customers WHERE customer_id = $1 AND ($2 = '' OR "
          "site = $2)");
      record.links_erased = erase(
          "DELETE FROM identity_links WHERE (customer_id = $1 OR vid = $1) "
          "AND ($2 = '' OR site = $2)");
      Exec(db_,
           "INSERT INTO crm_erasure_log (erased_at_ms, site, subject_hash, "
           "customers_erased, transactions_erased, links_erased) VALUES "
           "($1::bigint, $2, $3, $4::bigint, $5::bigint, $6::bigint)",
           {std::to_string(record.erased_at_ms), record.site,
            record.subject_hash, std::to_string(record.customers_erased),
            std::to_string(record.transactions_erased),
            std::to_string(record.links_erased)});
      transaction.Commit();
    }
    if (record.customers_erased + record.transactions_erased +
            record.links_erased >
        0) {
      VacuumDeadRows("a CRM erasure");
    }
    return record;
  }

  std::vector<CrmErasureRecord> ListErasures() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    PgResult rows(
        Read("SELECT erased_at_ms, site, subject_hash, customers_erased, "
             "transactions_erased, links_erased FROM crm_erasure_log ORDER "
             "BY id"));
    std::vector<CrmErasureRecord> records;
    for (int row = 0; row < rows.rows(); ++row) {
      CrmErasureRecord r;
      r.erased_at_ms = rows.Int(row, 0);
      r.site = rows.Text(row, 1);
      r.subject_hash = rows.Text(row, 2);
      r.customers_erased = rows.Int(row, 3);
      r.transactions_erased = rows.Int(row, 4);
      r.links_erased = rows.Int(row, 5);
      records.push_back(std::move(r));
    }
    return records;
  }

 private:
  // The CRM writes are few and each one is an operator's import or an
  // erasure: always durable.
  static constexpr bool kDurable = true;

  void Reconnect() { postgres::EnsureConnected(db_, uri_, kDurable); }

  PgResult Read(const char* sql,
                std::initializer_list<std::string> params = {}) {
    return ExecRead(
        db_, [this] { Reconnect(); }, sql, params);
  }

  static std::map<std::pair<std::string, std::string>, std::string>
  StoredHashes(const PgResult& rows) {
    std::map<std::pair<std::string, std::string>, std::string> stored;
    for (int row = 0; row < rows.rows(); ++row) {
      stored[{rows.Text(row, 0), rows.Text(row, 1)}] = rows.Text(row, 2);
    }
    return stored;
  }

  int VersionLocked() {
    PgResult exists(
        Read("SELECT to_regclass('crm_schema_migrations') IS NOT NULL"));
    if (exists.Text(0, 0) != "t") return 0;
    PgResult version(
        Read("SELECT coalesce(max(version), 0) FROM crm_schema_migrations"));
    return static_cast<int>(version.Int(0, 0));
  }

  int64_t Count(const char* sql, const std::string& site) {
    std::lock_guard<std::mutex> lock(mutex_);
    Reconnect();
    return Read(sql, {SiteFilter(site)}).Int(0, 0);
  }

  // Removes the dead versions of erased or re-sealed rows from the tables
  // and their indexes now. `after` ("a CRM erasure") has committed, so a
  // failure here is only logged: autovacuum removes them later.
  void VacuumDeadRows(const char* after) {
    try {
      // Simple query protocol: VACUUM runs outside any transaction block.
      postgres::ExecScript(
          db_, "VACUUM crm_transactions, crm_customers, identity_links");
    } catch (const StoreError& error) {
      std::cerr << "tessera-server: vacuum after " << after << " failed ("
                << error.what() << "); autovacuum will reclaim the rows"
                << std::endl;
    }
  }

  std::string uri_;
  std::mutex mutex_;  // guards db_
  PGconn* db_ = nullptr;
};

}  // namespace

std::unique_ptr<CrmStore> OpenPostgresCrmStore(const std::string& uri) {
  return std::make_unique<PostgresCrmStore>(uri);
}

}  // namespace tessera::server
