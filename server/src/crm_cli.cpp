#include "tessera/server/crm_cli.h"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "crm_json.h"
#include "export_output.h"
#include "input_file.h"
#include "pii_key_rotation.h"
#include "postgres_connection.h"
#include "sqlite_backup.h"
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

// Records a command-line action on personal data in the audit log, as the
// admin API records its own (key id 0: no key, the server's shell).
void AuditCommandLine(const std::string& db, const std::string& site,
                      const std::string& action,
                      const nlohmann::ordered_json& detail) {
  std::unique_ptr<Store> store = OpenStore(db);
  store->AppendAudit(AuditRecord{NowMs(), 0, site, action, detail.dump()});
  store->Close();
}

}  // namespace

int RunImport(const ImportCommandOptions& options) {
  std::ifstream file;
  std::istream* input = &std::cin;
  if (options.file != "-") {
    if (std::string why = OpenInputFile(options.file, file); !why.empty()) {
      std::cerr << "tessera-server: cannot read '" << options.file
                << "': " << why << std::endl;
      return 1;
    }
    input = &file;
  }
  std::optional<PiiCipher> pii = PiiCipher::Load(options.pii_key_file);
  std::unique_ptr<CrmStore> crm = OpenMigratedCrm(options.db);

  ImportOptions settings;
  settings.site = options.site;
  settings.kind = options.kind;
  settings.format = options.format;
  settings.csv.delimiter = options.delimiter;
  settings.pii = pii ? &*pii : nullptr;
  settings.max_errors_kept = 0;  // printed as they come instead
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  settings.on_error = [&name](const ImportRowError& error) {
    std::cerr << name << ":" << error.line << ": " << error.message << "\n";
  };
  ImportSummary summary = ImportCrm(*crm, *input, settings, NowMs());
  std::cerr.flush();
  std::cout << "imported " << ImportKindName(options.kind) << " from " << name
            << " into site " << options.site << ": "
            << summary.Describe(options.kind) << std::endl;
  return 0;
}

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
  RequireExistingStore(options.db);
  std::unique_ptr<CrmStore> crm = OpenMigratedCrm(options.db);
  if (pii) VerifyPiiKey(*crm, *pii, false);
  ExportOutput output(options.out, options.db);
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
  if (pii) {
    AuditCommandLine(options.db, options.site, "export.customers",
                     {{"rows", count}, {"include_pii", true}});
  }
  std::cerr << "exported " << count << " " << ImportKindName(options.kind)
            << " of site " << options.site
            << (pii ? " (with emails and names)" : "") << std::endl;
  return 0;
}

int RunRotatePiiKey(const RotatePiiKeyOptions& options) {
  std::optional<PiiCipher> current = PiiCipher::Load(options.pii_key_file);
  if (!current) {
    throw PiiError(
        "rotate-pii-key needs the current PII key: pass --pii-key-file FILE "
        "or set TESSERA_PII_KEY");
  }
  PiiCipher next = PiiCipher::FromFile(options.new_key_file);
  // A server still holding the current key could not open what is
  // re-sealed; PostgreSQL replicas cannot be seen from here (docs/
  // operations.md says to stop them).
  if (!postgres::IsPostgresUri(options.db)) {
    RequireSqliteUnused(options.db, "a key rotation");
  }
  std::unique_ptr<CrmStore> crm = OpenMigratedCrm(options.db);
  PiiRotationReport report = RotatePiiKey(*crm, *current, next);
  AuditCommandLine(options.db, kAllSites, "pii.rotate",
                   {{"customers_resealed", report.customers_resealed}});
  if (report.nothing_sealed) {
    std::cout << "no email or name was sealed yet; the new key is recorded "
                 "as this database's PII key"
              << std::endl;
  } else {
    std::cout << "re-sealed the emails and names of "
              << report.customers_resealed
              << " customer(s) under the new key; start serve and imports "
                 "with it (the old key is refused from now on)"
              << std::endl;
  }
  return 0;
}

}  // namespace tessera::server
