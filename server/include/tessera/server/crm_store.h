// CrmStore: where tessera-server keeps what a site's CRM exports — customers
// and their transactions — and the links between anonymous visitor ids and
// customer ids. Kept apart from Store so that the signal store's interface
// stays as it is. Two engines, each in the same database as the Store:
// SQLite (the same file) and PostgreSQL (the same database and schema), with
// the same tables, migration sequence and answers.
//
// PII: the store never sees an email or a name in clear. Callers hand it
// sealed values (PiiCipher::Encrypt) and the keyed email hash
// (PiiCipher::EmailHmac); matching by email is an equality on that hash.
//
// Sites: every row belongs to a site. Methods taking a `site` to READ or
// ERASE accept kAllSites ("*") or "" for every site (an all-sites admin key).
//
// Ownership: the caller owns the CrmStore (OpenCrmStore returns a
// unique_ptr). Thread-safety: every method may be called from any thread.
// Failures: a broken database throws StoreError; "not found" is an empty
// optional or an empty list.
#ifndef TESSERA_SERVER_CRM_STORE_H_
#define TESSERA_SERVER_CRM_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/server/pii_cipher.h"
#include "tessera/server/store.h"

namespace tessera::server {

struct CustomerRecord {
  std::string site;
  std::string customer_id;
  std::string email_hmac;          // hex keyed hash of the email; "" when none
  std::string email_sealed;        // PiiCipher-sealed email; "" when none
  std::string name_sealed;         // PiiCipher-sealed name; "" when none
  std::string traits_json = "{}";  // non-PII columns, a JSON object
  std::string row_hash;  // content hash of the imported row; "" when the
                         // customer was only created by a transaction
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct TransactionRecord {
  std::string site;
  std::string row_key;   // unique per site: the transaction id, or a hash
  std::string row_hash;  // content hash of the imported row
  std::string customer_id;
  std::string transaction_id;  // as imported; "" when the file had none
  std::string day;             // YYYY-MM-DD
  int64_t quantity = 0;
  int64_t amount_cents = 0;  // may be negative (refunds)
  int64_t imported_at_ms = 0;
};

struct IdentityLink {
  std::string site;
  std::string vid;  // pseudonymous visitor id (from signals)
  std::string customer_id;
  std::string source;  // how the link was made, e.g. "api:customer_id"
  int64_t linked_at_ms = 0;
};

// What one erasure removed from the CRM tables.
struct CrmErasureRecord {
  int64_t erased_at_ms = 0;
  std::string site;          // scope: a site or kAllSites
  std::string subject_hash;  // SHA-256 of the erased id, never the id
  int64_t customers_erased = 0;
  int64_t transactions_erased = 0;
  int64_t links_erased = 0;
  // Visitor ids that were linked to the erased customer (their signals are
  // the caller's to erase from the Store). Not persisted.
  std::vector<std::string> linked_vids;
};

enum class RowOutcome { kInserted, kUpdated, kUnchanged };

struct TransactionBatchOutcome {
  std::vector<RowOutcome> rows;  // one per transaction, in order
  int64_t customers_created = 0;
};

// UpsertCustomers' refusal of a batch sealed with a key rotated away.
inline constexpr char kRetiredPiiKeyMessage[] =
    "the PII key was rotated while this import ran: its remaining rows were "
    "not written; import the file again with the new key";

class CrmStore {
 public:
  virtual ~CrmStore() = default;
  CrmStore(const CrmStore&) = delete;
  CrmStore& operator=(const CrmStore&) = delete;

  // Applies the CRM schema migrations not yet applied (their own version
  // sequence); returns the CRM schema version now in effect. Idempotent.
  virtual int Migrate() = 0;
  virtual int SchemaVersion() = 0;

  // The key check of the PII key this database's values are sealed with;
  // nullopt before the first PII was stored.
  virtual std::optional<std::string> PiiKeyCheck() = 0;
  // Records the key check if none is recorded; returns the recorded one.
  virtual std::string RecordPiiKeyCheck(const std::string& check) = 0;

