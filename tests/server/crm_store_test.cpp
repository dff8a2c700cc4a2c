// The CrmStore contract itself, on every engine (test_engines.h: SQLite and
// PostgreSQL): what the importer tests do not reach — values that must come
// back byte for byte, byte-wise order, keys repeated in one batch, site
// scopes, timestamps, and two stores (replicas) on one database.
#include "tessera/server/crm_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_engines.h"

namespace tessera::server {
namespace {

CustomerRecord Customer(const std::string& site, const std::string& id,
                        const std::string& row_hash) {
  CustomerRecord c;
  c.site = site;
  c.customer_id = id;
  c.row_hash = row_hash;
  return c;
}

TransactionRecord Purchase(const std::string& site, const std::string& key,
                           const std::string& customer_id,
                           const std::string& row_hash) {
  TransactionRecord t;
  t.site = site;
  t.row_key = key;
  t.row_hash = row_hash;
  t.customer_id = customer_id;
  t.day = "2024-03-01";
  t.quantity = 1;
  t.amount_cents = 100;
  return t;
}

class CrmStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(engine_->Ready(&why)) << why;
    db_ = engine_->NewDatabase();
    crm_ = Open();
  }
  std::unique_ptr<CrmStore> Open() {
    std::unique_ptr<CrmStore> crm = OpenCrmStore(db_);
    EXPECT_TRUE(crm);
    if (crm) crm->Migrate();
    return crm;
  }
  std::vector<std::string> CustomerIds(const std::string& site) {
    std::vector<std::string> ids;
    crm_->ForEachCustomer(site, [&](const CustomerRecord& c) {
      ids.push_back(c.site + "/" + c.customer_id);
    });
    return ids;
  }

  std::unique_ptr<testing::TestEngine> engine_ =
      testing::MakeEngine(GetParam());
  std::string db_;
  std::unique_ptr<CrmStore> crm_;
};

TEST_P(CrmStoreTest, SchemaVersionIsZeroUntilMigratedThenOne) {
  std::unique_ptr<CrmStore> fresh = OpenCrmStore(engine_->NewDatabase());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->SchemaVersion(), 0);
  EXPECT_EQ(fresh->Migrate(), 1);
  EXPECT_EQ(fresh->SchemaVersion(), 1);
  EXPECT_EQ(fresh->Migrate(), 1);
  EXPECT_EQ(crm_->SchemaVersion(), 1);
}

TEST_P(CrmStoreTest, SealedBytesAndAwkwardTextComeBackExactly) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  CustomerRecord c = Customer("demo", "id \"quoted\" \\ {a,b} NULL é", "h1");
  c.email_hmac = std::string(64, 'a');
  c.email_sealed = every_byte;
  c.name_sealed = std::string("\0\0name\0", 7);
  c.traits_json = R"({"note":"commas, \"quotes\", \\backslash, {braces}"})";
  EXPECT_EQ(
      crm_->UpsertCustomers({c, Customer("demo", "", "h2")}, 10, ""),
      (std::vector<RowOutcome>{RowOutcome::kInserted, RowOutcome::kInserted}));
  std::optional<CustomerRecord> back =
      crm_->FindCustomer("demo", c.customer_id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->email_sealed, every_byte);
  EXPECT_EQ(back->name_sealed, c.name_sealed);
  EXPECT_EQ(back->traits_json, c.traits_json);
  EXPECT_EQ(back->email_hmac, c.email_hmac);
  // No email: no hash and nothing sealed, and not found by an empty hash.
  std::optional<CustomerRecord> bare = crm_->FindCustomer("demo", "");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->email_hmac, "");
  EXPECT_EQ(bare->email_sealed, "");
  EXPECT_EQ(bare->traits_json, "{}");
  EXPECT_TRUE(crm_->FindCustomersByEmailHmac("demo", "").empty());
  EXPECT_EQ(crm_->FindCustomersByEmailHmac("demo", c.email_hmac).size(), 1u);
}

