// `tessera-server backup` and `restore` through the real binary: a backup
// taken while the server ingests holds every signal acknowledged before it,
// and a restore brings back the data but not what was erased after the
// backup, keeping the database it replaced.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "server_binary.h"
#include "temp_dir.h"
#include "tessera/json.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::CommandResult;
using testing::PostSignal;
using testing::ReadFile;
using testing::RunCommand;
using testing::Send;
using testing::ServerProcess;
using testing::TempDir;

std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

std::string Signal(const std::string& id, const std::string& vid) {
  Result<Value> signal = ParseJson(
      ReadFile(std::string(TESSERA_SOURCE_DIR) + "/docs/examples/signal.json"));
  EXPECT_TRUE(signal.ok());
  signal->set("id", id);
  signal->set("vid", vid);
  return signal->Dump();
}

// The ids of a site's signals in `db`, as `export signals` writes them.
std::string ExportedSignals(const std::string& db) {
  return RunCommand("export signals --site demo --db " + db).out;
}

size_t Lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(BackupRestoreTest, BackupDuringIngestHoldsEveryAcknowledgedSignal) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  const std::string key =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
  ServerProcess server(db, dir.File("serve.log"));
  ASSERT_NE(server.port(), 0);
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(PostSignal(server.port(), key,
                         Signal("signal_before_" + std::to_string(1000 + i),
                                "visitor-one-000000"))
                  .status,
              202);
  }
  // Ingest goes on while the backup is taken.
  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread ingest([&] {
    for (int i = 0; !stop && i < 5000; ++i) {
      if (PostSignal(server.port(), key,
                     Signal("signal_during_" + std::to_string(100000 + i),
                            "visitor-two-000000"))
              .status == 202) {
        ++during;
      }
    }
  });
  while (during < 20) std::this_thread::yield();
  const std::string backup = dir.File("backups/first.db");
  std::filesystem::create_directories(dir.File("backups"));
  CommandResult made =
      RunCommand("backup --db " + db + " --out " + backup, true);
  stop = true;
  ingest.join();
  ASSERT_EQ(made.exit_code, 0) << made.out;
  EXPECT_NE(made.out.find("backed up " + db + " to " + backup),
            std::string::npos)
      << made.out;
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));

  const std::string copied = ExportedSignals(backup);
  for (int i = 0; i < 40; ++i) {
    EXPECT_NE(copied.find("signal_before_" + std::to_string(1000 + i)),
              std::string::npos)
        << i;
  }
  EXPECT_GE(Lines(copied), 60u);  // and the ones acknowledged during ingest
  EXPECT_NE(made.out.find(std::to_string(Lines(copied)) + " signal(s)"),
            std::string::npos)
      << made.out;
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  EXPECT_EQ(Lines(ExportedSignals(db)), 40u + during);

  // A backup never overwrites, and the file it refused is untouched.
  const std::string before = ReadFile(backup);
  CommandResult again =
      RunCommand("backup --db " + db + " --out " + backup, true);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("exists; a backup never overwrites"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(ReadFile(backup), before);
}

TEST(BackupRestoreTest, MistakesAreNamedAndCreateNothing) {
  TempDir dir;
  const std::string out = dir.File("copy.db");
  CommandResult missing =
      RunCommand("backup --db " + dir.File("typo.db") + " --out " + out, true);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("no database file at '" + dir.File("typo.db")),
            std::string::npos)
      << missing.out;
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));

  std::ofstream(dir.File("notes.txt")) << std::string(8192, 'x');
  CommandResult not_db = RunCommand(
      "backup --db " + dir.File("notes.txt") + " --out " + out, true);
  EXPECT_EQ(not_db.exit_code, 1);
  EXPECT_NE(not_db.out.find("is not a Tessera database"), std::string::npos)
      << not_db.out;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));

  CommandResult restore_junk = RunCommand(
      "restore --db " + dir.File("t.db") + " --from " + dir.File("notes.txt"),
      true);
  EXPECT_EQ(restore_junk.exit_code, 1);
  EXPECT_NE(restore_junk.out.find("is not a Tessera database"),
            std::string::npos)
      << restore_junk.out;
  EXPECT_FALSE(std::filesystem::exists(dir.File("t.db")));

  CommandResult no_dir = RunCommand("backup --db " + dir.File("notes.txt") +
                                        " --out " + dir.File("missing/copy.db"),
                                    true);
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_NE(no_dir.out.find("no directory '" + dir.File("missing") +
                            "' for the backup"),
            std::string::npos)
      << no_dir.out;

  EXPECT_EQ(RunCommand("backup --db " + dir.File("t.db")).exit_code, 2);
  EXPECT_EQ(RunCommand("restore --db " + dir.File("t.db")).exit_code, 2);
  CommandResult postgres = RunCommand(
      "backup --db postgresql://u:p@127.0.0.1:5432/x --out " + out, true);
  EXPECT_EQ(postgres.exit_code, 2);
  EXPECT_NE(postgres.out.find("use pg_dump"), std::string::npos)
      << postgres.out;
}

