#include "tessera/server/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tessera/server/api_key.h"
#include "tessera/server/crm_cli.h"
#include "tessera/server/crm_store.h"

namespace tessera::server {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The flags of one subcommand, mapped onto its options struct.
class FlagSet {
 public:
  FlagSet(std::string command, std::string summary)
      : command_(std::move(command)), summary_(std::move(summary)) {}

  void Add(std::string name, std::string value_name, std::string help,
           std::function<void(const std::string&)> set) {
    flags_.push_back(Flag{std::move(name), std::move(value_name),
                          std::move(help), std::move(set)});
  }

  // Parses argv[first..]; returns false when --help was asked (and printed).
  bool Parse(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::cout << Usage();
        return false;
      }
      if (arg.rfind("--", 0) != 0) {
        throw UsageError("unexpected argument '" + arg + "'");
      }
      std::string name = arg.substr(2), value;
      bool inline_value = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      const Flag* flag = Find(name);
      if (!flag) throw UsageError("unknown flag --" + name);
      if (flag->value_name.empty()) {
        if (inline_value) throw UsageError("--" + name + " takes no value");
        flag->set("");
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
        value = argv[++i];
      }
      flag->set(value);
    }
    return true;
  }

  std::string Usage() const {
    std::string text = "usage: tessera-server " + command_ + " [flags]\n\n" +
                       summary_ + "\n\nflags:\n";
    for (const Flag& flag : flags_) {
      std::string left = "  --" + flag.name +
                         (flag.value_name.empty() ? "" : " " + flag.value_name);
      if (left.size() < 28) left.resize(28, ' ');
      text += left + " " + flag.help + "\n";
    }
    text += "  --help                     show this help\n";
    return text;
  }

 private:
  struct Flag {
    std::string name, value_name, help;
    std::function<void(const std::string&)> set;
  };
  const Flag* Find(const std::string& name) const {
    for (const Flag& flag : flags_) {
      if (flag.name == name) return &flag;
    }
    return nullptr;
  }

  std::string command_, summary_;
  std::vector<Flag> flags_;
};

uint64_t ParseUnsigned(const std::string& flag, const std::string& text,
                       uint64_t max) {
  errno = 0;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 ||
      value > max) {
    throw UsageError("--" + flag + " needs a whole number up to " +
                     std::to_string(max) + ", not '" + text + "'");
  }
  return value;
}

