// The CRM subcommands through the real tessera-server binary, on every store
// engine (test_engines.h: SQLite and PostgreSQL): import (summary on stdout,
// row errors on stderr, exit codes), export and migrate.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "server_binary.h"
#include "temp_dir.h"
#include "tessera/server/crm_store.h"
#include "test_engines.h"

namespace tessera::server {
namespace {

using testing::TempDir;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the binary with `arguments` (and an optional environment prefix).
CliRun Tessera(const TempDir& dir, const std::string& arguments,
               const std::string& env = "env -u TESSERA_PII_KEY") {
  CliRun run;
  std::string err_file = dir.File("stderr.txt");
  std::string command =
      env + " " + TESSERA_SERVER_BINARY + " " + arguments + " 2>" + err_file;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0)
    run.out.append(chunk, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_file);
  return run;
}

const char kKey[] =
    "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";

class CrmCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    std::string why;
    ASSERT_TRUE(engine_->Ready(&why)) << why;
    // Quoted for the shell: a PostgreSQL URI holds '?' and '&'.
    db_ = "'" + engine_->NewDatabase() + "'";
    std::ofstream(dir_.File("pii.key")) << kKey << "\n";
    std::ofstream(dir_.File("customers.csv"))
        << "customer_id,email,name,tier\r\n"
           "c1,ann@example.com,\"Lee, Ann\",gold\r\n"
           "c2,not-an-email,Bob,silver\r\n"
           "c3,carl@example.com,Carl,\r\n";
  }
  std::string Import(const std::string& kind, const std::string& file,
                     const std::string& extra = "") {
    return "import " + kind + " --db " + db_ + " --site demo --file " + file +
           " " + extra;
  }

  // The actions of the audit log, newest first.
  std::vector<std::string> AuditedActions() {
    std::vector<std::string> actions;
    std::unique_ptr<Store> store = OpenStore(db_.substr(1, db_.size() - 2));
    for (const AuditRecord& record : store->ListAudit(kAllSites, 0, 100)) {
      EXPECT_EQ(record.key_id, 0) << "the command line uses no key";
      actions.push_back(record.action);
    }
    store->Close();
    return actions;
  }

  std::unique_ptr<testing::TestEngine> engine_ =
      testing::MakeEngine(GetParam());
  TempDir dir_;
  std::string db_;  // the --db argument, shell-quoted
};

TEST_P(CrmCliTest, ImportSummarizesOnStdoutAndReportsBadRowsOnStderr) {
  std::string key = "--pii-key-file " + dir_.File("pii.key");
  CliRun first =
      Tessera(dir_, Import("customers", dir_.File("customers.csv"), key));
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("2 inserted, 0 updated, 0 unchanged, 1 rejected"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.err.find("customers.csv:3: email is not a valid address"),
            std::string::npos)
      << first.err;
  EXPECT_EQ(first.out.find("customers.csv:3"), std::string::npos);

  CliRun again =
      Tessera(dir_, Import("customers", dir_.File("customers.csv"), key));
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("0 inserted, 0 updated, 2 unchanged"),
            std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("nothing changed"), std::string::npos);

  // The key from the environment works the same.
  CliRun env = Tessera(dir_, Import("customers", dir_.File("customers.csv")),
                       std::string("env TESSERA_PII_KEY=") + kKey);
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_NE(env.out.find("2 unchanged"), std::string::npos);
}

