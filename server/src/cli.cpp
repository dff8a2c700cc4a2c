#include "tessera/server/cli.h"

#include <sys/resource.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "artifact_cli.h"
#include "browser_origin.h"
#include "export_output.h"
#include "postgres_connection.h"
#include "signal_export.h"
#include "sqlite_backup.h"
#include "tessera/server/api_key.h"
#include "tessera/server/crm_cli.h"
#include "tessera/server/crm_store.h"
#include "tessera/signal.h"
#include "utc_text.h"

namespace tessera::server {
namespace {

// The JSON types a flag takes in a config file; on the command line every
// value is text, and the setter parses it either way.
enum class FlagKind {
  kText,    // a string
  kNumber,  // a whole number (or its text, e.g. "64k")
  kList,    // an array of strings (or one comma-separated string)
  kSwitch,  // a flag without a value: true sets it, false leaves it
};

// The flags of one subcommand, mapped onto its options struct.
class FlagSet {
 public:
  FlagSet(std::string command, std::string summary)
      : command_(std::move(command)), summary_(std::move(summary)) {}

  void Add(std::string name, std::string value_name, std::string help,
           std::function<void(const std::string&)> set,
           FlagKind kind = FlagKind::kText) {
    if (value_name.empty()) kind = FlagKind::kSwitch;
    flags_.push_back(Flag{std::move(name), std::move(value_name),
                          std::move(help), std::move(set), kind});
  }

  // A flag whose value is stored as given.
  void AddString(std::string name, std::string value_name, std::string help,
                 std::string* field) {
    Add(std::move(name), std::move(value_name), std::move(help),
        [field](const std::string& value) { *field = value; });
  }

  // Adds --config FILE: a JSON object of these flags' names (no dashes) and
  // values, applied through the same setters before the command-line flags,
  // so that those override it wherever --config stands.
  void AllowConfigFile() { config_allowed_ = true; }

  // Parses argv[first..]; returns false when --help was asked (and printed).
  bool Parse(int argc, char** argv, int first) {
    std::vector<std::string> args;
    for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
    return Parse(args);
  }

  bool Parse(const std::vector<std::string>& args) {
    std::vector<std::pair<const Flag*, std::string>> given;
    std::optional<std::string> config;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
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
      bool is_config = config_allowed_ && name == "config";
      if (!flag && !is_config) throw UsageError("unknown flag --" + name);
      if (flag && flag->kind == FlagKind::kSwitch) {
        if (inline_value) throw UsageError("--" + name + " takes no value");
        given.emplace_back(flag, "");
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          throw UsageError("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (is_config) {
        config = value;
      } else {
        given.emplace_back(flag, value);
      }
    }
    if (config) ApplyConfigFile(*config);
    for (const auto& [flag, value] : given) flag->set(value);
    return true;
  }

  std::string Usage() const {
    std::string text = "usage: tessera-server " + command_ + " [flags]\n\n" +
                       summary_ + "\n\nflags:\n";
    if (config_allowed_) {
      text +=
          "  --config FILE              JSON object of these flags without "
          "the dashes,\n                             e.g. {\"port\": 8080}; "
          "flags given here override it\n";
    }
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
    FlagKind kind;
  };
  const Flag* Find(const std::string& name) const {
    for (const Flag& flag : flags_) {
      if (flag.name == name) return &flag;
    }
    return nullptr;
  }

