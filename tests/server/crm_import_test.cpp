// The CRM importer on every CrmStore engine (test_engines.h: SQLite and
// PostgreSQL): incremental re-imports, bad rows reported while the rest
// imports, CDNOW files, PII sealed at rest, email matching by keyed hash,
// and erasure.
#include "tessera/server/crm_import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crm_engine_test.h"
#include "tessera/server/crm_store.h"
#include "test_engines.h"

namespace tessera::server {
namespace {

const char kKey[] =
    "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";
const char kOtherKey[] =
    "0000000000000000000000000000000000000000000000000000000000000001";

// The import's "now": 2026-11-23T12:00:00Z, after every date in the fixtures.
constexpr int64_t kNowMs = 1795435200000;

class CrmImportTest : public testing::CrmEngineTest {
 protected:
  void SetUp() override {
    CrmEngineTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(crm_);
    EXPECT_EQ(crm_->Migrate(), 1);
    EXPECT_EQ(crm_->Migrate(), 1);
  }

  ImportSummary Import(const std::string& text, ImportKind kind,
                       const PiiCipher* pii = nullptr,
                       ImportFormat format = ImportFormat::kCsv) {
    std::istringstream in(text);
    ImportOptions options;
    options.site = "demo";
    options.kind = kind;
    options.format = format;
    options.pii = pii;
    options.batch_rows = 2;  // several batches even for small files
    return ImportCrm(*crm_, in, options, kNowMs);
  }

