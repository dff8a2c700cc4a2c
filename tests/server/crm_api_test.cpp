// The CRM admin routes in-process, on every store engine (test_engines.h:
// SQLite and PostgreSQL): CSV import over HTTP, identity links by customer
// id or email, and data access / erasure requests that cover the CRM rows
// and the signals of linked visitors.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "tessera/json.h"
#include "tessera/server/api_key.h"
#include "tessera/server/digest.h"
#include "tessera/server/server.h"
#include "test_engines.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientRequest;
using testing::ClientResponse;
using Json = nlohmann::json;

constexpr const char* kVid = "5b0c7f6e-1d2a-4c3b-8e9f-a0b1c2d3e4f5";
const char kKey[] =
    "8f4e2a1c9b7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";

std::string SignalFor(const std::string& id, const std::string& vid) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/signal.json");
  std::stringstream text;
  text << in.rdbuf();
  Result<Value> signal = ParseJson(text.str());
  EXPECT_TRUE(signal.ok());
  signal->set("id", id);
  signal->set("vid", vid);
  signal->set("site", "demo");
  return signal->Dump();
}

class CrmApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Start(bool with_key) {
    ASSERT_FALSE(dir_.path().empty());
    std::string why;
    ASSERT_TRUE(engine_->Ready(&why)) << why;
    unsetenv("TESSERA_PII_KEY");
    std::ofstream(dir_.File("pii.key")) << kKey << "\n";
    ServeOptions options;
    options.db = db_ = engine_->NewDatabase();
    options.port = 0;
    options.threads = 2;
    options.durable = false;
    if (with_key) options.pii_key_file = dir_.File("pii.key");
    server_ = std::make_unique<TesseraServer>(options);
    server_->Start();
    runner_ = std::thread([this] { server_->Run(); });
    admin_ = CreateApiKey(server_->store(), "demo", KeyKind::kAdmin);
    other_admin_ = CreateApiKey(server_->store(), "other", KeyKind::kAdmin);
    write_ = CreateApiKey(server_->store(), "demo", KeyKind::kWrite);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
  }

  ClientResponse Send(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::string& content_type = "",
                      const std::string& key = "USE_ADMIN") {
    ClientRequest request;
    request.method = method;
    request.target = target;
    std::string bearer = key == "USE_ADMIN" ? admin_ : key;
    if (!bearer.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + bearer);
    }
    if (!content_type.empty()) {
      request.headers.emplace_back("Content-Type", content_type);
    }
    request.body = body;
    return testing::Send(server_->port(), request);
  }

  // POST .../import/KIND of a CSV text for site demo; the status.
  int Import(const std::string& kind, const std::string& csv) {
    return Send("POST", "/v1/admin/sites/demo/import/" + kind, csv, "text/csv")
        .status;
  }

  // Posts docs/examples/signal.json for site demo and kVid, with this id.
  int PostSignal(const std::string& id) {
    return testing::PostSignal(server_->port(), write_, SignalFor(id, kVid))
        .status;
  }

  // Links kVid to a customer of site demo by its id; the status.
  int LinkVisitorTo(const std::string& customer_id) {
    return Send("POST", "/v1/admin/sites/demo/identities",
                std::string(R"({"vid":")") + kVid + R"(","customer_id":")" +
                    customer_id + R"("})",
                "application/json")
        .status;
  }

  static Json Body(const ClientResponse& response) {
    return Json::parse(response.body, nullptr, false);
  }

  // Destroyed last: the server closes before the engine drops its data.
  std::unique_ptr<testing::TestEngine> engine_ =
      testing::MakeEngine(GetParam());
  testing::TempDir dir_;
  std::unique_ptr<TesseraServer> server_;
  std::thread runner_;
  std::string db_;
  std::string admin_, other_admin_, write_;
};