  // Key rotation, in one transaction: checks that the recorded key check is
  // `current_check` (StoreError otherwise), hands every customer holding a
  // sealed email or name to `reseal` — which rewrites the record's
  // email_hmac, email_sealed, name_sealed and row_hash — stores what it
  // made, and records `next_check`. Site, id, traits and times are kept. An
  // exception from `reseal` undoes everything and propagates. Returns the
  // number of customers rewritten.
  virtual int64_t ResealPii(
      const std::string& current_check, const std::string& next_check,
      const std::function<void(CustomerRecord&)>& reseal) = 0;

  // Inserts or updates customers (keyed by site + customer_id) in one
  // transaction: a row whose row_hash equals the stored one is unchanged;
  // created_at_ms/updated_at_ms are set from `now_ms`. `sealed_with` is the
  // key check of the PII key the batch was sealed with ("": no check): when
  // it is not the recorded one — a rotation committed since the caller
  // checked the key — nothing is written and PiiError says so. (The check
  // and the rows are one transaction, so no batch under a retired key lands
  // after a rotation.)
  virtual std::vector<RowOutcome> UpsertCustomers(
      const std::vector<CustomerRecord>& customers, int64_t now_ms,
      const std::string& sealed_with) = 0;
  // Inserts or updates transactions (keyed by site + row_key) in one
  // transaction; creates a bare customer (no PII, no traits) for every
  // customer id not yet known.
  virtual TransactionBatchOutcome UpsertTransactions(
      const std::vector<TransactionRecord>& transactions, int64_t now_ms) = 0;

  virtual std::optional<CustomerRecord> FindCustomer(
      const std::string& site, const std::string& customer_id) = 0;
  // The customer `customer_id` of `site`, or of every site (several).
  virtual std::vector<CustomerRecord> CustomersById(
      const std::string& site, const std::string& customer_id) = 0;
  // Customers of `site` (or every site) whose email hash is `email_hmac`.
  virtual std::vector<CustomerRecord> FindCustomersByEmailHmac(
      const std::string& site, const std::string& email_hmac) = 0;
  // In (site, customer_id) order.
  virtual void ForEachCustomer(
      const std::string& site,
      const std::function<void(const CustomerRecord&)>& visit) = 0;
  // In (site, customer_id, day, row_key) order.
  virtual void ForEachTransaction(
      const std::string& site,
      const std::function<void(const TransactionRecord&)>& visit) = 0;
  virtual std::vector<TransactionRecord> TransactionsOfCustomer(
      const std::string& site, const std::string& customer_id) = 0;
  virtual int64_t CountCustomers(const std::string& site) = 0;
  virtual int64_t CountTransactions(const std::string& site) = 0;

  // Records that `vid` is `customer_id` on `link.site`; returns false (and
  // records nothing) when exactly this link already exists.
  virtual bool LinkIdentity(const IdentityLink& link) = 0;
  // Links whose vid or customer id is `id`, oldest first.
  virtual std::vector<IdentityLink> LinksOf(const std::string& site,
                                            const std::string& id) = 0;

  // Deletes the customer `id` (its transactions and links) and every link
  // of the visitor `id`, within `site` or every site, and records the
  // erasure (without the id) in the CRM erasure log.
  virtual CrmErasureRecord EraseSubject(const std::string& site,
                                        const std::string& id,
                                        int64_t now_ms) = 0;
  virtual std::vector<CrmErasureRecord> ListErasures() = 0;

 protected:
  CrmStore() = default;
};

// Opens the CRM store of the database `uri` names (as OpenStore does: a
// SQLite path, or postgresql://...). Never null; throws StoreError when the
// database cannot be opened. Does not migrate.
std::unique_ptr<CrmStore> OpenCrmStore(const std::string& uri);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CRM_STORE_H_