TEST(BackupRestoreTest, RestoreKeepsLaterErasuresAndTheReplacedDatabase) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  const std::string write =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
  const std::string admin = LastLine(
      RunCommand("keys create --db " + db + " --site demo --kind admin").out);
  const std::string backup = dir.File("before-erasure.db");
  {
    ServerProcess server(db, dir.File("serve.log"));
    ASSERT_NE(server.port(), 0);
    for (const char* vid : {"erased-later-visitor", "kept-visitor-000000",
                            "erased-before-visitor"}) {
      for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(PostSignal(server.port(), write,
                             Signal(std::string("sig_") + vid + "_" +
                                        std::to_string(i),
                                    vid))
                      .status,
                  202);
      }
    }
    auto erase = [&](const char* vid) {
      return Send(server.port(), {"DELETE",
                                  std::string("/v1/admin/profiles/") + vid,
                                  {{"Authorization", "Bearer " + admin}},
                                  ""})
          .status;
    };
    ASSERT_EQ(erase("erased-before-visitor"), 200);
    // The visitor erased before the backup came back with consent.
    ASSERT_EQ(
        PostSignal(server.port(), write,
                   Signal("sig_erased-before_again", "erased-before-visitor"))
            .status,
        202);
    ASSERT_EQ(RunCommand("backup --db " + db + " --out " + backup).exit_code,
              0);
    ASSERT_EQ(erase("erased-later-visitor"), 200);
    ASSERT_EQ(PostSignal(server.port(), write,
                         Signal("sig_after_backup_0000", "kept-visitor-000000"))
                  .status,
              202);

    CommandResult busy =
        RunCommand("restore --db " + db + " --from " + backup, true);
    EXPECT_EQ(busy.exit_code, 1);
    EXPECT_NE(busy.out.find("is in use"), std::string::npos) << busy.out;
    EXPECT_NE(ExportedSignals(db).find("sig_after_backup"), std::string::npos);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  ASSERT_NE(ExportedSignals(backup).find("sig_erased-later-visitor_0"),
            std::string::npos);

  CommandResult restored =
      RunCommand("restore --db " + db + " --from " + backup, true);
  ASSERT_EQ(restored.exit_code, 0) << restored.out;
  EXPECT_NE(restored.out.find("row(s) removed"), std::string::npos)
      << restored.out;
  const std::string now = ExportedSignals(db);
  EXPECT_EQ(now.find("erased-later-visitor"), std::string::npos) << now;
  EXPECT_NE(now.find("sig_kept-visitor-000000_2"), std::string::npos);
  EXPECT_NE(now.find("sig_erased-before_again"), std::string::npos);
  EXPECT_EQ(now.find("sig_after_backup"),
            std::string::npos);  // after the backup
  EXPECT_EQ(Lines(now), 4u);

  // Nothing accepted after the backup is lost: the replaced file keeps it.
  const std::string marker = "the replaced database is kept as ";
  size_t at = restored.out.find(marker);
  ASSERT_NE(at, std::string::npos) << restored.out;
  const std::string replaced =
      LastLine(restored.out.substr(at + marker.size()));
  EXPECT_NE(ExportedSignals(replaced).find("sig_after_backup"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(db + ".restoring"));

  // The restored database logs the erasure it applied again and serves.
  ServerProcess server(db, dir.File("serve2.log"));
  ASSERT_NE(server.port(), 0);
  testing::ClientResponse profile =
      Send(server.port(), {"GET",
                           "/v1/admin/profiles/erased-later-visitor",
                           {{"Authorization", "Bearer " + admin}},
                           ""});
  EXPECT_EQ(profile.status, 200);
  EXPECT_EQ(profile.body.find("sig_erased-later-visitor"), std::string::npos)
      << profile.body;
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  CommandResult twice =
      RunCommand("restore --db " + db + " --from " + backup, true);
  EXPECT_EQ(twice.exit_code, 0) << twice.out;
}

// Someone served from the backup file and the process died: its commits sit
// in the backup's -wal file, and the restore must not leave them behind.
TEST(BackupRestoreTest, RestoreTakesCommitsStillInTheBackupsLog) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  const std::string key =
      LastLine(RunCommand("keys create --db " + db + " --site demo").out);
  const std::string backup = dir.File("served.db");
  ASSERT_EQ(RunCommand("backup --db " + db + " --out " + backup).exit_code, 0);
  {
    ServerProcess server(backup, dir.File("serve.log"));
    ASSERT_NE(server.port(), 0);
    ASSERT_EQ(PostSignal(server.port(), key,
                         Signal("sig_in_backup_log_0001", "visitor-in-the-log"))
                  .status,
              202);
    server.Signal(SIGKILL);
  }
  ASSERT_GT(std::filesystem::file_size(backup + "-wal"), 0u);
  CommandResult restored =
      RunCommand("restore --db " + db + " --from " + backup, true);
  ASSERT_EQ(restored.exit_code, 0) << restored.out;
  EXPECT_NE(ExportedSignals(db).find("sig_in_backup_log_0001"),
            std::string::npos);
}