const char kCustomers[] =
    "customer_id,email,name,tier\r\n"
    "c1,ann@example.com,Ann Lee,gold\r\n"
    "c2,broken-email,Bob,silver\r\n"
    "c3,carl@example.com,Carl,\r\n";

TEST_P(CrmApiTest, ImportsCsvAndReportsRowErrorsAndUnchangedReimports) {
  Start(true);
  ClientResponse first = Send("POST", "/v1/admin/sites/demo/import/customers",
                              kCustomers, "text/csv");
  ASSERT_EQ(first.status, 200) << first.body;
  Json body = Body(first);
  EXPECT_EQ(body["inserted"], 2);
  EXPECT_EQ(body["rejected"], 1);
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["line"], 3);
  EXPECT_NE(body["errors"][0]["message"].get<std::string>().find("email"),
            std::string::npos);
  // The response carries no PII.
  EXPECT_EQ(first.body.find("ann@example.com"), std::string::npos);

  ClientResponse again = Send("POST", "/v1/admin/sites/demo/import/customers",
                              kCustomers, "text/csv");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Body(again)["unchanged"], 2);
  EXPECT_EQ(Body(again)["changed"], false);
  EXPECT_NE(Body(again)["summary"].get<std::string>().find(
                "0 inserted, 0 updated, 2 unchanged"),
            std::string::npos);

  ClientResponse cdnow =
      Send("POST", "/v1/admin/sites/demo/import/transactions?format=cdnow",
           " 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n",
           "text/plain");
  ASSERT_EQ(cdnow.status, 200) << cdnow.body;
  EXPECT_EQ(Body(cdnow)["inserted"], 2);
  EXPECT_EQ(Body(cdnow)["customers_created"], 2);

  // The separator is detected, or named: ';' forced onto a comma file
  // leaves it one column wide, so its header has no customer_id column.
  std::string semicolons = "customer_id;tier\nc7;gold\n";
  ClientResponse detected = Send(
      "POST", "/v1/admin/sites/demo/import/customers", semicolons, "text/csv");
  ASSERT_EQ(detected.status, 200) << detected.body;
  EXPECT_EQ(Body(detected)["inserted"], 1);
  ClientResponse forced =
      Send("POST", "/v1/admin/sites/demo/import/customers?delimiter=%3B",
           "customer_id,tier\nc8,gold\n", "text/csv");
  EXPECT_EQ(forced.status, 422) << forced.body;
  EXPECT_NE(Body(forced)["message"].get<std::string>().find(
                "no customer_id column (found: customer_id,tier)"),
            std::string::npos)
      << forced.body;
  ClientResponse bad =
      Send("POST", "/v1/admin/sites/demo/import/customers?delimiter=pipe",
           semicolons, "text/csv");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["code"], "invalid_delimiter");
}

TEST_P(CrmApiTest, ImportRefusalsAreJsonErrors) {
  Start(true);
  const std::string target = "/v1/admin/sites/demo/import/customers";
  EXPECT_EQ(Send("POST", target, kCustomers, "text/csv", "").status, 401);
  EXPECT_EQ(Send("POST", target, kCustomers, "text/csv", "tsa_wrong").status,
            401);
  EXPECT_EQ(Send("POST", target, kCustomers, "text/csv", other_admin_).status,
            403);
  EXPECT_EQ(Send("POST", target, kCustomers, "text/csv", write_).status, 403);
  ClientResponse kind = Send("POST", "/v1/admin/sites/demo/import/orders",
                             kCustomers, "text/csv");
  EXPECT_EQ(kind.status, 404);
  EXPECT_EQ(Body(kind)["code"], "unknown_import");
  EXPECT_EQ(Send("POST", target, kCustomers, "application/json").status, 415);
  // An all-sites key must name a site: "*" is none (as for exports).
  ClientResponse all_sites = Send(
      "POST", "/v1/admin/sites/%2A/import/customers", kCustomers, "text/csv",
      CreateApiKey(server_->store(), kAllSites, KeyKind::kAdmin));
  EXPECT_EQ(all_sites.status, 400) << all_sites.body;
  EXPECT_EQ(Body(all_sites)["code"], "invalid_site");
  ClientResponse header =
      Send("POST", target, "id,email\n1,a@b.co\n", "text/csv");
  EXPECT_EQ(header.status, 422);
  EXPECT_EQ(Body(header)["code"], "import_refused");
  EXPECT_EQ(Send("POST", "/v1/admin/sites/demo/identities",
                 R"({"vid":"v","customer_id":"c"})", "application/json", "")
                .status,
            401);
}

