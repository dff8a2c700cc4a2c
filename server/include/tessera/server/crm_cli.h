// The CRM subcommands of tessera-server (cli.cpp maps their flags):
//
//   tessera-server import customers|transactions --db --site --file
//                  [--format csv|cdnow] [--pii-key-file]
//   tessera-server export customers|transactions --db --site [--out]
//                  [--include-pii --pii-key-file]
//   tessera-server rotate-pii-key --db --new-pii-key-file [--pii-key-file]
//
// The PII key comes from --pii-key-file or the environment variable
// TESSERA_PII_KEY (see pii_cipher.h). Exit status as in cli.h: import
// returns 0 when the file was readable, even if rows were rejected (each is
// reported on stderr as FILE:LINE: reason; the summary goes to stdout), and
// 1 when it was not (no file, bad header, PII without a key, wrong key).
#ifndef TESSERA_SERVER_CRM_CLI_H_
#define TESSERA_SERVER_CRM_CLI_H_

#include <string>

#include "tessera/server/cli.h"
#include "tessera/server/crm_import.h"

namespace tessera::server {

struct ImportCommandOptions {
  std::string db = kDefaultDb;               // Default: ./data/tessera.db
  std::string site;                          // required
  ImportKind kind = ImportKind::kCustomers;  // from the subcommand
  ImportFormat format = ImportFormat::kCsv;  // Default: csv
  char delimiter = '\0';     // CSV separator; '\0' detects it. Default: detect
  std::string file;          // required; "-" is stdin
  std::string pii_key_file;  // Default: none (then TESSERA_PII_KEY)
};

struct ExportCrmOptions {
  std::string db = kDefaultDb;               // Default: ./data/tessera.db
  std::string site;                          // required
  ImportKind kind = ImportKind::kCustomers;  // from the subcommand
  std::string out = "-";     // file to write; "-" is stdout. Default: "-"
  bool include_pii = false;  // decrypt emails and names. Default: false
  std::string pii_key_file;  // Default: none (then TESSERA_PII_KEY)
};

struct RotatePiiKeyOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  std::string pii_key_file;     // the current key. Default: none (then
                                // TESSERA_PII_KEY)
  std::string new_key_file;     // required: the key to seal under from now
};

int RunImport(const ImportCommandOptions& options);
int RunExportCrm(const ExportCrmOptions& options);
// Exit status 0 when every value is sealed under the new key; 1 (nothing
// changed) when a key is wrong or missing, or the database is in use.
int RunRotatePiiKey(const RotatePiiKeyOptions& options);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CRM_CLI_H_
