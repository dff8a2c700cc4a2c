// The tessera-server command line: one options struct per subcommand, with
// the defaults documented on the fields, and the flags mapped onto it.
//
//   tessera-server serve          [--config FILE --db --host --port
//                                  --allowed-origins --body-limit --sdk-dir
//                                  --site-dir --threads --pii-key-file
//                                  --no-fsync --tls-cert --tls-key
//                                  --retention-days]
//   tessera-server keys create    --db --site --kind write|admin
//   tessera-server keys list      --db [--site]
//   tessera-server keys revoke    --db --id
//   tessera-server migrate        --db
//   tessera-server export signals --db --site [--out]
//   tessera-server prune          --db --older-than-days
//   tessera-server backup         --db --out
//   tessera-server restore        --db --from
//   tessera-server import customers|transactions   (see crm_cli.h)
//   tessera-server export customers|transactions   (see crm_cli.h)
//
// Every subcommand accepts --help. Exit status: 0 success, 1 failure (the
// message goes to stderr), 2 usage error. Output meant for scripts goes to
// stdout (a created key is the last line); progress goes to stderr.
//
// `serve --config FILE` reads a JSON object whose keys are serve's flag
// names without the dashes, e.g. {"db": "data/t.db", "port": 8080,
// "allowed-origins": ["https://shop.example"], "retention-days": 30,
// "no-fsync": true}; flags given on the command line override the file.
#ifndef TESSERA_SERVER_CLI_H_
#define TESSERA_SERVER_CLI_H_

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/server/server.h"
#include "tessera/server/store.h"

namespace tessera::server {

inline constexpr const char* kDefaultDb = "./data/tessera.db";

struct KeysCreateOptions {
  std::string db = kDefaultDb;     // Default: ./data/tessera.db
  std::string site;                // required; "*" for an all-sites admin key
  KeyKind kind = KeyKind::kWrite;  // Default: write
  int64_t expires_in_days = 0;     // refused after; 0: never. Default: 0
};

struct KeysListOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  std::string site;             // only this site's keys. Default: all
};

struct KeysRevokeOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  int64_t id = 0;               // required: the id shown by `keys list`
};

struct MigrateOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
};

struct ExportSignalsOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  std::string site;             // required
  std::string out = "-";        // file to write; "-" is stdout. Default: "-"
  int64_t since_ms = 0;  // only signals received at or after. Default: all
};

struct PruneOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  int64_t older_than_days = 0;  // required, >= 1: signals older are deleted
};

struct BackupOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  std::string out;              // required: a new file
};

struct RestoreOptions {
  std::string db = kDefaultDb;  // Default: ./data/tessera.db
  std::string from;             // required: a file `backup` wrote
};

// A mistake in the command line or the config file: an unknown flag or key,
// a missing or malformed value, an unreadable file. The message names the
// flag, key or file; RunCli prints it and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the command line; returns the process exit status.
int RunCli(int argc, char** argv);

// Maps serve's arguments (those after the word "serve") onto ServeOptions:
// the --config file first, then the flags. Returns nullopt when --help was
// asked (the usage went to stdout). Throws UsageError.
std::optional<ServeOptions> ParseServeArgs(
    const std::vector<std::string>& args);

int RunServe(const ServeOptions& options);
int RunKeysCreate(const KeysCreateOptions& options);
int RunKeysList(const KeysListOptions& options);
int RunKeysRevoke(const KeysRevokeOptions& options);
int RunMigrate(const MigrateOptions& options);
int RunExportSignals(const ExportSignalsOptions& options);
int RunPrune(const PruneOptions& options);
int RunBackup(const BackupOptions& options);
int RunRestore(const RestoreOptions& options);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CLI_H_