TEST_P(CrmApiTest, WithoutAKeyPiiImportsAreRefused) {
  Start(false);
  ClientResponse response = Send(
      "POST", "/v1/admin/sites/demo/import/customers", kCustomers, "text/csv");
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(
      Body(response)["message"].get<std::string>().find("no PII key was given"),
      std::string::npos);
  ClientResponse link =
      Send("POST", "/v1/admin/sites/demo/identities",
           R"({"vid":"v1","email":"ann@example.com"})", "application/json");
  EXPECT_EQ(link.status, 409);
  EXPECT_EQ(Body(link)["code"], "pii_key_missing");
}

TEST_P(CrmApiTest, IdentitiesLinkByCustomerIdOrEmail) {
  Start(true);
  ASSERT_EQ(Import("customers", kCustomers), 200);
  const std::string target = "/v1/admin/sites/demo/identities";
  ClientResponse by_id = Send(
      "POST", target, R"({"vid":"v1","customer_id":"c1"})", "application/json");
  EXPECT_EQ(by_id.status, 201) << by_id.body;
  EXPECT_EQ(Body(by_id)["customer_known"], true);
  ClientResponse repeat = Send(
      "POST", target, R"({"vid":"v1","customer_id":"c1"})", "application/json");
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(Body(repeat)["status"], "unchanged");
  ClientResponse by_email =
      Send("POST", target, R"({"vid":"v2","email":" CARL@example.com "})",
           "application/json");
  EXPECT_EQ(by_email.status, 201) << by_email.body;
  EXPECT_EQ(Body(by_email)["customer_id"], "c3");
  EXPECT_EQ(Body(by_email)["source"], "api:email");
  EXPECT_EQ(Send("POST", target, R"({"vid":"v3","email":"nobody@example.com"})",
                 "application/json")
                .status,
            404);
  // A customer id sent as the email is the caller's mistake, not a miss.
  ClientResponse not_email =
      Send("POST", target, R"({"vid":"v3","email":"c1"})", "application/json");
  EXPECT_EQ(not_email.status, 400) << not_email.body;
  EXPECT_EQ(Body(not_email)["code"], "invalid_identity");
  EXPECT_EQ(Body(not_email)["problems"][0]["path"], "$.email");
  ClientResponse pii_vid =
      Send("POST", target, R"({"vid":"ann@example.com","customer_id":"c1"})",
           "application/json");
  EXPECT_EQ(pii_vid.status, 400);
  EXPECT_EQ(Body(pii_vid)["code"], "invalid_identity");
  EXPECT_EQ(Send("POST", target, R"({"vid":"v4"})", "application/json").status,
            400);
  EXPECT_EQ(Send("POST", target, "not json", "application/json").status, 400);
}

// An all-sites key names the site in the path: "*" or a name no site can
// have would store a link no site's key ever reads or erases.
TEST_P(CrmApiTest, IdentitiesAreRefusedForAPathThatIsNoSiteName) {
  Start(true);
  const std::string all_sites =
      CreateApiKey(server_->store(), kAllSites, KeyKind::kAdmin);
  for (const char* site : {"%2A", "bad%20site"}) {
    ClientResponse link = Send(
        "POST", std::string("/v1/admin/sites/") + site + "/identities",
        R"({"vid":"v1","customer_id":"c1"})", "application/json", all_sites);
    EXPECT_EQ(link.status, 400) << site << ": " << link.body;
    EXPECT_EQ(Body(link)["code"], "invalid_site") << site;
  }
  ClientResponse profile =
      Send("GET", "/v1/admin/profiles/v1", "", "", all_sites);
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_TRUE(Body(profile)["crm"]["identity_links"].empty()) << profile.body;
}

