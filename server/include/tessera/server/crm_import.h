// CRM import: customers and transactions from a CRM's CSV export (or the
// CDNOW whitespace format) into a CrmStore, incrementally.
//
// Files:
//   customers    CSV with a header: customer_id (required), email, name
//                (optional, PII: sealed with the PII key), and any other
//                columns as traits (stored in clear, so they must not hold
//                personal data: values shaped like an email are refused, and
//                columns named like phone/address/birthdate are refused).
//   transactions CSV with a header: customer_id, date (YYYY-MM-DD or
//                YYYYMMDD), quantity (whole number >= 0), amount (decimal,
//                at most 2 decimals, may be negative), optional
//                transaction_id. Unknown customer ids create a bare customer.
//   cdnow        transactions as in CDNOW_master.txt: whitespace-separated
//                `customer_id date(YYYYMMDD) number_of_cds dollar_value`, an
//                optional header line; the 5-column sample file
//                (`master_id sample_id date cds value`) is read too, keyed
//                by the master id.
//
// Incremental: a customer is keyed by its id, a transaction by its
// transaction_id or else by its content and its occurrence in the file; each
// row's content hash (SHA-256 over the normalized row, with email and name
// replaced by keyed hashes so no PII is hashed unkeyed) is stored, and a
// row whose hash is unchanged is skipped. Re-importing a file changes
// nothing and the summary says so.
//
// Errors: a bad row is reported (line, reason) and skipped; the rest is
// imported. A file that cannot be used as a whole (no or wrong header, PII
// columns without a key, a key that is not this database's, unreadable
// input) throws ImportError before anything is written. A store failure
// throws StoreError (batches already committed stay).
#ifndef TESSERA_SERVER_CRM_IMPORT_H_
#define TESSERA_SERVER_CRM_IMPORT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/server/crm_store.h"
#include "tessera/server/csv_reader.h"
#include "tessera/server/pii_cipher.h"

namespace tessera::server {

class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ImportKind { kCustomers, kTransactions };
enum class ImportFormat { kCsv, kCdnow };
const char* ImportKindName(ImportKind kind);  // "customers" / "transactions"
std::optional<ImportKind> ParseImportKind(const std::string& name);
std::optional<ImportFormat> ParseImportFormat(const std::string& name);
// The CSV separator named by "auto" (or ""), ",", ";" or "tab": '\0' for
// auto (CsvOptions detects it); nothing for any other name.
std::optional<char> ParseCsvDelimiter(const std::string& name);

struct ImportRowError {
  int64_t line = 0;  // 1-based line the row starts on
  std::string message;
};

struct ImportOptions {
  std::string site;  // required: the site the rows belong to
  ImportKind kind = ImportKind::kCustomers;  // Default: customers
  ImportFormat format = ImportFormat::kCsv;  // Default: csv
  // Needed when a customers file has an email or name column. Default: none
  const PiiCipher* pii = nullptr;
  // Reader limits and separator. Default: CsvOptions's limits, the
  // separator detected from the header row ('\0').
  CsvOptions csv = CsvOptions{'\0'};
  size_t batch_rows = 5000;  // rows per store transaction. Default: 5000
  // Row errors kept in the summary (all are counted). Default: unlimited.
  size_t max_errors_kept = std::numeric_limits<size_t>::max();
  // Called for each bad row as it is found. Default: none.
  std::function<void(const ImportRowError&)> on_error;
};

struct ImportSummary {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;
  int64_t customers_created = 0;       // bare customers made by transactions
  std::vector<ImportRowError> errors;  // the first max_errors_kept

  bool changed() const { return inserted + updated + customers_created > 0; }
  // "3 inserted, 0 updated, 12 unchanged, 1 rejected[, N new customers]"
  // followed by " (nothing changed)" when nothing did.
  std::string Describe(ImportKind kind) const;
};

// Checks `pii` against the key check the store recorded (recording it when
// none is and `record` is set). Throws PiiError when it is another key.
void VerifyPiiKey(CrmStore& store, const PiiCipher& pii, bool record);

// Imports `input`; see above. Throws ImportError, PiiError, StoreError.
ImportSummary ImportCrm(CrmStore& store, std::istream& input,
                        const ImportOptions& options, int64_t now_ms);

// Fills `customer`'s email_hmac, email_sealed, name_sealed and row_hash from
// the (normalized) `email` and `name`, either of which may be empty, with
// `pii` (which may be null only when both are): what an import stores for a
// row. Needs site, customer_id and traits_json set.
void SealCustomerPii(const PiiCipher* pii, const std::string& email,
                     const std::string& name, CustomerRecord* customer);

// The associated data a customer's sealed `field` ("email", "name") is
// bound to.
std::string PiiContext(const std::string& site, const std::string& customer_id,
                       const char* field);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CRM_IMPORT_H_
