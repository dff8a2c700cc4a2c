// PII key rotation (pii_key_rotation.h) on every CrmStore engine
// (test_engines.h: SQLite and PostgreSQL): every sealed value moves to the
// new key with matching and incremental imports intact, the old key is
// refused afterwards, and a rotation that fails part-way changes nothing.
#include "pii_key_rotation.h"

#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <utility>

#include "crm_engine_test.h"
#include "tessera/server/crm_import.h"
#include "tessera/server/crm_store.h"
#include "test_engines.h"

namespace tessera::server {
namespace {

const char kOldKey[] =
    "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";
const char kNewKey[] =
    "3c0ffee5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829300042";

const char kCustomers[] =
    "customer_id,email,name,tier\r\n"
    "c1,Ann.Lee@Example.com,\"Lee, Ann\",gold\r\n"
    "c2,bob@example.org,,\r\n"
    "c3,,Carl,silver\r\n"
    "c4,,,bronze\r\n";

class PiiKeyRotationTest : public testing::CrmEngineTest {
 protected:
  void SetUp() override {
    CrmEngineTest::SetUp();
    if (HasFatalFailure()) return;
    crm_->Migrate();
  }

  ImportSummary Import(const std::string& csv, const PiiCipher* pii) {
    std::istringstream in(csv);
    ImportOptions options;
    options.site = "demo";
    options.kind = ImportKind::kCustomers;
    options.pii = pii;
    options.batch_rows = 1000;
    return ImportCrm(*crm_, in, options, 1795435200000);
  }

  // What `field` of customer `id` opens to with `key` ("" when none).
  std::string Opened(const PiiCipher& key, const std::string& id,
                     const char* field) {
    std::optional<CustomerRecord> c = crm_->FindCustomer("demo", id);
    EXPECT_TRUE(c.has_value()) << id;
    if (!c) return "";
    const std::string& sealed =
        std::string(field) == "email" ? c->email_sealed : c->name_sealed;
    return sealed.empty() ? ""
                          : key.Decrypt(sealed, PiiContext("demo", id, field));
  }