TEST_P(CrmApiTest, DataAccessAndErasureCoverCrmAndLinkedVisitors) {
  Start(true);
  ASSERT_EQ(Import("customers", kCustomers), 200);
  ASSERT_EQ(Import("transactions",
                   "customer_id,date,quantity,amount\nc1,2024-05-01,2,30.50\n"),
            200);
  ASSERT_EQ(PostSignal("sig_crm_erasure_0001"), 202);
  ASSERT_EQ(LinkVisitorTo("c1"), 201);

  ClientResponse profile = Send("GET", "/v1/admin/profiles/c1");
  ASSERT_EQ(profile.status, 200) << profile.body;
  Json body = Body(profile);
  ASSERT_EQ(body["crm"]["customers"].size(), 1u);
  EXPECT_EQ(body["crm"]["customers"][0]["email"], "ann@example.com");
  EXPECT_EQ(body["crm"]["customers"][0]["name"], "Ann Lee");
  EXPECT_EQ(body["crm"]["customers"][0]["transactions"][0]["amount"], "30.50");
  ASSERT_EQ(body["crm"]["identity_links"].size(), 1u);
  ASSERT_EQ(body["linked_visitors"].size(), 1u);
  EXPECT_EQ(body["linked_visitors"][0]["signals"].size(), 1u);
  // Another site's admin sees nothing of this customer.
  ClientResponse other =
      Send("GET", "/v1/admin/profiles/c1", "", "", other_admin_);
  EXPECT_TRUE(Body(other)["crm"]["customers"].empty());

  ClientResponse erased = Send("DELETE", "/v1/admin/profiles/c1");
  ASSERT_EQ(erased.status, 200) << erased.body;
  Json erasure = Body(erased);
  EXPECT_EQ(erasure["customers_erased"], 1);
  EXPECT_EQ(erasure["transactions_erased"], 1);
  EXPECT_EQ(erasure["identity_links_erased"], 1);
  EXPECT_EQ(erasure["signals_erased"], 1);  // the linked visitor's signal
  Json after = Body(Send("GET", "/v1/admin/profiles/c1"));
  EXPECT_TRUE(after["crm"]["customers"].empty());
  EXPECT_TRUE(after["crm"]["identity_links"].empty());
  EXPECT_EQ(Body(Send("GET", std::string("/v1/admin/profiles/") +
                                 kVid))["signal_count"],
            0);
  Json log = Body(Send("GET", "/v1/admin/erasures"));
  ASSERT_EQ(log["crm_erasures"].size(), 1u);
  EXPECT_EQ(log["crm_erasures"][0]["customers_erased"], 1);
  EXPECT_EQ(log.dump().find("\"c1\""), std::string::npos);
}