TEST_P(CrmStoreTest, IterationIsInByteOrderWhateverTheLocale) {
  std::vector<CustomerRecord> batch;
  for (const char* id : {"b", "B", "a", "_", "ä", "A10", "A9"}) {
    batch.push_back(Customer("s", id, "h"));
  }
  batch.push_back(Customer("S", "z", "h"));
  crm_->UpsertCustomers(batch, 1, "");
  EXPECT_EQ(CustomerIds("*"),
            (std::vector<std::string>{"S/z", "s/A10", "s/A9", "s/B", "s/_",
                                      "s/a", "s/b", "s/ä"}));
  crm_->UpsertTransactions(
      {Purchase("s", "k2", "b", "h"), Purchase("s", "k1", "b", "h"),
       Purchase("s", "k3", "B", "h")},
      1);
  std::vector<std::string> keys;
  crm_->ForEachTransaction(
      "s", [&](const TransactionRecord& t) { keys.push_back(t.row_key); });
  EXPECT_EQ(keys, (std::vector<std::string>{"k3", "k1", "k2"}));
}

TEST_P(CrmStoreTest, AKeyRepeatedInOneBatchActsAsRowsInSequence) {
  std::vector<RowOutcome> outcomes = crm_->UpsertCustomers(
      {Customer("demo", "c1", "v1"), Customer("demo", "c1", "v1"),
       Customer("demo", "c1", "v2")},
      5, "");
  EXPECT_EQ(outcomes, (std::vector<RowOutcome>{RowOutcome::kInserted,
                                               RowOutcome::kUnchanged,
                                               RowOutcome::kUpdated}));
  EXPECT_EQ(crm_->FindCustomer("demo", "c1")->row_hash, "v2");
  TransactionRecord first = Purchase("demo", "t1", "c1", "a");
  TransactionRecord second = Purchase("demo", "t1", "c2", "b");
  second.amount_cents = -250;
  TransactionBatchOutcome batch = crm_->UpsertTransactions({first, second}, 6);
  EXPECT_EQ(batch.rows, (std::vector<RowOutcome>{RowOutcome::kInserted,
                                                 RowOutcome::kUpdated}));
  EXPECT_EQ(batch.customers_created, 1);  // c2
  EXPECT_EQ(crm_->CountTransactions("demo"), 1);
  std::vector<TransactionRecord> of_c2 =
      crm_->TransactionsOfCustomer("demo", "c2");
  ASSERT_EQ(of_c2.size(), 1u);
  EXPECT_EQ(of_c2[0].amount_cents, -250);
  EXPECT_EQ(of_c2[0].imported_at_ms, 6);
}

TEST_P(CrmStoreTest, UpdatesKeepTheCreationTimeAndBareCustomersFillIn) {
  TransactionBatchOutcome bought =
      crm_->UpsertTransactions({Purchase("demo", "t1", "c1", "h")}, 100);
  EXPECT_EQ(bought.customers_created, 1);
  std::optional<CustomerRecord> bare = crm_->FindCustomer("demo", "c1");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->row_hash, "");
  EXPECT_EQ(bare->created_at_ms, 100);
  // The customer file arrives later: an update of the bare row.
  CustomerRecord full = Customer("demo", "c1", "row");
  full.traits_json = R"({"tier":"gold"})";
  EXPECT_EQ(crm_->UpsertCustomers({full}, 200, ""),
            (std::vector<RowOutcome>{RowOutcome::kUpdated}));
  std::optional<CustomerRecord> after = crm_->FindCustomer("demo", "c1");
  EXPECT_EQ(after->created_at_ms, 100);
  EXPECT_EQ(after->updated_at_ms, 200);
  EXPECT_EQ(after->traits_json, full.traits_json);
  // A later purchase does not create it again.
  EXPECT_EQ(crm_->UpsertTransactions({Purchase("demo", "t2", "c1", "h")}, 300)
                .customers_created,
            0);
  EXPECT_EQ(crm_->CountCustomers("demo"), 1);
}

