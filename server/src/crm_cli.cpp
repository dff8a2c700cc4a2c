#include "tessera/server/crm_cli.h"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "crm_json.h"
#include "export_output.h"
#include "tessera/server/crm_store.h"

namespace tessera::server {
namespace {

// The migrated CRM store of `db`.
std::unique_ptr<CrmStore> OpenMigratedCrm(const std::string& db) {
  OpenStore(db)->Migrate();  // the signal tables too: one database, one state
  std::unique_ptr<CrmStore> crm = OpenCrmStore(db);
  crm->Migrate();
  return crm;
}

}  // namespace

int RunImport(const ImportCommandOptions& options) {
  std::ifstream file;
  std::istream* input = &std::cin;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      std::cerr << "tessera-server: cannot read '" << options.file << "'"
                << std::endl;
      return 1;
    }
    input = &file;
  }
  std::optional<PiiCipher> pii = PiiCipher::Load(options.pii_key_file);
  std::unique_ptr<CrmStore> crm = OpenMigratedCrm(options.db);

  ImportOptions import;
  import.site = options.site;
  import.kind = options.kind;
  import.format = options.format;
  import.csv.delimiter = options.delimiter;
  import.pii = pii ? &*pii : nullptr;
  import.max_errors_kept = 0;  // printed as they come instead
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  import.on_error = [&name](const ImportRowError& error) {
    std::cerr << name << ":" << error.line << ": " << error.message << "\n";
};
ImportSummary summary = ImportCrm(*crm, *input, import, NowMs());
std::cerr.flush();
std::cout << "imported " << ImportKindName(options.kind) << " from " << name
          << " into site " << options.site << ": "
          << summary.Describe(options.kind) << std::endl;
return 0;
}  // namespace tessera::server

int RunExportCrm(const ExportCrmOptions& options) {
  std::optional<PiiCipher> pii;
  if (options.include_pii) {
    pii = PiiCipher::Load(options.pii_key_file);
    if (!pii) {
      throw std::runtime_error(
          "--include-pii needs the PII key: pass --pii-key-file FILE or set "
          "TESSERA_PII_KEY");
    }
  }
  std::unique_ptr<CrmStore> crm = OpenMigratedCrm(options.db);
  if (pii) VerifyPiiKey(*crm, *pii, false);
  ExportOutput output(options.out);
  std::ostream& out = output.stream();
  int64_t count = 0;
  if (options.kind == ImportKind::kCustomers) {
    crm->ForEachCustomer(options.site, [&](const CustomerRecord& customer) {
      out << CustomerJson(customer, pii ? &*pii : nullptr).dump() << "\n";
      ++count;
    });
  } else {
    crm->ForEachTransaction(options.site, [&](const TransactionRecord& t) {
      out << TransactionJson(t).dump() << "\n";
      ++count;
    });
  }
  output.Finish();
  std::cerr << "exported " << count << " " << ImportKindName(options.kind)
            << " of site " << options.site
            << (pii ? " (with emails and names)" : "") << std::endl;
  return 0;
}

}  // namespace tessera::server