// A backup made by a newer server (a schema this one does not know) is
// refused before anything is written to it or to the database it would
// replace: this server could neither apply erasures to it reliably nor
// serve it.
TEST(BackupRestoreTest, ABackupFromANewerSchemaIsRefusedAndNothingChanges) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  ASSERT_EQ(RunCommand("migrate --db " + db).exit_code, 0);
  for (const auto& [table, label] :
       {std::pair{"schema_migrations", "schema version 99"},
        std::pair{"crm_schema_migrations", "CRM schema version 99"}}) {
    const std::string backup = dir.File(std::string(table) + ".db");
    ASSERT_EQ(RunCommand("backup --db " + db + " --out " + backup).exit_code,
              0);
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(backup.c_str(), &raw), SQLITE_OK);
    const std::string bump = std::string("INSERT INTO ") + table +
                             " (version, applied_at_ms) VALUES (99, 0)";
    EXPECT_EQ(sqlite3_exec(raw, bump.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
    const std::string backup_bytes = ReadFile(backup);
    const std::string db_bytes = ReadFile(db);

    CommandResult restored =
        RunCommand("restore --db " + db + " --from " + backup, true);
    EXPECT_EQ(restored.exit_code, 1) << restored.out;
    EXPECT_NE(restored.out.find("'" + backup + "' has " + label +
                                ", newer than this server knows"),
              std::string::npos)
        << restored.out;
    EXPECT_TRUE(ReadFile(backup) == backup_bytes) << table;
    EXPECT_TRUE(ReadFile(db) == db_bytes) << table;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      EXPECT_EQ(entry.path().string().find(".re"), std::string::npos)
          << entry.path();
    }
  }
}

// A backup of a database never served has no CRM tables yet; the erasures
// logged in the CRM log since must still be recorded in the restored copy.
TEST(BackupRestoreTest, RestoreOfAnUnservedDatabaseKeepsTheCrmErasureLog) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  const std::string admin = LastLine(
      RunCommand("keys create --db " + db + " --site demo --kind admin").out);
  const std::string backup = dir.File("unserved.db");
  ASSERT_EQ(RunCommand("backup --db " + db + " --out " + backup).exit_code, 0);
  {
    ServerProcess server(db, dir.File("serve.log"));
    ASSERT_NE(server.port(), 0);
    ASSERT_EQ(Send(server.port(), {"DELETE",
                                   "/v1/admin/profiles/someone-erased-0001",
                                   {{"Authorization", "Bearer " + admin}},
                                   ""})
                  .status,
              200);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  CommandResult restored =
      RunCommand("restore --db " + db + " --from " + backup, true);
  ASSERT_EQ(restored.exit_code, 0) << restored.out;
  // Logged in both logs, so both are carried over.
  EXPECT_NE(restored.out.find("2 later erasure(s) applied again"),
            std::string::npos)
      << restored.out;
}

TEST(BackupRestoreTest, RestoreKeepsLaterCustomerErasures) {
  TempDir dir;
  const std::string db = dir.File("tessera.db");
  const std::string admin = LastLine(
      RunCommand("keys create --db " + db + " --site demo --kind admin").out);
  std::ofstream(dir.File("pii.key"))
      << "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7\n";
  std::ofstream(dir.File("customers.csv"))
      << "customer_id,email,name\r\n"
         "cust-erased,ann@example.com,Ann\r\n"
         "cust-kept,carl@example.com,Carl\r\n";
  const std::string pii = " --pii-key-file " + dir.File("pii.key");
  ASSERT_EQ(RunCommand("import customers --db " + db + " --site demo --file " +
                       dir.File("customers.csv") + pii)
                .exit_code,
            0);
  const std::string backup = dir.File("crm.db");
  ASSERT_EQ(RunCommand("backup --db " + db + " --out " + backup).exit_code, 0);
  {
    ServerProcess server(db, dir.File("serve.log"),
                         {"--pii-key-file", dir.File("pii.key")});
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(Send(server.port(), {"DELETE",
                                   "/v1/admin/profiles/cust-erased",
                                   {{"Authorization", "Bearer " + admin}},
                                   ""})
                  .status,
              200);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  auto customers = [&](const std::string& path) {
    return RunCommand("export customers --site demo --db " + path).out;
  };
  ASSERT_NE(customers(backup).find("cust-erased"), std::string::npos);
  CommandResult restored =
      RunCommand("restore --db " + db + " --from " + backup, true);
  ASSERT_EQ(restored.exit_code, 0) << restored.out;
  // One erasure, logged twice (signals log and CRM log); one customer row.
  EXPECT_NE(restored.out.find("2 later erasure(s) applied again, 1 row(s)"),
            std::string::npos)
      << restored.out;
  const std::string now = customers(db);
  EXPECT_EQ(now.find("cust-erased"), std::string::npos) << now;
  EXPECT_NE(now.find("cust-kept"), std::string::npos) << now;
}

}  // namespace
}  // namespace tessera::server