  ImportSummary ImportFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    ImportOptions options;
    options.site = "demo";
    options.kind = ImportKind::kTransactions;
    options.format = ImportFormat::kCdnow;
    return ImportCrm(*crm_, in, options, kNowMs);
  }
  PiiCipher pii_ = PiiCipher::FromHex(kKey);
};

const char kCustomers[] =
    "customer_id,email,name,tier\r\n"
    "c1,Ann.Lee@Example.com,\"Lee, Ann\",gold\r\n"
    "c2,bob@example.org,Bob,\r\n"
    "c3,,,silver\r\n";

TEST_P(CrmImportTest, ReimportingTheSameFileChangesNothingAndSaysSo) {
  ImportSummary first = Import(kCustomers, ImportKind::kCustomers, &pii_);
  EXPECT_EQ(first.inserted, 3);
  EXPECT_EQ(first.rejected, 0);
  EXPECT_TRUE(first.changed());
  ImportSummary again = Import(kCustomers, ImportKind::kCustomers, &pii_);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_FALSE(again.changed());
  EXPECT_EQ(again.Describe(ImportKind::kCustomers),
            "0 inserted, 0 updated, 3 unchanged, 0 rejected (nothing changed)");
  // One changed row is an update, the rest stays unchanged.
  std::string edited = kCustomers;
  edited.replace(edited.find("gold"), 4, "platinum");
  ImportSummary third = Import(edited, ImportKind::kCustomers, &pii_);
  EXPECT_EQ(third.updated, 1);
  EXPECT_EQ(third.unchanged, 2);
  EXPECT_EQ(crm_->FindCustomer("demo", "c1")->traits_json,
            "{\"tier\":\"platinum\"}");
}

TEST_P(CrmImportTest, SemicolonAndTabExportsImportLikeCommaOnes) {
  // Spreadsheets where ',' is the decimal separator export with ';'.
  const std::string semicolons =
      "customer_id;email;name;tier\r\n"
      "c1;Ann.Lee@Example.com;\"Lee, Ann\";gold\r\n"
      "c2;bob@example.org;Bob;\r\n"
      "c3;;;silver\r\n";
  std::string tabs = semicolons;
  for (char& c : tabs) c = c == ';' ? '\t' : c;
  ImportSummary first = Import(semicolons, ImportKind::kCustomers, &pii_);
  EXPECT_EQ(first.inserted, 3);
  EXPECT_EQ(first.rejected, 0);
  // The same rows, so nothing changes whichever separator they came with.
  EXPECT_EQ(Import(tabs, ImportKind::kCustomers, &pii_).unchanged, 3);
  EXPECT_EQ(Import(kCustomers, ImportKind::kCustomers, &pii_).unchanged, 3);
  EXPECT_EQ(crm_->FindCustomer("demo", "c1")->traits_json,
            "{\"tier\":\"gold\"}");
  // A decimal comma is refused with what to write instead.
  ImportSummary amounts =
      Import("customer_id;date;quantity;amount\nc1;2026-01-05;1;10,50\n",
             ImportKind::kTransactions);
  ASSERT_EQ(amounts.errors.size(), 1u);
  EXPECT_NE(amounts.errors[0].message.find("with '.' as the decimal point"),
            std::string::npos)
      << amounts.errors[0].message;
}

TEST_P(CrmImportTest, BadRowsAreReportedByLineAndTheRestImports) {
  const char text[] =
      "customer_id,email,name\n"
      "c1,ann@example.com,Ann\n"
      "c2,not-an-email,Bob\n"                        // line 3
      "c3,carl@example.com\n"                        // line 4: too few fields
      ",dana@example.com,Dana\n"                     // line 5: no id
      "c6,\"eve\"x@example.com,E\n"                  // line 6: CSV error
      "c1,dup@example.com,Dup\n"                     // line 7: repeated id
      "c8,\"fay@example.com\",\"Fay\nMultiline\"\n"  // line 8: control char
      "c9,gus@example.com,Gus\n";                    // line 10
  std::vector<ImportRowError> seen;
  std::istringstream in(text);
  ImportOptions options;
  options.site = "demo";
  options.pii = &pii_;
  options.on_error = [&](const ImportRowError& e) { seen.push_back(e); };
  ImportSummary summary = ImportCrm(*crm_, in, options, kNowMs);
  EXPECT_EQ(summary.inserted, 2);
  EXPECT_EQ(summary.rejected, 6);
  ASSERT_EQ(summary.errors.size(), 6u);
  EXPECT_EQ(seen.size(), 6u);
  std::vector<int64_t> lines;
  for (const ImportRowError& error : summary.errors)
    lines.push_back(error.line);
  EXPECT_EQ(lines, (std::vector<int64_t>{3, 4, 5, 6, 7, 8}));
  EXPECT_NE(summary.errors[0].message.find("email is not a valid address"),
            std::string::npos);
  EXPECT_NE(summary.errors[1].message.find("expected 3 fields"),
            std::string::npos);
  EXPECT_NE(summary.errors[2].message.find("customer_id is empty"),
            std::string::npos);
  EXPECT_NE(summary.errors[4].message.find("already appeared on line 2"),
            std::string::npos);
  EXPECT_TRUE(crm_->FindCustomer("demo", "c9").has_value());
  EXPECT_FALSE(crm_->FindCustomer("demo", "c2").has_value());
  EXPECT_EQ(crm_->CountCustomers("demo"), 2);
}

// A reason is one line (the CLI prints FILE:LINE: reason) of bounded size,
// whatever the rejected value held: quoted line breaks, a megabyte.
TEST_P(CrmImportTest, RejectedValuesAreShownEscapedAndShortened) {
  const std::string long_amount(5000, '9');
  const std::string text =
      "customer_id,date,quantity,amount\n"
      "c1,2024-01-02,1,\"1\n2\"\n"   // lines 2-3
      "c2,\"2024-01-02\r\n\",1,5\n"  // lines 4-5
      "c3,2024-01-02,1," +
      long_amount + "\n";  // line 6
  ImportSummary summary = Import(text, ImportKind::kTransactions);
  ASSERT_EQ(summary.errors.size(), 3u);
  EXPECT_EQ(summary.errors[0].line, 2);
  EXPECT_NE(summary.errors[0].message.find("amount '1\\n2' is not"),
            std::string::npos)
      << summary.errors[0].message;
  EXPECT_EQ(summary.errors[1].line, 4);
  EXPECT_NE(summary.errors[1].message.find("date '2024-01-02\\r\\n' is not"),
            std::string::npos)
      << summary.errors[1].message;
  EXPECT_EQ(summary.errors[2].line, 6);
  EXPECT_LT(summary.errors[2].message.size(), 200u);
  EXPECT_NE(summary.errors[2].message.find("'999"), std::string::npos);
  EXPECT_NE(summary.errors[2].message.find("...'"), std::string::npos)
      << summary.errors[2].message;
  try {
    Import("customer_id,date,quantity,amount,\"memo\nfield\"\n",
           ImportKind::kTransactions);
    FAIL() << "imported with an unknown column";
  } catch (const ImportError& error) {
    EXPECT_NE(std::string(error.what()).find("column 'memo\\nfield'"),
              std::string::npos)
        << error.what();
  }
}

// Excel's "Unicode Text" export is UTF-16 with a byte order mark; read as
// bytes its header is "\xFF\xFEc\0u\0...", and the error stopped at the
// first NUL ("found: \xFF\xFEc").
TEST_P(CrmImportTest, Utf16FilesAreRefusedWithWhatToDo) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("customer_id\ttier\r\nc1\tgold\r\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  try {
    Import(utf16, ImportKind::kCustomers);
    FAIL() << "imported a UTF-16 file";
  } catch (const ImportError& error) {
    EXPECT_NE(std::string(error.what()).find("UTF-16"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("UTF-8"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(crm_->CountCustomers("demo"), 0);
}

TEST_P(CrmImportTest, UnusableFilesAreRefusedBeforeWriting) {
  // PII columns without a key.
  try {
    Import(kCustomers, ImportKind::kCustomers, nullptr);
    FAIL() << "imported PII without a key";
  } catch (const ImportError& error) {
    EXPECT_NE(std::string(error.what()).find("no PII key was given"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(Import("", ImportKind::kCustomers, &pii_), ImportError);
  EXPECT_THROW(Import("email,name\nx@y.z,X\n", ImportKind::kCustomers, &pii_),
               ImportError);
  EXPECT_THROW(Import("customer_id,phone\nc1,555\n", ImportKind::kCustomers),
               ImportError);
  EXPECT_THROW(Import("customer_id,date,qty\n", ImportKind::kTransactions),
               ImportError);
  EXPECT_EQ(crm_->CountCustomers("demo"), 0);
  // Without PII columns no key is needed.
  EXPECT_EQ(
      Import("customer_id,tier\nc1,gold\n", ImportKind::kCustomers).inserted,
      1);
}

TEST_P(CrmImportTest, TraitsHoldingEmailsAreRejected) {
  ImportSummary summary =
      Import("customer_id,note\nc1,write to ann@example.com\nc2,ok\n",
             ImportKind::kCustomers);
  EXPECT_EQ(summary.inserted, 1);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 2);
  EXPECT_NE(summary.errors[0].message.find("trait 'note'"), std::string::npos);
}

TEST_P(CrmImportTest, EmailsAndNamesAreSealedAtRestNotInClear) {
  Import(kCustomers, ImportKind::kCustomers, &pii_);
  std::optional<CustomerRecord> ann = crm_->FindCustomer("demo", "c1");
  ASSERT_TRUE(ann.has_value());
  EXPECT_EQ(ann->email_sealed.find("ann.lee"), std::string::npos);
  EXPECT_EQ(pii_.Decrypt(ann->email_sealed, PiiContext("demo", "c1", "email")),
            "ann.lee@example.com");
  EXPECT_EQ(pii_.Decrypt(ann->name_sealed, PiiContext("demo", "c1", "name")),
            "Lee, Ann");
  // A sealed value moved to another customer's row does not open.
  EXPECT_THROW(
      pii_.Decrypt(ann->email_sealed, PiiContext("demo", "c2", "email")),
      PiiError);
  std::optional<CustomerRecord> carl = crm_->FindCustomer("demo", "c3");
  ASSERT_TRUE(carl.has_value());
  EXPECT_TRUE(carl->email_sealed.empty());
  EXPECT_TRUE(carl->email_hmac.empty());
  // Nowhere in what the database stores, in any case.
  std::string bytes = engine_->StoredBytes(db_);
  ASSERT_NE(bytes.find(ann->email_hmac), std::string::npos);  // read it all
  for (const char* clear : {"ann.lee@example.com", "Ann.Lee@Example.com",
                            "bob@example.org", "Lee, Ann"}) {
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  }
  EXPECT_NE(bytes.find("gold"), std::string::npos);  // traits are in clear
}

TEST_P(CrmImportTest, AnotherKeyIsRefusedClearly) {
  Import(kCustomers, ImportKind::kCustomers, &pii_);
  PiiCipher other = PiiCipher::FromHex(kOtherKey);
  try {
    Import(kCustomers, ImportKind::kCustomers, &other);
    FAIL() << "imported with another key";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("not the key this database's emails and names"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(VerifyPiiKey(*crm_, other, false), PiiError);
  EXPECT_NO_THROW(VerifyPiiKey(*crm_, pii_, false));
  std::optional<CustomerRecord> ann = crm_->FindCustomer("demo", "c1");
  EXPECT_THROW(
      other.Decrypt(ann->email_sealed, PiiContext("demo", "c1", "email")),
      PiiError);
}

TEST_P(CrmImportTest, CustomersAreFoundByKeyedEmailHash) {
  Import(kCustomers, ImportKind::kCustomers, &pii_);
  std::vector<CustomerRecord> found = crm_->FindCustomersByEmailHmac(
      "demo", pii_.EmailHmac(" ANN.LEE@example.COM "));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].customer_id, "c1");
  EXPECT_TRUE(crm_->FindCustomersByEmailHmac(
                      "other-site", pii_.EmailHmac("ann.lee@example.com"))
                  .empty());
  EXPECT_EQ(
      crm_->FindCustomersByEmailHmac("*", pii_.EmailHmac("bob@example.org"))
          .size(),
      1u);
  PiiCipher other = PiiCipher::FromHex(kOtherKey);
  EXPECT_TRUE(crm_->FindCustomersByEmailHmac(
                      "demo", other.EmailHmac("ann.lee@example.com"))
                  .empty());
}

TEST_P(CrmImportTest, TransactionsDatedAfterTomorrowAreRefusedWithTheirLine) {
  // kNowMs is 2026-11-23 (UTC): tomorrow is the latest day accepted.
  const char text[] =
      "customer_id,date,quantity,amount\n"
      "c1,2026-11-23,1,5.00\n"  // today
      "c1,2026-11-24,1,5.00\n"  // tomorrow: some time zone's today
      "c1,2026-11-25,1,5.00\n"  // line 4
      "c1,20991231,1,5.00\n";   // line 5
  ImportSummary summary = Import(text, ImportKind::kTransactions);
  EXPECT_EQ(summary.inserted, 2);
  ASSERT_EQ(summary.errors.size(), 2u);
  EXPECT_EQ(summary.errors[0].line, 4);
  EXPECT_EQ(summary.errors[0].message,
            "date '2026-11-25' is in the future (the latest accepted is "
            "2026-11-24)");
  EXPECT_EQ(summary.errors[1].line, 5);
  EXPECT_EQ(crm_->TransactionsOfCustomer("demo", "c1").size(), 2u);
}

TEST_P(CrmImportTest, TransactionsAreIncrementalAndCreateCustomers) {
  const char text[] =
      "transaction_id,customer_id,date,quantity,amount\n"
      "t1,c1,2024-03-01,2,19.90\n"
      "t2,c1,20240302,1,-5\n"
      "t3,c2,2024-02-30,1,3.00\n"   // line 4: no such day
      "t4,c2,2024-03-03,x,3.00\n"   // line 5
      "t5,c2,2024-03-03,1,3.999\n"  // line 6
      "t1,c9,2024-03-04,1,1.00\n";  // line 7: repeated transaction id
  ImportSummary first = Import(text, ImportKind::kTransactions);
  EXPECT_EQ(first.inserted, 2);
  EXPECT_EQ(first.rejected, 4);
  EXPECT_EQ(first.customers_created, 1);
  ASSERT_EQ(first.errors.size(), 4u);
  EXPECT_EQ(first.errors[0].line, 4);
  EXPECT_NE(first.errors[0].message.find("calendar day"), std::string::npos);
  EXPECT_EQ(first.errors[3].line, 7);
  std::vector<TransactionRecord> of_c1 =
      crm_->TransactionsOfCustomer("demo", "c1");
  ASSERT_EQ(of_c1.size(), 2u);
  EXPECT_EQ(of_c1[0].day, "2024-03-01");
  EXPECT_EQ(of_c1[0].amount_cents, 1990);
  EXPECT_EQ(of_c1[1].amount_cents, -500);
  ImportSummary again = Import(text, ImportKind::kTransactions);
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_FALSE(again.changed());
  std::string edited = text;
  edited.replace(edited.find("19.90"), 5, "21.00");
  ImportSummary third = Import(edited, ImportKind::kTransactions);
  EXPECT_EQ(third.updated, 1);
  EXPECT_EQ(third.unchanged, 1);
  EXPECT_EQ(crm_->CountTransactions("demo"), 2);
}

TEST_P(CrmImportTest, IdenticalTransactionRowsWithoutIdsAreDistinct) {
  const char text[] =
      "customer_id,date,quantity,amount\n"
      "c1,2024-03-01,1,10.00\n"
      "c1,2024-03-01,1,10.00\n";
  EXPECT_EQ(Import(text, ImportKind::kTransactions).inserted, 2);
  ImportSummary again = Import(text, ImportKind::kTransactions);
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(crm_->CountTransactions("demo"), 2);
}

TEST_P(CrmImportTest, CdnowSampleImports) {
  ImportSummary summary =
      ImportFile(std::string(TESSERA_CDNOW_DIR) + "/CDNOW_sample.txt");
  EXPECT_EQ(summary.rejected, 0);
  EXPECT_EQ(summary.inserted, 6919);
  EXPECT_EQ(summary.customers_created, 2357);
  EXPECT_EQ(crm_->CountCustomers("demo"), 2357);
  // Keyed by the master id: the first rows are master customer 00004.
  std::vector<TransactionRecord> first =
      crm_->TransactionsOfCustomer("demo", "00004");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].day, "1997-01-01");
  EXPECT_EQ(first[0].quantity, 2);
  EXPECT_EQ(first[0].amount_cents, 2933);
}

TEST_P(CrmImportTest, CdnowMasterHasTheCustomersItsReadmeStates) {
  const std::string path = std::string(TESSERA_CDNOW_DIR) + "/CDNOW_master.txt";
  ImportSummary summary = ImportFile(path);
  EXPECT_EQ(summary.rejected, 0);
  EXPECT_EQ(summary.inserted, 69659);
  EXPECT_EQ(summary.customers_created, 23570);
  EXPECT_EQ(crm_->CountCustomers("demo"), 23570);
  EXPECT_EQ(crm_->CountTransactions("demo"), 69659);
  int64_t total = 0;
  crm_->ForEachTransaction(
      "demo", [&](const TransactionRecord& t) { total += t.amount_cents; });
  EXPECT_EQ(total, 250031563);  // $2,500,315.63, summed with awk
  // Customer 00002 bought twice on 1997-01-12 (1 CD for $12, 5 for $77).
  std::vector<TransactionRecord> two =
      crm_->TransactionsOfCustomer("demo", "00002");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].amount_cents + two[1].amount_cents, 8900);
  ImportSummary again = ImportFile(path);
  EXPECT_EQ(again.unchanged, 69659);
  EXPECT_FALSE(again.changed());
}

TEST_P(CrmImportTest, CdnowBadLinesAreReported) {
  ImportSummary summary = Import(
      " customer_id  date number_of_cds  dollar_value\r\n"
      " 00001 19970101  1   11.77\r\n"
      " 00002 19971301  1   1.00\r\n"
      " 00003 19970101\r\n"
      " 00004 19970102  2   20.00\r\n",
      ImportKind::kTransactions, nullptr, ImportFormat::kCdnow);
  EXPECT_EQ(summary.inserted, 2);
  ASSERT_EQ(summary.errors.size(), 2u);
  EXPECT_EQ(summary.errors[0].line, 3);
  EXPECT_EQ(summary.errors[1].line, 4);
  EXPECT_NE(summary.errors[1].message.find("expected 4 fields"),
            std::string::npos);
}

TEST_P(CrmImportTest, ErasureRemovesTheCustomerTransactionsAndLinks) {
  Import(kCustomers, ImportKind::kCustomers, &pii_);
  Import(
      "customer_id,date,quantity,amount\nc1,2024-01-01,1,5\n"
      "c2,2024-01-01,1,5\n",
      ImportKind::kTransactions);
  EXPECT_TRUE(
      crm_->LinkIdentity({"demo", "vid-1", "c1", "api:customer_id", 5}));
  EXPECT_FALSE(
      crm_->LinkIdentity({"demo", "vid-1", "c1", "api:customer_id", 6}));
  EXPECT_TRUE(crm_->LinkIdentity({"demo", "vid-2", "c1", "api:email", 7}));
  ASSERT_EQ(crm_->LinksOf("demo", "c1").size(), 2u);

  CrmErasureRecord erased = crm_->EraseSubject("demo", "c1", 99);
  EXPECT_EQ(erased.customers_erased, 1);
  EXPECT_EQ(erased.transactions_erased, 1);
  EXPECT_EQ(erased.links_erased, 2);
  EXPECT_EQ(erased.linked_vids, (std::vector<std::string>{"vid-1", "vid-2"}));
  EXPECT_FALSE(crm_->FindCustomer("demo", "c1").has_value());
  EXPECT_TRUE(crm_->TransactionsOfCustomer("demo", "c1").empty());
  EXPECT_TRUE(crm_->LinksOf("demo", "c1").empty());
  EXPECT_TRUE(crm_->FindCustomer("demo", "c2").has_value());
  std::vector<CrmErasureRecord> log = crm_->ListErasures();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].subject_hash.size(), 64u);
  EXPECT_EQ(log[0].customers_erased, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrmImportTest, testing::EngineParams(),
                         testing::EngineParamName());

}  // namespace
}  // namespace tessera::server