TEST_P(CrmCliTest, UnreadableFilesAndMissingKeysExitOne) {
  CliRun missing = Tessera(dir_, Import("customers", dir_.File("nope.csv")));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos);
  CliRun no_key =
      Tessera(dir_, Import("customers", dir_.File("customers.csv")));
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("no PII key was given"), std::string::npos)
      << no_key.err;
  std::ofstream(dir_.File("other.key"))
      << "0000000000000000000000000000000000000000000000000000000000000001";
  ASSERT_EQ(Tessera(dir_, Import("customers", dir_.File("customers.csv"),
                                 "--pii-key-file " + dir_.File("pii.key")))
                .exit_code,
            0);
  CliRun wrong =
      Tessera(dir_, Import("customers", dir_.File("customers.csv"),
                           "--pii-key-file " + dir_.File("other.key")));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("not the key this database"), std::string::npos)
      << wrong.err;
  CliRun usage = Tessera(dir_, "import customers --db " + db_ + " --site demo");
  EXPECT_EQ(usage.exit_code, 2);
  CliRun format = Tessera(
      dir_, Import("transactions", dir_.File("customers.csv"), "--format xml"));
  EXPECT_EQ(format.exit_code, 2);
  CliRun delimiter = Tessera(
      dir_, Import("customers", dir_.File("customers.csv"), "--delimiter '|'"));
  EXPECT_EQ(delimiter.exit_code, 2);
  EXPECT_NE(delimiter.err.find("--delimiter must be auto, ',', ';' or tab, "
                               "not '|'"),
            std::string::npos)
      << delimiter.err;
  // Named explicitly, tab splits a tab-separated file.
  std::ofstream(dir_.File("tabs.tsv")) << "customer_id\ttier\nt1\tgold\n";
  CliRun tabs = Tessera(
      dir_, Import("customers", dir_.File("tabs.tsv"), "--delimiter tab"));
  EXPECT_EQ(tabs.exit_code, 0) << tabs.err;
  EXPECT_NE(tabs.out.find("1 inserted"), std::string::npos) << tabs.out;
  for (const char* help :
       {"import customers --help", "import transactions --help",
        "export customers --help", "export transactions --help"}) {
    CliRun run = Tessera(dir_, help);
    EXPECT_EQ(run.exit_code, 0) << help;
    EXPECT_NE(run.out.find("usage: tessera-server"), std::string::npos);
  }
}

TEST_P(CrmCliTest, CdnowImportThenExportAsJsonLines) {
  CliRun imported =
      Tessera(dir_, Import("transactions",
                           std::string(TESSERA_CDNOW_DIR) + "/CDNOW_sample.txt",
                           "--format cdnow"));
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("6919 inserted, 0 updated, 0 unchanged, 0 "
                              "rejected, 2357 new customers"),
            std::string::npos)
      << imported.out;
  CliRun transactions =
      Tessera(dir_, "export transactions --db " + db_ + " --site demo --out " +
                        dir_.File("t.jsonl"));
  EXPECT_EQ(transactions.exit_code, 0) << transactions.err;
  std::string lines = ReadFile(dir_.File("t.jsonl"));
  size_t count = 0;
  for (char c : lines) count += c == '\n';
  EXPECT_EQ(count, 6919u);
  EXPECT_NE(lines.find("\"customer_id\":\"00004\",\"date\":\"1997-01-01\","
                       "\"quantity\":2,\"amount\":\"29.33\""),
            std::string::npos);
}

// Traits that are not JSON (a damaged or edited row) fail the export,
// naming the customer, instead of being exported as no traits at all.
TEST_P(CrmCliTest, AnExportNamesACustomerWhoseTraitsAreNoJson) {
  {
    std::unique_ptr<CrmStore> crm = OpenCrmStore(db_.substr(1, db_.size() - 2));
    crm->Migrate();
    CustomerRecord damaged;
    damaged.site = "demo";
    damaged.customer_id = "c-damaged";
    damaged.traits_json = "{\"tier\":";
    damaged.row_hash = "h";
    crm->UpsertCustomers({damaged}, 1000, "");
  }
  const std::string out = dir_.File("customers.jsonl");
  CliRun exported = Tessera(
      dir_, "export customers --db " + db_ + " --site demo --out " + out);
  EXPECT_EQ(exported.exit_code, 1) << exported.out;
  EXPECT_NE(exported.err.find("the stored customer 'c-damaged' of site "
                              "'demo' has traits that are not JSON"),
            std::string::npos)
      << exported.err;
  EXPECT_FALSE(std::ifstream(out).good());
}