  void ApplyConfigFile(const std::string& path) {
    const std::string file = "config file '" + path + "'";
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw UsageError("cannot read " + file + ": " +
                       (std::filesystem::exists(path, error)
                            ? "not a regular file"
                            : "no such file"));
    }
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) throw UsageError("cannot read " + file);
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& parse_error) {
      // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
      std::string reason = parse_error.what();
      if (size_t end = reason.find("] "); end != std::string::npos) {
        reason.erase(0, end + 2);
      }
      throw UsageError(file + " is not valid JSON: " + reason);
    }
    if (!doc.is_object()) {
      throw UsageError(file + " must hold a JSON object, not " +
                       std::string(doc.type_name()));
    }
    for (const auto& [key, value] : doc.items()) {
      const Flag* flag = Find(key);
      if (!flag) {
        throw UsageError(file + ": unknown key \"" + key + "\" (keys are " +
                         command_ + "'s flag names without the dashes)");
      }
      const std::string where = file + ", key \"" + key + "\"";
      std::optional<std::string> flag_text = ConfigValueText(*flag, value);
      if (!flag_text) {
        throw UsageError(where + ": expected " + KindName(flag->kind) +
                         ", not " + std::string(value.type_name()));
      }
      if (flag->kind == FlagKind::kSwitch && value == false) continue;
      try {
        flag->set(*flag_text);
      } catch (const UsageError& bad_value) {
        throw UsageError(where + ": " + bad_value.what());
      }
    }
  }

  // The command-line text a config value stands for, or nullopt when its
  // JSON type does not fit the flag.
  static std::optional<std::string> ConfigValueText(
      const Flag& flag, const nlohmann::json& value) {
    switch (flag.kind) {
      case FlagKind::kSwitch:
        if (value.is_boolean()) return std::string();
        return std::nullopt;
      case FlagKind::kText:
        if (value.is_string()) return value.get<std::string>();
        return std::nullopt;
      case FlagKind::kNumber:
        if (value.is_string()) return value.get<std::string>();
        if (value.is_number_integer()) return value.dump();
        return std::nullopt;
      case FlagKind::kList: {
        if (value.is_string()) return value.get<std::string>();
        if (!value.is_array()) return std::nullopt;
        std::string joined;
        for (const nlohmann::json& item : value) {
          if (!item.is_string()) return std::nullopt;
          joined += (joined.empty() ? "" : ",") + item.get<std::string>();
        }
        return joined;
      }
    }
    return std::nullopt;
  }

  static const char* KindName(FlagKind kind) {
    switch (kind) {
      case FlagKind::kSwitch:
        return "true or false";
      case FlagKind::kNumber:
        return "a whole number";
      case FlagKind::kList:
        return "an array of strings";
      case FlagKind::kText:
        break;
    }
    return "a string";
  }

  std::string command_, summary_;
  std::vector<Flag> flags_;
  bool config_allowed_ = false;
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

// "64k", "1m", "65536" -> bytes, within [min, max] after the unit is
// applied (so "4096m" cannot slip past a 1 GiB cap).
uint64_t ParseBytes(const std::string& flag, const std::string& text,
                    uint64_t min, uint64_t max) {
  uint64_t multiplier = 1;
  std::string digits = text;
  if (!digits.empty()) {
    char unit = static_cast<char>(std::tolower(digits.back()));
    if (unit == 'k') multiplier = 1024;
    if (unit == 'm') multiplier = 1024 * 1024;
    if (multiplier != 1) digits.pop_back();
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long value = std::strtoull(digits.c_str(), &end, 10);
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits[0])) ||
      *end != '\0' || errno != 0 || value > max / multiplier ||
      value * multiplier < min) {
    throw UsageError("--" + flag + " needs a size from " + std::to_string(min) +
                     " to " + std::to_string(max) +
                     " bytes (a number, or with k or m), not '" + text + "'");
  }
  return value * multiplier;
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

// --site is required and must be a site name (the rule signals, keys and
// imports share), so a typo is named instead of matching nothing; an admin
// key may also be for every site ("*").
void RequireSite(const std::string& site, bool allow_all = false) {
  Require(site, "site");
  if (allow_all && site == kAllSites) return;
  if (!IsSiteName(site)) {
    throw UsageError(std::string("--site must be 1-64 of A-Z a-z 0-9 _ . -") +
                     (allow_all ? " (or * for an admin key)" : "") + ", not '" +
                     site + "'");
  }
}