// An erasure that fails part-way (the database refuses a delete) and is
// asked again must still reach the signals of the customer's linked
// visitors: the links that name them must not be gone before they are.
TEST_P(CrmApiTest, AnErasureRepeatedAfterAFailureStillErasesLinkedVisitors) {
  Start(true);
  ASSERT_EQ(Import("customers", kCustomers), 200);
  ASSERT_EQ(PostSignal("sig_crm_retried_0001"), 202);
  ASSERT_EQ(LinkVisitorTo("c1"), 201);
  const bool sqlite = GetParam() == "Sqlite";
  ASSERT_EQ(engine_->Execute(
                db_, sqlite ? "CREATE TRIGGER refuse_erasure BEFORE DELETE ON "
                              "signals BEGIN SELECT RAISE(ABORT, 'the disk "
                              "failed'); END"
                            : "CREATE FUNCTION refuse_erasure() RETURNS "
                              "trigger LANGUAGE plpgsql AS $$BEGIN RAISE "
                              "EXCEPTION 'the disk failed'; END$$; CREATE "
                              "TRIGGER refuse_erasure BEFORE DELETE ON "
                              "signals FOR EACH ROW EXECUTE FUNCTION "
                              "refuse_erasure()"),
            "");
  ClientResponse failed = Send("DELETE", "/v1/admin/profiles/c1");
  EXPECT_EQ(failed.status, 503) << failed.body;
  ASSERT_EQ(
      engine_->Execute(db_, sqlite ? "DROP TRIGGER refuse_erasure"
                                   : "DROP TRIGGER refuse_erasure ON signals"),
      "");

  ClientResponse repeated = Send("DELETE", "/v1/admin/profiles/c1");
  ASSERT_EQ(repeated.status, 200) << repeated.body;
  EXPECT_EQ(Body(Send("GET", std::string("/v1/admin/profiles/") +
                                 kVid))["signal_count"],
            0);
  Json after = Body(Send("GET", "/v1/admin/profiles/c1"));
  EXPECT_TRUE(after["crm"]["customers"].empty());
  EXPECT_TRUE(after["crm"]["identity_links"].empty());
}

TEST_P(CrmApiTest, CustomerIdsWithASlashAreReadAndErasedEncoded) {
  Start(true);
  ASSERT_EQ(Import("customers", "customer_id,tier\nacme/42,gold\n"), 200);
  ClientResponse profile = Send("GET", "/v1/admin/profiles/acme%2F42");
  ASSERT_EQ(profile.status, 200) << profile.body;
  ASSERT_EQ(Body(profile)["crm"]["customers"].size(), 1u) << profile.body;
  EXPECT_EQ(Body(profile)["crm"]["customers"][0]["customer_id"], "acme/42");
  // A literal slash is still a path separator.
  EXPECT_EQ(Send("GET", "/v1/admin/profiles/acme/42").status, 404);

  ClientResponse erased = Send("DELETE", "/v1/admin/profiles/acme%2f42");
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Body(erased)["customers_erased"], 1) << erased.body;
  EXPECT_TRUE(
      Body(Send("GET", "/v1/admin/profiles/acme%2F42"))["crm"]["customers"]
          .empty());
}