  PiiCipher old_key_ = PiiCipher::FromHex(kOldKey);
  PiiCipher new_key_ = PiiCipher::FromHex(kNewKey);
};

TEST_P(PiiKeyRotationTest, EveryValueMovesToTheNewKeyAndTheOldIsRefused) {
  ASSERT_EQ(Import(kCustomers, &old_key_).inserted, 4);
  std::optional<CustomerRecord> before = crm_->FindCustomer("demo", "c1");

  PiiRotationReport report = RotatePiiKey(*crm_, old_key_, new_key_);
  EXPECT_EQ(report.customers_resealed, 3);  // c4 holds no email or name
  EXPECT_FALSE(report.nothing_sealed);

  EXPECT_EQ(Opened(new_key_, "c1", "email"), "ann.lee@example.com");
  EXPECT_EQ(Opened(new_key_, "c1", "name"), "Lee, Ann");
  EXPECT_EQ(Opened(new_key_, "c2", "email"), "bob@example.org");
  EXPECT_EQ(Opened(new_key_, "c2", "name"), "");
  EXPECT_EQ(Opened(new_key_, "c3", "name"), "Carl");
  EXPECT_THROW(Opened(old_key_, "c1", "email"), PiiError);
  std::optional<CustomerRecord> after = crm_->FindCustomer("demo", "c1");
  EXPECT_EQ(after->traits_json, before->traits_json);
  EXPECT_EQ(after->created_at_ms, before->created_at_ms);
  EXPECT_EQ(after->updated_at_ms, before->updated_at_ms);
  EXPECT_TRUE(crm_->FindCustomer("demo", "c4")->email_hmac.empty());

  // Matching by email works with the new key only.
  std::vector<CustomerRecord> found = crm_->FindCustomersByEmailHmac(
      "demo", new_key_.EmailHmac("ann.lee@example.com"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].customer_id, "c1");
  EXPECT_TRUE(crm_->FindCustomersByEmailHmac(
                      "demo", old_key_.EmailHmac("ann.lee@example.com"))
                  .empty());

  // Row hashes were recomputed as an import computes them: the same file
  // under the new key changes nothing.
  ImportSummary again = Import(kCustomers, &new_key_);
  EXPECT_FALSE(again.changed()) << again.Describe(ImportKind::kCustomers);
  EXPECT_EQ(again.unchanged, 4);

  EXPECT_THROW(Import(kCustomers, &old_key_), PiiError);
  EXPECT_THROW(VerifyPiiKey(*crm_, old_key_, false), PiiError);
  EXPECT_NO_THROW(VerifyPiiKey(*crm_, new_key_, false));
  // Nothing of the old key's values stays where the store keeps them.
  EXPECT_EQ(engine_->StoredBytes(db_).find(before->email_sealed),
            std::string::npos);
}

TEST_P(PiiKeyRotationTest, ManyCustomersAcrossPagesAreAllResealed) {
  std::string csv = "customer_id,email\r\n";
  const int kCustomerCount = 1300;  // more than two of the stores' pages
  for (int i = 0; i < kCustomerCount; ++i) {
    csv += "id" + std::to_string(i) + ",p" + std::to_string(i) +
           "@example.com\r\n";
  }
  ASSERT_EQ(Import(csv, &old_key_).inserted, kCustomerCount);
  EXPECT_EQ(RotatePiiKey(*crm_, old_key_, new_key_).customers_resealed,
            kCustomerCount);
  int opened = 0;
  crm_->ForEachCustomer("demo", [&](const CustomerRecord& c) {
    opened +=
        new_key_
            .Decrypt(c.email_sealed, PiiContext("demo", c.customer_id, "email"))
            .size() > 0;
  });
  EXPECT_EQ(opened, kCustomerCount);
  EXPECT_FALSE(Import(csv, &new_key_).changed());
}

TEST_P(PiiKeyRotationTest, AFailurePartWayChangesNothing) {
  Import(kCustomers, &old_key_);
  std::optional<CustomerRecord> c1 = crm_->FindCustomer("demo", "c1");
  int calls = 0;
  EXPECT_THROW(crm_->ResealPii(old_key_.KeyCheck(), new_key_.KeyCheck(),
                               [&](CustomerRecord& c) {
                                 if (++calls == 2) {
                                   throw PiiError("the second one fails");
                                 }
                                 SealCustomerPii(&new_key_, "x@example.com", "",
                                                 &c);
                               }),
               PiiError);
  EXPECT_EQ(calls, 2);
  std::optional<CustomerRecord> unchanged = crm_->FindCustomer("demo", "c1");
  EXPECT_EQ(unchanged->email_sealed, c1->email_sealed);
  EXPECT_EQ(unchanged->email_hmac, c1->email_hmac);
  EXPECT_EQ(unchanged->row_hash, c1->row_hash);
  EXPECT_EQ(crm_->PiiKeyCheck(), old_key_.KeyCheck());
  EXPECT_EQ(Opened(old_key_, "c1", "email"), "ann.lee@example.com");

  // A stale check (another rotation came first) is refused before any row.
  calls = 0;
  EXPECT_THROW(crm_->ResealPii(new_key_.KeyCheck(), old_key_.KeyCheck(),
                               [&](CustomerRecord&) { ++calls; }),
               StoreError);
  EXPECT_EQ(calls, 0);
}

TEST_P(PiiKeyRotationTest, WrongOrSameKeysAreRefusedClearly) {
  Import(kCustomers, &old_key_);
  try {
    RotatePiiKey(*crm_, new_key_, old_key_);
    FAIL() << "rotated with a key that is not the database's";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("not the key this database"),
              std::string::npos)
        << error.what();
  }
  try {
    RotatePiiKey(*crm_, old_key_, old_key_);
    FAIL() << "rotated to the same key";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("is the current key"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(crm_->PiiKeyCheck(), old_key_.KeyCheck());
}

TEST_P(PiiKeyRotationTest, AValueTheKeyCannotOpenIsNamedAndNothingChanges) {
  Import(kCustomers, &old_key_);
  // c2's sealed email replaced by c1's: it is bound to c1, so it does not
  // open as c2's (as after tampering or a botched manual copy).
  CustomerRecord c2 = *crm_->FindCustomer("demo", "c2");
  c2.email_sealed = crm_->FindCustomer("demo", "c1")->email_sealed;
  c2.row_hash = "forces an update";
  crm_->UpsertCustomers({c2}, 1, "");
  try {
    RotatePiiKey(*crm_, old_key_, new_key_);
    FAIL() << "rotated over a value that does not open";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("email of customer 'c2'"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(crm_->PiiKeyCheck(), old_key_.KeyCheck());
  EXPECT_EQ(Opened(old_key_, "c1", "email"), "ann.lee@example.com");
}

// Serves `text`, running `midway` once before handing out the bytes from
// `at` on: an import that reads past `at` meets a rotation between batches.
class InterruptedText : public std::streambuf {
 public:
  InterruptedText(std::string text, size_t at, std::function<void()> midway)
      : text_(std::move(text)), at_(at), midway_(std::move(midway)) {
    char* begin = text_.data();
    setg(begin, begin, begin + at_);
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (midway_) {
      std::exchange(midway_, nullptr)();
      char* begin = text_.data();
      setg(begin, begin + at_, begin + text_.size());
      return gptr() < egptr() ? traits_type::to_int_type(*gptr())
                              : traits_type::eof();
    }
    return traits_type::eof();
  }

 private:
  std::string text_;
  size_t at_;
  std::function<void()> midway_;
};

TEST_P(PiiKeyRotationTest, AnImportRacingARotationWritesNothingUnderTheOldKey) {
  ASSERT_EQ(
      Import("customer_id,email\r\nfirst,first@example.com\r\n", &old_key_)
          .inserted,
      1);
  std::string csv = "customer_id,email\r\n";
  for (int i = 0; i < 7000; ++i) {  // ~200 KB: several of the reader's reads
    csv += "id" + std::to_string(i) + ",p" + std::to_string(i) +
           "@example.com\r\n";
  }
  bool rotated = false;
  InterruptedText text(csv, 100 * 1024, [&] {
    RotatePiiKey(*crm_, old_key_, new_key_);
    rotated = true;
  });
  std::istream in(&text);
  ImportOptions options;
  options.site = "demo";
  options.kind = ImportKind::kCustomers;
  options.pii = &old_key_;
  options.batch_rows = 500;
  try {
    ImportCrm(*crm_, in, options, 1795435200000);
    FAIL() << "the import went on under the retired key";
  } catch (const PiiError& error) {
    EXPECT_NE(std::string(error.what()).find("rotated while this import ran"),
              std::string::npos)
        << error.what();
  }
  ASSERT_TRUE(rotated);
  // What was written before the rotation was re-sealed by it; nothing was
  // written after it: every stored value opens with the new key.
  int64_t stored = 0;
  crm_->ForEachCustomer("demo", [&](const CustomerRecord& c) {
    ++stored;
    EXPECT_NO_THROW(new_key_.Decrypt(
        c.email_sealed, PiiContext("demo", c.customer_id, "email")))
        << c.customer_id;
  });
  EXPECT_GT(stored, 1);
  EXPECT_LT(stored, 7001);
}

TEST_P(PiiKeyRotationTest, WithNothingSealedTheNewKeyIsRecorded) {
  Import("customer_id,tier\r\nc9,gold\r\n", nullptr);
  PiiRotationReport report = RotatePiiKey(*crm_, old_key_, new_key_);
  EXPECT_TRUE(report.nothing_sealed);
  EXPECT_EQ(report.customers_resealed, 0);
  EXPECT_EQ(crm_->PiiKeyCheck(), new_key_.KeyCheck());
  EXPECT_THROW(Import(kCustomers, &old_key_), PiiError);
}

INSTANTIATE_TEST_SUITE_P(Engines, PiiKeyRotationTest, testing::EngineParams(),
                         testing::EngineParamName());

}  // namespace
}  // namespace tessera::server