std::string kDbHelp =
    "database file, or postgresql://USER:PASSWORD@HOST:PORT/DB (default "
    "./data/tessera.db)";

int ServeCommand(int argc, char** argv, int first) {
  const std::vector<std::string> args(argv + first, argv + argc);
  std::optional<ServeOptions> options = ParseServeArgs(args);
  if (!options) return 0;
  // SIGHUP reads the same flags and the --config file again.
  options->reload = [args] {
    std::optional<ServeOptions> again = ParseServeArgs(args);
    if (!again) throw UsageError("--help given");
    return *again;
  };
  return RunServe(*options);
}

int KeysCommand(int argc, char** argv, int first) {
  std::string action = first < argc ? argv[first] : "";
  if (action == "create") {
    KeysCreateOptions options;
    std::string kind = "write";
    FlagSet flags("keys create",
                  "Creates an API key and prints it as the last line of "
                  "stdout.\nOnly its SHA-256 is stored: keep the key.");
    flags.AddString("db", "PATH", kDbHelp, &options.db);
    flags.Add("site", "SITE", "site the key is for; * = every site (admin)",
              [&](const std::string& v) { options.site = v; });
    flags.Add("kind", "write|admin", "what the key may do (default write)",
              [&](const std::string& v) { kind = v; });
    flags.Add(
        "expires-in-days", "N",
        "refuse the key N days from now, 1-3650 (default: it never expires)",
        [&](const std::string& v) {
          options.expires_in_days =
              static_cast<int64_t>(ParseUnsigned("expires-in-days", v, 3650));
          if (options.expires_in_days == 0) {
            throw UsageError("--expires-in-days must be 1-3650");
          }
        },
        FlagKind::kNumber);
    if (!flags.Parse(argc, argv, first + 1)) return 0;
    RequireSite(options.site, true);
    std::optional<KeyKind> parsed = ParseKeyKind(kind);
    if (!parsed)
      throw UsageError("--kind must be write or admin, not '" + kind + "'");
    // A write key sits in public pages: one for every site would let anyone
    // who reads it post signals under any site name.
    if (*parsed == KeyKind::kWrite && options.site == kAllSites) {
      throw UsageError(
          "--site * is for admin keys only; a write key is for one site");
    }
    options.kind = *parsed;
    return RunKeysCreate(options);
  }
  if (action == "list") {
    KeysListOptions options;
    FlagSet flags("keys list",
                  "Lists API keys (ids and prefixes, never keys).");
    flags.AddString("db", "PATH", kDbHelp, &options.db);
    flags.AddString("site", "SITE", "only this site's keys (default: all)",
                    &options.site);
    if (!flags.Parse(argc, argv, first + 1)) return 0;
    return RunKeysList(options);
  }
  if (action == "revoke") {
    KeysRevokeOptions options;
    FlagSet flags("keys revoke",
                  "Revokes an API key by id; servers stop accepting it within "
                  "5 seconds.");
    flags.AddString("db", "PATH", kDbHelp, &options.db);
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
  flags.AddString("db", "PATH", kDbHelp, &options.db);
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
    throw UsageError("unknown import '" + what + "' (customers, transactions)");
  }
  ImportCommandOptions options;
  options.kind = *kind;
  FlagSet flags(
      "import " + what,
      "Imports a CRM CSV export incrementally: unchanged rows are skipped,\n"
      "bad rows are reported on stderr (FILE:LINE: reason) and the rest is\n"
      "imported; the summary goes to stdout. customers: customer_id, email,\n"
      "name, trait columns. transactions: customer_id, date (at latest\n"
      "tomorrow, UTC), quantity, amount[, transaction_id]; --format cdnow\n"
      "reads CDNOW_master.txt.\n"
      "Exit 0 when the file was readable (even with bad rows), 1 when not.");
  flags.AddString("db", "PATH", kDbHelp, &options.db);
  flags.AddString("site", "SITE", "site the rows belong to (required)",
                  &options.site);
  flags.AddString("file", "FILE", "file to import, - for stdin (required)",
                  &options.file);
  flags.Add(
      "format", "csv|cdnow", "input format (default csv)",
      [&](const std::string& v) {
        std::optional<ImportFormat> format = ParseImportFormat(v);
        if (!format) {
          throw UsageError("--format must be csv or cdnow, not '" + v + "'");
        }
        options.format = *format;
      });
  flags.Add("delimiter", "auto|,|;|tab",
            "CSV field separator; auto takes the most frequent of , ; and "
            "tab in the header row (default auto)",
            [&](const std::string& v) {
              std::optional<char> delimiter = ParseCsvDelimiter(v);
              if (!delimiter) {
                throw UsageError(
                    "--delimiter must be auto, ',', ';' or tab, "
                    "not '" +
                    v + "'");
              }
              options.delimiter = *delimiter;
            });
  flags.Add("pii-key-file", "FILE",
            "PII key, 64 hex chars (default: $TESSERA_PII_KEY); needed for "
            "email and name columns",
            [&](const std::string& v) { options.pii_key_file = v; });
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  RequireSite(options.site);
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
  flags.AddString("db", "PATH", kDbHelp, &options.db);
  flags.AddString("site", "SITE", "site to export (required)", &options.site);
  flags.AddString("out", "FILE", "output file, - for stdout (default -)",
                  &options.out);
  flags.Add("include-pii", "", "decrypt and include emails and names",
            [&](const std::string&) { options.include_pii = true; });
  flags.AddString("pii-key-file", "FILE",
                  "PII key, 64 hex chars (default: $TESSERA_PII_KEY)",
                  &options.pii_key_file);
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  RequireSite(options.site);
  // As over HTTP: transactions hold no emails or names to include.
  if (options.include_pii && options.kind != ImportKind::kCustomers) {
    throw UsageError("--include-pii applies to export customers only");
  }
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
  flags.AddString("db", "PATH", kDbHelp, &options.db);
  flags.AddString("site", "SITE", "site to export (required)", &options.site);
  flags.AddString("out", "FILE", "output file, - for stdout (default -)",
                  &options.out);
  flags.Add(
      "since", "MS",
      "only signals received at or after this time, in milliseconds since "
      "1970 (each line's received_at_ms): incremental exports (default 0)",
      [&](const std::string& v) {
        options.since_ms =
            static_cast<int64_t>(ParseUnsigned("since", v, uint64_t{1} << 53));
      },
      FlagKind::kNumber);
  if (!flags.Parse(argc, argv, first + 1)) return 0;
  RequireSite(options.site);
  return RunExportSignals(options);
}