TEST_P(CrmApiTest, DataSubjectsAreFoundAndErasedByTheirEmail) {
  Start(true);
  ASSERT_EQ(Import("customers",
                   "customer_id,email\nc1,ann@example.com\nc4,Ann@Example.com\n"
                   "c3,carl@example.com\n"),
            200);
  ASSERT_EQ(PostSignal("sig_crm_by_email_0001"), 202);
  ASSERT_EQ(LinkVisitorTo("c1"), 201);

  // The address as the subject writes it: case and spaces do not matter,
  // and every customer holding it is covered.
  ClientResponse access = Send("GET", "/v1/admin/profiles/%20ANN@example.COM");
  ASSERT_EQ(access.status, 200) << access.body;
  Json found = Body(access);
  EXPECT_EQ(found["customers_matched"], 2);
  ASSERT_EQ(found["profiles"].size(), 2u);
  std::set<std::string> ids;
  for (const Json& profile : found["profiles"]) ids.insert(profile["vid"]);
  EXPECT_EQ(ids, (std::set<std::string>{"c1", "c4"}));
  // Another site's admin finds nobody with it.
  EXPECT_EQ(Body(Send("GET", "/v1/admin/profiles/ann@example.com", "", "",
                      other_admin_))["customers_matched"],
            0);

  ClientResponse erased = Send("DELETE", "/v1/admin/profiles/ann@example.com");
  ASSERT_EQ(erased.status, 200) << erased.body;
  Json erasure = Body(erased);
  EXPECT_EQ(erasure["customers_matched"], 2);
  int64_t customers = 0, signals = 0;
  for (const Json& one : erasure["erasures"]) {
    customers += one["customers_erased"].get<int64_t>();
    signals += one["signals_erased"].get<int64_t>();
  }
  EXPECT_EQ(customers, 2);
  EXPECT_EQ(signals, 1);  // c1's linked visitor
  EXPECT_EQ(erasure["copies_purged"], true);
  EXPECT_EQ(
      Body(Send("GET",
                "/v1/admin/profiles/ann@example.com"))["customers_matched"],
      0);
  EXPECT_EQ(
      Body(Send("GET", "/v1/admin/profiles/c3"))["crm"]["customers"].size(),
      1u);  // someone else's data stays

  // Not an id and not one address: refused, not "erased 0".
  for (const char* bad :
       {"ann@example.com%20carl@example.com", "%01abc", "%FF%FE"}) {
    ClientResponse refused =
        Send("DELETE", std::string("/v1/admin/profiles/") + bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
    EXPECT_EQ(Body(refused)["code"], "invalid_id") << bad;
  }
  ClientResponse long_id =
      Send("GET", "/v1/admin/profiles/" + std::string(129, 'x'));
  EXPECT_EQ(long_id.status, 400);
}

TEST_P(CrmApiTest, TheAuditOfRequestsByEmailHoldsNoGuessableHashOfIt) {
  Start(true);
  ASSERT_EQ(Import("customers", "customer_id,email\nc1,ann@example.com\n"),
            200);
  ASSERT_EQ(Send("GET", "/v1/admin/profiles/ann@example.com").status, 200);
  ASSERT_EQ(Send("DELETE", "/v1/admin/profiles/ANN@example.com").status, 200);

  ClientResponse audit = Send("GET", "/v1/admin/sites/demo/audit");
  ASSERT_EQ(audit.status, 200) << audit.body;
  for (const char* guess : {"ann@example.com", "ANN@example.com"}) {
    EXPECT_EQ(audit.body.find(Sha256Hex(guess)), std::string::npos)
        << guess << ": " << audit.body;
  }
  std::vector<std::string> subjects;
  const Json listed = Body(audit);
  for (const Json& entry : listed["entries"]) {
    if (entry["action"] != "profile.read" && entry["action"] != "profile.erase")
      continue;
    EXPECT_EQ(entry["detail"]["by_email"], true) << entry.dump();
    EXPECT_FALSE(entry["detail"].contains("subject_hash")) << entry.dump();
    subjects.push_back(entry["detail"]["subject_hmac"].get<std::string>());
  }
  // The keyed hash of the normalized address: both name the same subject.
  ASSERT_EQ(subjects.size(), 2u);
  EXPECT_EQ(subjects[0].size(), 64u);
  EXPECT_EQ(subjects[0], subjects[1]);
}

TEST_P(CrmApiTest, FindingByEmailNeedsThePiiKey) {
  Start(false);
  ClientResponse refused = Send("GET", "/v1/admin/profiles/ann@example.com");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Body(refused)["code"], "pii_key_missing");
}

// The lines of a JSON Lines body, parsed.
std::vector<Json> JsonLines(const std::string& body) {
  std::vector<Json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(Json::parse(line, nullptr, false));
  }
  return lines;
}