// "64k", "1m", "65536" -> bytes.
uint64_t ParseBytes(const std::string& flag, const std::string& text) {
  uint64_t multiplier = 1;
  std::string digits = text;
  if (!digits.empty()) {
    char unit = static_cast<char>(std::tolower(digits.back()));
    if (unit == 'k') multiplier = 1024;
    if (unit == 'm') multiplier = 1024 * 1024;
    if (multiplier != 1) digits.pop_back();
  }
  return ParseUnsigned(flag, digits, uint64_t{1} << 30) * multiplier;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

void Require(const std::string& value, const std::string& flag) {
  if (value.empty()) throw UsageError("--" + flag + " is required");
}

std::string kDbHelp =
    "database file, or postgresql://USER:PASSWORD@HOST:PORT/DB (default "
    "./data/tessera.db)";

int ServeCommand(int argc, char** argv, int first) {
  ServeOptions options;
  options.handle_signals = true;
  FlagSet flags("serve",
                "Serves ingest, the artifact, the SDK and the admin API until "
                "SIGINT/SIGTERM.\nMigrates the database first.");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  flags.Add("host", "HOST", "address to bind (default 127.0.0.1)",
            [&](const std::string& v) { options.host = v; });
  flags.Add("port", "PORT", "port to bind, 0 for any free one (default 8080)",
            [&](const std::string& v) {
              options.port =
                  static_cast<uint16_t>(ParseUnsigned("port", v, 65535));
            });
  flags.Add(
      "allowed-origins", "LIST",
      "comma-separated browser origins allowed to post signals, or * "
      "(default: same origin only)",
      [&](const std::string& v) { options.allowed_origins = SplitList(v); });
  flags.Add("body-limit", "BYTES",
            "largest signal body, e.g. 64k (default 64k)",
            [&](const std::string& v) {
              options.body_limit = ParseBytes("body-limit", v);
            });
  flags.Add("sdk-dir", "DIR", "directory served under /sdk/ (default: none)",
            [&](const std::string& v) { options.sdk_dir = v; });
  flags.Add("site-dir", "DIR",
            "website served at / for paths no API route claims, e.g. "
            "demo-site (default: none)",
            [&](const std::string& v) { options.site_dir = v; });
  flags.Add("threads", "N", "I/O threads (default: one per core)",
            [&](const std::string& v) {
              options.threads =
                  static_cast<unsigned>(ParseUnsigned("threads", v, 1024));
            });
  flags.Add("pii-key-file", "FILE",
            "PII key (64 hex chars) for CRM imports and data access "
            "requests (default: $TESSERA_PII_KEY, else none)",
            [&](const std::string& v) { options.pii_key_file = v; });
  flags.Add("no-fsync", "",
            "do not fsync each commit (a power loss may lose the last "
            "signals; a crash does not)",
            [&](const std::string&) { options.durable = false; });
  flags.Add("tls-cert", "PEM",
            "certificate chain file; with --tls-key serves HTTPS, TLS 1.2+ "
            "(default: plain HTTP)",
            [&](const std::string& v) { options.tls_cert = v; });
  flags.Add("tls-key", "PEM", "private key file for --tls-cert",
            [&](const std::string& v) { options.tls_key = v; });
  if (!flags.Parse(argc, argv, first)) return 0;
  return RunServe(options);
}

int KeysCommand(int argc, char** argv, int first) {
  std::string action = first < argc ? argv[first] : "";
  if (action == "create") {
    KeysCreateOptions options;
    std::string kind = "write";
    FlagSet flags("keys create",
                  "Creates an API key and prints it as the last line of "
                  "stdout.\nOnly its SHA-256 is stored: keep the key.");
    flags.Add("db", "PATH", kDbHelp,
              [&](const std::string& v) { options.db = v; });
    flags.Add("site", "SITE", "site the key is for; * = every site (admin)",
              [&](const std::string& v) { options.site = v; });
    flags.Add("kind", "write|admin", "what the key may do (default write)",
              [&](const std::string& v) { kind = v; });
    if (!flags.Parse(argc, argv, first + 1)) return 0;
    Require(options.site, "site");
    std::optional<KeyKind> parsed = ParseKeyKind(kind);
    if (!parsed)
      throw UsageError("--kind must be write or admin, not '" + kind + "'");
    options.kind = *parsed;
    return RunKeysCreate(options);
  }
  if (action == "list") {
    KeysListOptions options;
    FlagSet flags("keys list",
                  "Lists API keys (ids and prefixes, never keys).");
    flags.Add("db", "PATH", kDbHelp,
              [&](const std::string& v) { options.db = v; });
    flags.Add("site", "SITE", "only this site's keys (default: all)",
              [&](const std::string& v) { options.site = v; });
    if (!flags.Parse(argc, argv, first + 1)) return 0;
    return RunKeysList(options);
  }
  if (action == "revoke") {
    KeysRevokeOptions options;
    FlagSet flags("keys revoke",
                  "Revokes an API key by id; servers stop accepting it within "
                  "5 seconds.");
    flags.Add("db", "PATH", kDbHelp,
              [&](const std::string& v) { options.db = v; });
    flags.Add("id", "ID", "key id from `keys list` (required)",
              [&](const std::string& v) {
                options.id = static_cast<int64_t>(
                    ParseUnsigned("id", v, uint64_t{1} << 62));
              });
    if (!flags.Parse(argc, argv, first + 1)) return 0;
    if (options.id == 0) throw UsageError("--id is required");
    return RunKeysRevoke(options);
  }
  if (action == "--help" || action == "-h" || action.empty()) {
    std::cout << "usage: tessera-server keys create|list|revoke [flags]\n"
                 "Run `tessera-server keys <action> --help` for the flags.\n";
    return action.empty() ? 2 : 0;
  }
  throw UsageError("unknown keys action '" + action +
                   "' (create, list, revoke)");
}

int MigrateCommand(int argc, char** argv, int first) {
  MigrateOptions options;
  FlagSet flags("migrate",
                "Applies pending schema migrations (serve also does).");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  if (!flags.Parse(argc, argv, first)) return 0;
  return RunMigrate(options);
}

int ImportCommand(int argc, char** argv, int first) {
  std::string what = first < argc ? argv[first] : "";
  if (what == "--help" || what == "-h" || what.empty()) {
    std::cout << "usage: tessera-server import customers|transactions "
                 "[flags]\n"
                 "Run `tessera-server import <kind> --help` for the flags.\n";
    return what.empty() ? 2 : 0;
  }
  std::optional<ImportKind> kind = ParseImportKind(what);
  if (!kind) {
    throw UsageError("unknown import '" + what +
                     "' (customers, transactions)");
  }
  ImportCommandOptions options;
  options.kind = *kind;
  FlagSet flags(
      "import " + what,
      "Imports a CRM CSV export incrementally: unchanged rows are skipped,\n"
      "bad rows are reported on stderr (FILE:LINE: reason) and the rest is\n"
      "imported; the summary goes to stdout. customers: customer_id, email,\n"
      "name, trait columns. transactions: customer_id, date, quantity,\n"
      "amount[, transaction_id]; --format cdnow reads CDNOW_master.txt.\n"
      "Exit 0 when the file was readable (even with bad rows), 1 when not.");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  flags.Add("site", "SITE", "site the rows belong to (required)",
            [&](const std::string& v) { options.site = v; });
  flags.Add("file", "FILE", "file to import, - for stdin (required)",
            [&](const std::string& v) { options.file = v; });
  flags.Add("format", "csv|cdnow", "input format (default csv)",
            [&](const std::string& v) {
              std::optional<ImportFormat> format = ParseImportFormat(v);
              if (!format) {
                throw UsageError("--format must be csv or cdnow, not '" + v +
                                 "'");
              }
              options.format = *format;
            });
  flags.Add("pii-key-file", "FILE",
            "PII key, 64 hex chars (default: $TESSERA_PII_KEY); needed for "
            "email and name columns",
            [&](const std::string& v) { options.pii_key_file = v; });
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  Require(options.site, "site");
  Require(options.file, "file");
  return RunImport(options);
}

int ExportCrmCommand(int argc, char** argv, int first) {
  std::string what = argv[first];
  ExportCrmOptions options;
  options.kind = *ParseImportKind(what);
  FlagSet flags("export " + what,
                "Writes a site's CRM " + what +
                    " as JSON Lines; emails and names only with "
                    "--include-pii and the PII key.");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  flags.Add("site", "SITE", "site to export (required)",
            [&](const std::string& v) { options.site = v; });
  flags.Add("out", "FILE", "output file, - for stdout (default -)",
            [&](const std::string& v) { options.out = v; });
  flags.Add("include-pii", "", "decrypt and include emails and names",
            [&](const std::string&) { options.include_pii = true; });
  flags.Add("pii-key-file", "FILE",
            "PII key, 64 hex chars (default: $TESSERA_PII_KEY)",
            [&](const std::string& v) { options.pii_key_file = v; });
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  Require(options.site, "site");
  return RunExportCrm(options);
}

int ExportCommand(int argc, char** argv, int first) {
  std::string what = first < argc ? argv[first] : "";
  if (what == "--help" || what == "-h" || what.empty()) {
    std::cout << "usage: tessera-server export signals|customers|"
                 "transactions [flags]\n";
    return what.empty() ? 2 : 0;
  }
  if (what == "customers" || what == "transactions") {
    return ExportCrmCommand(argc, argv, first);
  }
  if (what != "signals") {
    throw UsageError("unknown export '" + what +
                     "' (signals, customers, transactions)");
  }
  ExportSignalsOptions options;
  FlagSet flags("export signals",
                "Writes every stored signal of a site as JSON Lines.");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  flags.Add("site", "SITE", "site to export (required)",
            [&](const std::string& v) { options.site = v; });
  flags.Add("out", "FILE", "output file, - for stdout (default -)",
            [&](const std::string& v) { options.out = v; });
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  Require(options.site, "site");
  return RunExportSignals(options);
}

int PruneCommand(int argc, char** argv, int first) {
  PruneOptions options;
  FlagSet flags("prune",
                "Retention: deletes signals received more than N days ago.\n"
                "Run it daily (cron, systemd timer).");
  flags.Add("db", "PATH", kDbHelp,
            [&](const std::string& v) { options.db = v; });
  flags.Add("older-than-days", "N", "retention period in days (required)",
            [&](const std::string& v) {
              options.older_than_days = static_cast<int64_t>(
                  ParseUnsigned("older-than-days", v, 100000));
            });
  if (!flags.Parse(argc, argv, first)) return 0;
  if (options.older_than_days < 1) {
    throw UsageError("--older-than-days must be at least 1");
  }
  return RunPrune(options);
}

const char kMainUsage[] =
    "usage: tessera-server <command> [flags]\n\n"
    "commands:\n"
    "  serve            run the HTTP server\n"
    "  keys create      create an API key (printed as the last line)\n"
    "  keys list        list API keys\n"
    "  keys revoke      revoke an API key\n"
    "  migrate          apply database schema migrations\n"
    "  export signals   write a site's stored signals as JSON Lines\n"
    "  import customers|transactions   import a CRM CSV export\n"
    "  export customers|transactions   write CRM data as JSON Lines\n"
    "  prune            delete signals older than the retention period\n\n"
    "Run `tessera-server <command> --help` for its flags.\n";

std::unique_ptr<Store> OpenMigrated(const std::string& db) {
  std::unique_ptr<Store> store = OpenStore(db);
  store->Migrate();
  return store;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  TesseraServer server(options);
  server.Start();
  std::cerr << "tessera-server: listening on "
            << (server.tls() ? "https://" : "http://") << options.host << ":"
            << server.port() << " (store " << RedactStoreUri(options.db) << ")"
            << std::endl;
  server.Run();
  std::cerr << "tessera-server: stopped" << std::endl;
  return 0;
}

int RunKeysCreate(const KeysCreateOptions& options) {
  auto store = OpenMigrated(options.db);
  ApiKeyRecord record;
  std::string key = CreateApiKey(*store, options.site, options.kind, &record);
  std::cout << "created " << KeyKindName(options.kind) << " key " << record.id
            << " for site " << options.site << "\n"
            << key << std::endl;
  return 0;
}

int RunKeysList(const KeysListOptions& options) {
  auto store = OpenMigrated(options.db);
  std::cout << "id\tsite\tkind\tprefix\tcreated_at_ms\tstate\n";
  for (const ApiKeyRecord& key : store->ListApiKeys(options.site)) {
    std::cout << key.id << "\t" << key.site << "\t" << KeyKindName(key.kind)
              << "\t" << key.prefix << "...\t" << key.created_at_ms << "\t"
              << (key.revoked ? "revoked" : "active") << "\n";
  }
  return 0;
}

int RunKeysRevoke(const KeysRevokeOptions& options) {
  auto store = OpenMigrated(options.db);
  if (!store->RevokeApiKey(options.id)) {
    std::cerr << "tessera-server: no active key with id " << options.id
              << std::endl;
    return 1;
  }
  std::cout << "revoked key " << options.id << std::endl;
  return 0;
}

int RunMigrate(const MigrateOptions& options) {
  auto store = OpenStore(options.db);
  int before = store->SchemaVersion();
  int after = store->Migrate();
  if (before == after) {
    std::cout << "schema is up to date (version " << after << ")" << std::endl;
  } else {
    std::cout << "migrated schema from version " << before << " to " << after
              << std::endl;
  }
  // The CRM tables have their own migration sequence (crm_store.h).
  if (std::unique_ptr<CrmStore> crm = OpenCrmStore(options.db)) {
    int crm_before = crm->SchemaVersion();
    int crm_after = crm->Migrate();
    std::cout << (crm_before == crm_after
                      ? "crm schema is up to date (version "
                      : "migrated crm schema from version " +
                            std::to_string(crm_before) + " to ")
              << crm_after << (crm_before == crm_after ? ")" : "")
              << std::endl;
  }
  return 0;
}

int RunExportSignals(const ExportSignalsOptions& options) {
  auto store = OpenMigrated(options.db);
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (options.out != "-") {
    file.open(options.out, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write '" + options.out + "'");
    out = &file;
  }
  int64_t count = 0;
  store->ForEachSignal(options.site, [&](const SignalRecord& signal) {
    // The body is stored as canonical JSON text; embed it as is.
    *out << "{\"site\":" << nlohmann::json(signal.site).dump()
         << ",\"id\":" << nlohmann::json(signal.id).dump()
         << ",\"vid\":" << nlohmann::json(signal.vid).dump()
         << ",\"received_at_ms\":" << signal.received_at_ms
         << ",\"signal\":" << signal.body << "}\n";
    ++count;
  });
  out->flush();
  if (!*out) throw std::runtime_error("writing the export failed");
  std::cerr << "exported " << count << " signal(s) of site " << options.site
            << std::endl;
  return 0;
}

int RunPrune(const PruneOptions& options) {
  auto store = OpenMigrated(options.db);
  const int64_t kMsPerDay = 24 * 60 * 60 * 1000LL;
  int64_t deleted =
      store->DeleteSignalsBefore(NowMs() - options.older_than_days * kMsPerDay);
  std::cout << "deleted " << deleted << " signal(s) older than "
            << options.older_than_days << " day(s)" << std::endl;
  return 0;
}

int RunCli(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "serve") return ServeCommand(argc, argv, 2);
    if (command == "keys") return KeysCommand(argc, argv, 2);
    if (command == "migrate") return MigrateCommand(argc, argv, 2);
    if (command == "export") return ExportCommand(argc, argv, 2);
    if (command == "import") return ImportCommand(argc, argv, 2);
    if (command == "prune") return PruneCommand(argc, argv, 2);
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kMainUsage;
      return 0;
    }
    std::cerr << (command.empty() ? "" : "unknown command '" + command + "'\n")
              << kMainUsage;
    return 2;
  } catch (const UsageError& error) {
    std::cerr << "tessera-server: " << error.what() << " (see --help)"
              << std::endl;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "tessera-server: " << error.what() << std::endl;
    return 1;
  }
}

}  // namespace tessera::server