int PruneCommand(int argc, char** argv, int first) {
  PruneOptions options;
  FlagSet flags(
      "prune",
      "Retention: deletes signals received more than N days ago.\n"
      "serve does this itself (--retention-days); run prune daily\n"
      "(cron, systemd timer) when serve runs with --retention-days 0.");
  flags.AddString("db", "PATH", kDbHelp, &options.db);
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

// Backup and restore copy the SQLite file; PostgreSQL has its own tools.
void RequireSqlite(const std::string& db, const char* command) {
  if (postgres::IsPostgresUri(db)) {
    throw UsageError(std::string(command) +
                     " works on the embedded SQLite database; for PostgreSQL "
                     "use pg_dump and pg_restore, which copy it consistently "
                     "while the servers run");
  }
}

int BackupCommand(int argc, char** argv, int first) {
  BackupOptions options;
  FlagSet flags("backup",
                "Copies the SQLite database into a new file while serve keeps\n"
                "running: one consistent snapshot, checked, synced, then\n"
                "renamed into place (never a partial file under that name).");
  flags.AddString("db", "PATH", "database file (default ./data/tessera.db)",
                  &options.db);
  flags.AddString("out", "FILE",
                  "the backup to write; must not exist (required)",
                  &options.out);
  if (!flags.Parse(argc, argv, first)) return 0;
  RequireSqlite(options.db, "backup");
  Require(options.out, "out");
  return RunBackup(options);
}

int RestoreCommand(int argc, char** argv, int first) {
  RestoreOptions options;
  FlagSet flags(
      "restore",
      "Puts a backup in place of the database; stop serve first. Erasures\n"
      "logged after the backup are applied to it again. The replaced\n"
      "database is kept as <db>.replaced-<ms>, never deleted.");
  flags.AddString("db", "PATH", "database file (default ./data/tessera.db)",
                  &options.db);
  flags.AddString("from", "FILE", "a file written by backup (required)",
                  &options.from);
  if (!flags.Parse(argc, argv, first)) return 0;
  RequireSqlite(options.db, "restore");
  Require(options.from, "from");
  return RunRestore(options);
}

int RotatePiiKeyCommand(int argc, char** argv, int first) {
  RotatePiiKeyOptions options;
  FlagSet flags(
      "rotate-pii-key",
      "Seals every stored email and name again under a new PII key, in one\n"
      "transaction, and recomputes the email-matching hashes with it. Stop\n"
      "serve (every replica) and imports first, then start them with the new\n"
      "key. Backups taken before still need the old key.");
  flags.AddString("db", "PATH", kDbHelp, &options.db);
  flags.AddString("pii-key-file", "FILE",
                  "the current PII key, 64 hex chars (default: "
                  "$TESSERA_PII_KEY)",
                  &options.pii_key_file);
  flags.AddString("new-pii-key-file", "FILE",
                  "the new key, 64 hex chars, e.g. from `openssl rand -hex "
                  "32` (required)",
                  &options.new_key_file);
  if (!flags.Parse(argc, argv, first)) return 0;
  Require(options.new_key_file, "new-pii-key-file");
  return RunRotatePiiKey(options);
}

int CheckArtifactCommand(int argc, char** argv, int first) {
  CheckArtifactOptions options;
  FlagSet flags("check-artifact",
                "Checks an artifact file as the admin API does before it\n"
                "publishes one (every problem, with its JSON path); needs no\n"
                "database or server. Exit status 1 when it would be refused.");
  flags.AddString("site", "SITE", "the site it is for (required)",
                  &options.site);
  flags.AddString("file", "FILE", "the artifact, - for stdin (required)",
                  &options.file);
  if (!flags.Parse(argc, argv, first)) return 0;
  RequireSite(options.site);
  Require(options.file, "file");
  return RunCheckArtifact(options);
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
    "  prune            delete signals older than the retention period\n"
    "  backup           copy the SQLite database while serve runs\n"
    "  restore          put a backup in place, erasures since applied again\n"
    "  rotate-pii-key   seal stored emails and names under a new PII key\n"
    "  check-artifact   check an artifact file as publishing would\n\n"
    "Run `tessera-server <command> --help` for its flags.\n";

// Each connection holds a descriptor, and the usual soft limit (1024) would
// cap the server near a thousand clients when the hard limit allows far
// more (the event loops use epoll, so high descriptor numbers are fine).
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::unique_ptr<Store> OpenMigrated(const std::string& db) {
  std::unique_ptr<Store> store = OpenStore(db);
  store->Migrate();
  return store;
}

}  // namespace

std::optional<ServeOptions> ParseServeArgs(
    const std::vector<std::string>& args) {
  ServeOptions options;
  options.handle_signals = true;
  FlagSet flags("serve",
                "Serves ingest, the artifact, the SDK and the admin API until "
                "SIGINT/SIGTERM.\nMigrates the database first, and deletes "
                "signals older than\n--retention-days at start and hourly.");
  flags.AllowConfigFile();
  flags.AddString("db", "PATH", kDbHelp, &options.db);
  flags.Add("host", "HOST", "address to bind (default 127.0.0.1)",
            [&](const std::string& v) {
              // An empty name resolves to the wildcard address: every
              // interface, where the default is this machine only.
              if (v.empty()) {
                throw UsageError(
                    "--host needs an address or host name (127.0.0.1 for this "
                    "machine only, 0.0.0.0 for every interface), not an empty "
                    "value");
              }
              options.host = v;
            });
  flags.Add(
      "port", "PORT", "port to bind, 0 for any free one (default 8080)",
      [&](const std::string& v) {
        options.port = static_cast<uint16_t>(ParseUnsigned("port", v, 65535));
      },
      FlagKind::kNumber);
  flags.Add(
      "allowed-origins", "LIST",
      "comma-separated browser origins allowed to post signals, spelled as "
      "browsers send them (https://shop.example, http://localhost:3000), "
      "or * (default: same origin only)",
      [&](const std::string& v) {
        options.allowed_origins = SplitList(v);
        for (const std::string& origin : options.allowed_origins) {
          if (origin == "*") continue;
          std::string problem = BrowserOriginProblem(origin);
          if (!problem.empty()) {
            throw UsageError("--allowed-origins: " + problem);
          }
        }
      },
      FlagKind::kList);
  flags.Add(
      "body-limit", "BYTES", "largest signal body, 1k to 16m (default 64k)",
      [&](const std::string& v) {
        // Below 1 KB not even one compact signal fits. Above 16 MB a body is
        // no browser's signal (the SDK sends under 60 KB), each connection
        // may hold one in memory, and past SQLite's 1e9-byte value limit one
        // would fail its whole group commit, other clients' signals with it.
        options.body_limit =
            ParseBytes("body-limit", v, 1024, uint64_t{16} << 20);
      },
      FlagKind::kNumber);
  flags.Add(
      "artifact-max-age", "SECONDS",
      "how long browsers and the SDK use an artifact before asking again "
      "(its Cache-Control max-age), so a publication reaches returning "
      "visitors within it; 0 to 86400 (default 60)",
      [&](const std::string& v) {
        options.artifact_max_age =
            static_cast<uint32_t>(ParseUnsigned("artifact-max-age", v, 86400));
      },
      FlagKind::kNumber);
  flags.Add(
      "export-limit", "BYTES",
      "largest admin export over HTTP (built in memory), 1k to 4096m; "
      "larger ones answer 413 and point to `export` (default 64m)",
      [&](const std::string& v) {
        options.export_limit =
            ParseBytes("export-limit", v, 1024, uint64_t{4} << 30);
      },
      FlagKind::kNumber);
  flags.Add(
      "rate-limit", "N",
      "signals accepted per second per site, in bursts of up to N; more "
      "are answered 429 with Retry-After (the write key is public); each "
      "replica counts its own; 0 means no limit (default 0)",
      [&](const std::string& v) {
        options.rate_limit =
            static_cast<uint32_t>(ParseUnsigned("rate-limit", v, 1000000));
      },
      FlagKind::kNumber);
  flags.AddString("access-log", "FILE",
                  "append one line per request to FILE (- for stderr): time, "
                  "method, route, status, error code, bytes, duration; no "
                  "client address, query, id or email; SIGHUP reopens it "
                  "(logrotate) (default: none)",
                  &options.access_log);
  flags.AddString("sdk-dir", "DIR",
                  "directory served under /sdk/ (default: none)",
                  &options.sdk_dir);
  flags.AddString("site-dir", "DIR",
                  "website served at / for paths no API route claims, e.g. "
                  "demo-site (default: none)",
                  &options.site_dir);
  flags.Add(
      "threads", "N", "I/O threads; 0 means one per core (default 0)",
      [&](const std::string& v) {
        options.threads =
            static_cast<unsigned>(ParseUnsigned("threads", v, 1024));
      },
      FlagKind::kNumber);
  flags.AddString("pii-key-file", "FILE",
                  "PII key (64 hex chars) for CRM imports and data access "
                  "requests (default: $TESSERA_PII_KEY, else none)",
                  &options.pii_key_file);
  flags.Add("no-fsync", "",
            "do not fsync each commit (a power loss may lose the last "
            "signals; a crash does not)",
            [&](const std::string&) { options.durable = false; });
  flags.Add("tls-cert", "PEM",
            "certificate chain file; with --tls-key serves HTTPS, TLS 1.2+; "
            "SIGHUP reloads both files (renewals) (default: plain HTTP)",
            [&](const std::string& v) { options.tls_cert = v; });
  flags.AddString("tls-key", "PEM", "private key file for --tls-cert",
                  &options.tls_key);
  flags.Add(
      "retention-days", "N",
      "delete signals received more than N days ago, at start and "
      "hourly; 0 keeps them (default 90)",
      [&](const std::string& v) {
        options.retention_days =
            static_cast<int64_t>(ParseUnsigned("retention-days", v, 100000));
      },
      FlagKind::kNumber);
  if (!flags.Parse(args)) return std::nullopt;
  return options;
}

int RunServe(const ServeOptions& options) {
  RaiseOpenFileLimit();
  TesseraServer server(options);
  server.Start();
  std::cerr << "tessera-server: listening on "
            << (server.tls() ? "https://" : "http://") << options.host << ":"
            << server.port() << " (store " << RedactStoreUri(options.db) << ")"
            << std::endl;
  // Served lazily (the SDK may be built after the server starts), so a
  // mistyped directory would only show as 404s: say so now.
  for (const auto& [flag, dir] : {std::pair{"--sdk-dir", &options.sdk_dir},
                                  std::pair{"--site-dir", &options.site_dir}}) {
    std::error_code error;
    if (!dir->empty() && !std::filesystem::is_directory(*dir, error)) {
      std::cerr << "tessera-server: warning: " << flag << " '" << *dir
                << "' is not a directory (yet); its files answer 404 until "
                   "it is"
                << std::endl;
    }
  }
  if (options.retention_days > 0) {
    std::cerr << "tessera-server: signals are kept " << options.retention_days
              << " day(s) (--retention-days)" << std::endl;
  } else {
    std::cerr << "tessera-server: retention is off: signals are kept until "
                 "erased or pruned"
              << std::endl;
  }
  server.Run();
  std::cerr << "tessera-server: stopped" << std::endl;
  return 0;
}

int RunKeysCreate(const KeysCreateOptions& options) {
  auto store = OpenMigrated(options.db);
  ApiKeyRecord record;
  const int64_t kMsPerDay = 24 * 60 * 60 * 1000LL;
  const int64_t expires_at_ms =
      options.expires_in_days ? NowMs() + options.expires_in_days * kMsPerDay
                              : 0;
  std::string key =
      CreateApiKey(*store, options.site, options.kind, &record, expires_at_ms);
  std::cout << "created " << KeyKindName(options.kind) << " key " << record.id
            << " for site " << options.site;
  if (expires_at_ms)
    std::cout << ", expiring at "
              << UtcText(expires_at_ms, "%Y-%m-%dT%H:%M:%SZ");
  std::cout << "\n" << key << std::endl;
  return 0;
}

int RunKeysList(const KeysListOptions& options) {
  RequireExistingStore(options.db);
  auto store = OpenMigrated(options.db);
  std::cout << "id\tsite\tkind\tprefix\tcreated_at_ms\tstate\texpires\n";
  const int64_t now_ms = NowMs();
  for (const ApiKeyRecord& key : store->ListApiKeys(options.site)) {
    const bool expired = key.expires_at_ms && key.expires_at_ms <= now_ms;
    std::cout << key.id << "\t" << key.site << "\t" << KeyKindName(key.kind)
              << "\t" << key.prefix << "...\t" << key.created_at_ms << "\t"
              << (key.revoked ? "revoked"
                  : expired   ? "expired"
                              : "active")
              << "\t"
              << (key.expires_at_ms
                      ? UtcText(key.expires_at_ms, "%Y-%m-%dT%H:%M:%SZ")
                      : "never")
              << "\n";
  }
  return 0;
}

int RunKeysRevoke(const KeysRevokeOptions& options) {
  RequireExistingStore(options.db);
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
  std::unique_ptr<CrmStore> crm = OpenCrmStore(options.db);
  int crm_before = crm->SchemaVersion();
  int crm_after = crm->Migrate();
  std::cout << (crm_before == crm_after
                    ? "crm schema is up to date (version "
                    : "migrated crm schema from version " +
                          std::to_string(crm_before) + " to ")
            << crm_after << (crm_before == crm_after ? ")" : "") << std::endl;
  return 0;
}

int RunExportSignals(const ExportSignalsOptions& options) {
  RequireExistingStore(options.db);
  auto store = OpenMigrated(options.db);
  ExportOutput output(options.out, options.db);
  std::ostream& out = output.stream();
  int64_t count = 0;
  std::string line;
  store->ForEachSignalSince(options.site, options.since_ms,
                            [&](const SignalRecord& signal) {
                              line.clear();
                              AppendSignalLine(signal, &line);
                              out << line;
                              ++count;
                            });
  output.Finish();
  std::cerr << "exported " << count << " signal(s) of site " << options.site;
  // Zero is also what a mistyped site gives: name the ones that exist.
  if (count == 0) {
    std::set<std::string> sites;
    for (const ApiKeyRecord& key : store->ListApiKeys("")) {
      if (key.site != kAllSites) sites.insert(key.site);
    }
    std::string known;
    for (const std::string& site : sites) {
      known += (known.empty() ? "" : ", ") + site;
    }
    std::cerr << " (sites with keys in this database: "
              << (known.empty() ? "none" : known) << ")";
  }
  std::cerr << std::endl;
  return 0;
}

int RunPrune(const PruneOptions& options) {
  RequireExistingStore(options.db);
  auto store = OpenMigrated(options.db);
  const int64_t kMsPerDay = 24 * 60 * 60 * 1000LL;
  int64_t deleted =
      store->DeleteSignalsBefore(NowMs() - options.older_than_days * kMsPerDay);
  std::cout << "deleted " << deleted << " signal(s) older than "
            << options.older_than_days << " day(s)" << std::endl;
  return 0;
}

int RunBackup(const BackupOptions& options) {
  SqliteCopyReport report = BackupSqlite(options.db, options.out);
  std::cout << "backed up " << options.db << " to " << options.out << ": "
            << report.signals << " signal(s), " << report.bytes
            << " bytes, schema version " << report.schema_version << std::endl;
  return 0;
}

int RunRestore(const RestoreOptions& options) {
  SqliteCopyReport report = RestoreSqlite(options.from, options.db, NowMs());
  std::cout << "restored " << options.from << " as " << options.db << ": "
            << report.signals << " signal(s), schema version "
            << report.schema_version << "; " << report.erasures_replayed
            << " later erasure(s) applied again, " << report.rows_erased
            << " row(s) removed" << std::endl;
  if (!report.replaced_path.empty()) {
    std::cout << "the replaced database is kept as " << report.replaced_path
              << std::endl;
  }
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
    if (command == "backup") return BackupCommand(argc, argv, 2);
    if (command == "restore") return RestoreCommand(argc, argv, 2);
    if (command == "rotate-pii-key") return RotatePiiKeyCommand(argc, argv, 2);
    if (command == "check-artifact") return CheckArtifactCommand(argc, argv, 2);
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