TEST_P(CrmApiTest, ExportsSignalsCustomersAndTransactionsAsJsonLines) {
  Start(true);
  ASSERT_EQ(Import("customers", kCustomers), 200);
  ASSERT_EQ(Import("transactions",
                   "customer_id,date,quantity,amount\nc1,2026-11-02,1,19.90\n"
                   "c3,2026-11-03,2,5.00\n"),
            200);
  ASSERT_EQ(PostSignal("sig_export_000000001"), 202);

  ClientResponse signals = Send("GET", "/v1/admin/sites/demo/export/signals");
  ASSERT_EQ(signals.status, 200) << signals.body;
  EXPECT_EQ(signals.Header("Content-Type"),
            "application/x-ndjson; charset=utf-8");
  EXPECT_EQ(signals.Header("Content-Disposition"),
            "attachment; filename=\"demo-signals.jsonl\"");
  std::vector<Json> lines = JsonLines(signals.body);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["id"], "sig_export_000000001");
  EXPECT_EQ(lines[0]["vid"], kVid);
  EXPECT_EQ(lines[0]["signal"]["site"], "demo");

  ClientResponse customers =
      Send("GET", "/v1/admin/sites/demo/export/customers");
  ASSERT_EQ(customers.status, 200);
  lines = JsonLines(customers.body);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["customer_id"], "c1");
  EXPECT_EQ(lines[0]["has_email"], true);
  EXPECT_EQ(customers.body.find("ann@example.com"), std::string::npos);
  ClientResponse with_pii =
      Send("GET", "/v1/admin/sites/demo/export/customers?include_pii=true");
  ASSERT_EQ(with_pii.status, 200);
  EXPECT_EQ(JsonLines(with_pii.body)[0]["email"], "ann@example.com");

  ClientResponse transactions =
      Send("GET", "/v1/admin/sites/demo/export/transactions");
  ASSERT_EQ(transactions.status, 200);
  EXPECT_EQ(JsonLines(transactions.body).size(), 2u);

  // Gzipped for clients that accept it (curl --compressed), from 1 KB on.
  std::string many = "customer_id,tier\n";
  for (int i = 0; i < 40; ++i) many += "bulk" + std::to_string(i) + ",gold\n";
  ASSERT_EQ(Import("customers", many), 200);
  customers = Send("GET", "/v1/admin/sites/demo/export/customers");
  ASSERT_GT(customers.body.size(), 1024u);
  ClientRequest compressed;
  compressed.target = "/v1/admin/sites/demo/export/customers";
  compressed.headers = {{"Authorization", "Bearer " + admin_},
                        {"Accept-Encoding", "gzip"}};
  ClientResponse packed = testing::Send(server_->port(), compressed);
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(testing::Gunzip(packed.body), customers.body);

  // Another site's export holds nothing of this one's.
  ClientResponse none =
      Send("GET", "/v1/admin/sites/other/export/signals", "", "", other_admin_);
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "");
}

TEST_P(CrmApiTest, ExportRefusalsSayWhatWasWrong) {
  Start(false);
  ClientResponse unknown = Send("GET", "/v1/admin/sites/demo/export/orders");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Body(unknown)["code"], "unknown_export");
  // A mistyped kind is named as such, whatever the query says.
  for (const char* query : {"?since=0", "?include_pii=true"}) {
    ClientResponse typo =
        Send("GET", std::string("/v1/admin/sites/demo/export/signal") + query);
    EXPECT_EQ(typo.status, 404) << query << ": " << typo.body;
    EXPECT_EQ(Body(typo)["code"], "unknown_export") << query;
  }
  ClientResponse bad_flag =
      Send("GET", "/v1/admin/sites/demo/export/customers?include_pii=yes");
  EXPECT_EQ(bad_flag.status, 400);
  EXPECT_EQ(Body(bad_flag)["message"],
            "include_pii must be true or false, not 'yes'");
  ClientResponse pii_of_signals =
      Send("GET", "/v1/admin/sites/demo/export/signals?include_pii=true");
  EXPECT_EQ(pii_of_signals.status, 400);
  ClientResponse no_key =
      Send("GET", "/v1/admin/sites/demo/export/customers?include_pii=true");
  EXPECT_EQ(no_key.status, 409);
  EXPECT_EQ(Body(no_key)["code"], "pii_key_missing");
  EXPECT_EQ(
      Send("GET", "/v1/admin/sites/demo/export/signals", "", "", write_).status,
      403);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrmApiTest, testing::EngineParams(),
                         testing::EngineParamName());

}  // namespace
}  // namespace tessera::server