TEST_P(CrmStoreTest, SiteScopesReadAndEraseOneSiteOrAll) {
  crm_->UpsertCustomers({Customer("a", "c1", "h"), Customer("b", "c1", "h"),
                         Customer("b", "c2", "h")},
                        1, "");
  crm_->UpsertTransactions(
      {Purchase("a", "t", "c1", "h"), Purchase("b", "t", "c1", "h")}, 1);
  EXPECT_EQ(crm_->CountCustomers("a"), 1);
  EXPECT_EQ(crm_->CountCustomers("*"), 3);
  EXPECT_EQ(crm_->CountCustomers(""), 3);
  EXPECT_EQ(crm_->CustomersById("*", "c1").size(), 2u);
  EXPECT_EQ(crm_->CustomersById("b", "c1").size(), 1u);
  EXPECT_TRUE(crm_->LinkIdentity({"a", "v1", "c1", "api:customer_id", 1}));
  EXPECT_TRUE(crm_->LinkIdentity({"b", "v1", "c1", "api:customer_id", 2}));
  // The visitor also linked to another customer: merge history, kept.
  EXPECT_TRUE(crm_->LinkIdentity({"b", "v1", "c2", "api:email", 3}));
  EXPECT_EQ(crm_->LinksOf("*", "v1").size(), 3u);
  EXPECT_EQ(crm_->LinksOf("b", "v1").size(), 2u);

  CrmErasureRecord in_a = crm_->EraseSubject("a", "c1", 10);
  EXPECT_EQ(in_a.site, "a");
  EXPECT_EQ(in_a.customers_erased, 1);
  EXPECT_EQ(in_a.transactions_erased, 1);
  EXPECT_EQ(in_a.links_erased, 1);
  EXPECT_EQ(crm_->CountCustomers("b"), 2);
  // A visitor id erases the visitor's links, in every site with "*".
  CrmErasureRecord visitor = crm_->EraseSubject("*", "v1", 11);
  EXPECT_EQ(visitor.site, "*");
  EXPECT_EQ(visitor.customers_erased, 0);
  EXPECT_EQ(visitor.links_erased, 2);
  EXPECT_TRUE(crm_->LinksOf("*", "c2").empty());
  CrmErasureRecord everywhere = crm_->EraseSubject("", "c1", 12);
  EXPECT_EQ(everywhere.customers_erased, 1);
  EXPECT_EQ(everywhere.transactions_erased, 1);
  EXPECT_EQ(crm_->CountCustomers("*"), 1);
  EXPECT_EQ(crm_->CountTransactions("*"), 0);
  std::vector<CrmErasureRecord> log = crm_->ListErasures();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].erased_at_ms, 10);
  EXPECT_EQ(log[2].site, "*");
  EXPECT_TRUE(log[0].linked_vids.empty());  // not persisted
}

TEST_P(CrmStoreTest, TwoStoresOnOneDatabaseShareEverything) {
  std::unique_ptr<CrmStore> replica = Open();
  ASSERT_TRUE(replica);
  EXPECT_FALSE(crm_->PiiKeyCheck().has_value());
  EXPECT_EQ(crm_->RecordPiiKeyCheck("first"), "first");
  // The check recorded first wins, whichever store asks.
  EXPECT_EQ(replica->RecordPiiKeyCheck("second"), "first");
  EXPECT_EQ(replica->PiiKeyCheck(), "first");
  crm_->UpsertCustomers({Customer("demo", "c1", "h")}, 1, "");
  EXPECT_EQ(replica->UpsertCustomers({Customer("demo", "c1", "h")}, 2, ""),
            (std::vector<RowOutcome>{RowOutcome::kUnchanged}));
  EXPECT_TRUE(replica->LinkIdentity({"demo", "v", "c1", "api:email", 3}));
  EXPECT_FALSE(crm_->LinkIdentity({"demo", "v", "c1", "api:email", 4}));
  replica.reset();
  crm_.reset();
  crm_ = Open();
  EXPECT_EQ(crm_->LinksOf("demo", "c1").size(), 1u);
  EXPECT_EQ(crm_->CountCustomers("demo"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrmStoreTest, testing::EngineParams(),
                         testing::EngineParamName());

}  // namespace
}  // namespace tessera::server
