// Feeds arbitrary bytes to the CRM importer (customers and transactions
// CSV, the CDNOW text format) writing into a fresh in-memory SQLite CRM
// store, the path `import` and POST .../import/... take. Invariants: no
// crash and no store error (a row the importer accepts is one the store
// takes); whole-file refusals are ImportError or PiiError; every rejected
// row is reported with a line and a reason; and importing the same bytes
// again changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "sqlite_crm_store.h"
#include "tessera/server/crm_import.h"
#include "tessera/server/pii_cipher.h"
#include "tessera/server/store.h"

namespace {

using tessera::server::ImportCrm;
using tessera::server::ImportError;
using tessera::server::ImportFormat;
using tessera::server::ImportKind;
using tessera::server::ImportOptions;
using tessera::server::ImportSummary;
using tessera::server::PiiCipher;
using tessera::server::PiiError;

// A fixed time, so that "a date in the future" is decided alike each run.
constexpr int64_t kNowMs = 1717408920000;  // 2024-06-03

const PiiCipher& Key() {
  static const PiiCipher key = PiiCipher::FromHex(
      "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7");
  return key;
}

// Imports `text`; nullopt when the file is refused as a whole.
std::optional<ImportSummary> Import(tessera::server::CrmStore& store,
                                    std::string_view text,
                                    const ImportOptions& options) {
  std::istringstream input{std::string(text)};
  try {
    return ImportCrm(store, input, options, kNowMs);
  } catch (const ImportError&) {
    return std::nullopt;
  } catch (const PiiError&) {
    return std::nullopt;
  }
}

void Check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace

// The store's clock (store.cpp, which would bring the signal store and
// PostgreSQL along): the same fixed time.
int64_t tessera::server::NowMs() { return kNowMs; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks what is imported, the PII key, the separator and
  // a small batch size (so batches split files).
  ImportOptions options;
  options.site = "demo";
  switch (data[0] & 3) {
    case 0:
    case 1:
      options.kind = ImportKind::kCustomers;
      break;
    case 2:
      options.kind = ImportKind::kTransactions;
      break;
    case 3:
      options.kind = ImportKind::kTransactions;
      options.format = ImportFormat::kCdnow;
      break;
  }
  if (data[0] & 4) options.pii = &Key();
  const char kDelimiters[] = {'\0', ',', ';', '\t'};
  options.csv.delimiter = kDelimiters[(data[0] >> 3) & 3];
  options.csv.max_record_bytes = 4096;
  options.batch_rows = 1 + (data[0] >> 5);
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::unique_ptr<tessera::server::CrmStore> store =
      tessera::server::OpenSqliteCrmStore(":memory:");
  store->Migrate();
  std::optional<ImportSummary> first = Import(*store, text, options);
  if (!first) return 0;
  Check(first->rejected == static_cast<int64_t>(first->errors.size()));
  for (const auto& error : first->errors) {
    Check(error.line >= 1 && !error.message.empty());
  }
  Check(first->inserted >= 0 && first->updated >= 0 && first->unchanged >= 0);

  std::optional<ImportSummary> again = Import(*store, text, options);
  Check(again.has_value());
  Check(!again->changed());
  Check(again->rejected == first->rejected);
  Check(again->unchanged ==
        first->inserted + first->updated + first->unchanged);
  return 0;
}