TEST_P(CrmCliTest, ExportShowsPiiOnlyWithTheFlagAndTheKey) {
  std::string key = "--pii-key-file " + dir_.File("pii.key");
  ASSERT_EQ(Tessera(dir_, Import("customers", dir_.File("customers.csv"), key))
                .exit_code,
            0);
  std::string base = "export customers --db " + db_ + " --site demo ";
  CliRun plain = Tessera(dir_, base);
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("ann@example.com"), std::string::npos);
  EXPECT_NE(plain.out.find("\"has_email\":true"), std::string::npos);
  CliRun no_key = Tessera(dir_, base + "--include-pii");
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("--include-pii needs the PII key"),
            std::string::npos);
  EXPECT_TRUE(AuditedActions().empty()) << "an export without PII";
  CliRun transactions = Tessera(dir_, "export transactions --db " + db_ +
                                          " --site demo --include-pii " + key);
  EXPECT_NE(transactions.exit_code, 0);
  EXPECT_NE(
      transactions.err.find("--include-pii applies to export customers only"),
      std::string::npos)
      << transactions.err;
  EXPECT_TRUE(AuditedActions().empty())
      << "transactions hold no PII: nothing exported, nothing audited";
  CliRun with_pii = Tessera(dir_, base + "--include-pii " + key);
  EXPECT_EQ(with_pii.exit_code, 0) << with_pii.err;
  EXPECT_EQ(AuditedActions(), std::vector<std::string>{"export.customers"});
  EXPECT_NE(with_pii.out.find("\"email\":\"ann@example.com\",\"name\":\"Lee, "
                              "Ann\""),
            std::string::npos)
      << with_pii.out;
  CliRun migrate = Tessera(dir_, "migrate --db " + db_);
  EXPECT_NE(migrate.out.find("crm schema is up to date (version 1)"),
            std::string::npos)
      << migrate.out;
}

TEST_P(CrmCliTest, RotatePiiKeyReSealsEverythingAndRetiresTheOldKey) {
  const std::string old_key = "--pii-key-file " + dir_.File("pii.key");
  std::ofstream(dir_.File("new.key"))
      << "5eed0000a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829300042\n";
  const std::string new_key = "--pii-key-file " + dir_.File("new.key");
  ASSERT_EQ(
      Tessera(dir_, Import("customers", dir_.File("customers.csv"), old_key))
          .exit_code,
      0);
  const std::string rotate = "rotate-pii-key --db " + db_ + " ";

  if (GetParam() == "Sqlite") {  // PostgreSQL replicas cannot be seen
    std::string path = db_.substr(1, db_.size() - 2);  // unquoted
    testing::ServerProcess server(path, dir_.File("serve.log"));
    ASSERT_NE(server.port(), 0);
    CliRun busy = Tessera(
        dir_, rotate + old_key + " --new-pii-key-file " + dir_.File("new.key"));
    EXPECT_EQ(busy.exit_code, 1);
    EXPECT_NE(busy.err.find("is in use"), std::string::npos) << busy.err;
  }
  CliRun usage = Tessera(dir_, rotate + old_key);
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--new-pii-key-file is required"), std::string::npos)
      << usage.err;
  CliRun no_current =
      Tessera(dir_, rotate + "--new-pii-key-file " + dir_.File("new.key"));
  EXPECT_EQ(no_current.exit_code, 1);
  EXPECT_NE(no_current.err.find("needs the current PII key"), std::string::npos)
      << no_current.err;

  CliRun rotated = Tessera(
      dir_, rotate + old_key + " --new-pii-key-file " + dir_.File("new.key"));
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("re-sealed the emails and names of 2 "
                             "customer(s) under the new key"),
            std::string::npos)
      << rotated.out;
  EXPECT_EQ(AuditedActions(), std::vector<std::string>{"pii.rotate"});

  std::string exported =
      "export customers --db " + db_ + " --site demo --include-pii ";
  CliRun with_new = Tessera(dir_, exported + new_key);
  EXPECT_EQ(with_new.exit_code, 0) << with_new.err;
  EXPECT_NE(with_new.out.find("\"email\":\"ann@example.com\",\"name\":\"Lee, "
                              "Ann\""),
            std::string::npos)
      << with_new.out;
  for (const std::string& retired :
       {exported + old_key,
        rotate + old_key + " --new-pii-key-file " + dir_.File("new.key")}) {
    CliRun refused = Tessera(dir_, retired);
    EXPECT_EQ(refused.exit_code, 1) << retired;
    EXPECT_NE(refused.err.find("not the key this database"), std::string::npos)
        << refused.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, CrmCliTest, testing::EngineParams(),
                         testing::EngineParamName());

}  // namespace
}  // namespace tessera::server
