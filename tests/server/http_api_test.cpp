// In-process HTTP tests: the whole server listens on a free port on a
// thread, a raw-socket client sends requests, and the server is stopped.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "temp_dir.h"
#include "tessera/json.h"
#include "tessera/server/api_key.h"
#include "tessera/server/digest.h"
#include "tessera/server/server.h"
#include "tessera/signal.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::ClientRequest;
using testing::ClientResponse;
using testing::Serialize;
using testing::TempDir;
using testing::TestConnection;

constexpr const char* kVid = "6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3";
constexpr const char* kAllowedOrigin = "https://shop.example";

// docs/examples/signal.json when present, else an equivalent signal.
std::string ExampleSignalText() {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/signal.json");
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  return R"({"v":1,"id":"sig_5Qm8XcA2rT7kLw9EpZ3n","site":"demo",
    "vid":"6f1c2a9e-4b7d-4e3a-9c58-0d2b7e41a6f3","seq":1,
    "from":1717408500000,"to":1717408920000,
    "consent":{"granted":["necessary","analytics"],"policy":"2024-06"},
    "agg":{"page_view":{"n":6}}})";
}

Value ExampleSignal() {
  Result<Value> parsed = ParseJson(ExampleSignalText());
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : Value();
}

// The example signal with its own idempotency id (and visitor, site).
std::string SignalWith(const std::string& id, const std::string& vid = kVid,
                       const std::string& site = "demo") {
  Value signal = ExampleSignal();
  signal.set("id", id);
  signal.set("vid", vid);
  signal.set("site", site);
  return signal.Dump();
}

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    std::filesystem::create_directories(dir_.File("sdk/dist"));
    std::ofstream(dir_.File("sdk/tessera.wasm"), std::ios::binary)
        << std::string("\0asm\1\0\0\0", 8);
    std::ofstream(dir_.File("sdk/dist/index.js")) << "export const x = 1;\n";
    std::ofstream(dir_.File("secret.txt")) << "do not serve";
    std::filesystem::create_directories(dir_.File("site/shop"));
    std::ofstream(dir_.File("site/index.html")) << "<h1>home</h1>";
    std::ofstream(dir_.File("site/shop/index.html")) << "<h1>shop</h1>";
    std::ofstream(dir_.File("site/app.js")) << "export {};\n";

    ServeOptions options;
    options.db = dir_.File("data/tessera.db");
    options.port = 0;
    options.threads = 2;
    options.allowed_origins = {kAllowedOrigin};
    options.sdk_dir = dir_.File("sdk");
    options.site_dir = dir_.File("site");
    options.header_timeout_ms = 300;
    options.durable = false;  // tests need no fsync; the code path is shared
    server_ = std::make_unique<TesseraServer>(options);
    server_->Start();
    port_ = server_->port();
    runner_ = std::thread([this] { server_->Run(); });

    write_key_ = CreateApiKey(server_->store(), "demo", KeyKind::kWrite);
    admin_key_ = CreateApiKey(server_->store(), "demo", KeyKind::kAdmin);
    other_admin_key_ = CreateApiKey(server_->store(), "other", KeyKind::kAdmin);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
  }

  ClientResponse Post(
      const std::string& body,
      const std::string& content_type = "application/json",
      std::vector<std::pair<std::string, std::string>> headers = {},
      const std::string& target = "/v1/signals") {
    ClientRequest request;
    request.method = "POST";
    request.target = target;
    request.headers = std::move(headers);
    if (!content_type.empty()) {
      request.headers.emplace_back("Content-Type", content_type);
    }
    request.body = body;
    return testing::Send(port_, request);
  }

  ClientResponse PostSignal(const std::string& body) {
    return Post(body, "application/json", {{"X-Tessera-Key", write_key_}});
  }

  ClientResponse Request(
      const std::string& method, const std::string& target,
      std::vector<std::pair<std::string, std::string>> headers = {},
      const std::string& body = "") {
    ClientRequest request;
    request.method = method;
    request.target = target;
    request.headers = std::move(headers);
    request.body = body;
    return testing::Send(port_, request);
  }

  ClientResponse Admin(const std::string& method, const std::string& target,
                       const std::string& key, const std::string& body = "") {
    return Request(method, target, {{"Authorization", "Bearer " + key}}, body);
  }

  static Value Body(const ClientResponse& response) {
    Result<Value> parsed = ParseJson(response.body);
    EXPECT_TRUE(parsed.ok()) << "not JSON: " << response.body;
    return parsed.ok() ? parsed.value() : Value();
  }
  static std::string Code(const ClientResponse& response) {
    Value body = Body(response);
    const Value* code = body.find("code");
    return code ? code->string_or("") : "";
  }

  TempDir dir_;
  std::unique_ptr<TesseraServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
  std::string write_key_, admin_key_, other_admin_key_;
};

TEST_F(HttpApiTest, HealthAndReadinessAnswer) {
  ClientResponse health = Request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Body(health).find("status")->as_string(), "ok");
  ClientResponse ready = Request("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(Body(ready).find("status")->as_string(), "ready");
}

TEST_F(HttpApiTest, ValidSignalIsAcceptedThenCountedOnceWhenResent) {
  std::string signal = SignalWith("sig_resent_000000001");
  ClientResponse first = PostSignal(signal);
  EXPECT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.body, "{\"status\":\"accepted\"}");
  ClientResponse again = PostSignal(signal);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, "{\"status\":\"duplicate\"}");
  // Acknowledged means committed: it is readable at once.
  EXPECT_EQ(server_->store().SignalsOfVisitor("demo", kVid).size(), 1u);

  ClientResponse metrics = Request("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tessera_signals_total{outcome=\"accepted\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("tessera_signals_total{outcome=\"duplicate\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("tessera_store_commit_duration_seconds_count"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("route=\"/v1/signals\",method=\"POST\","
                              "status=\"202\"} 1"),
            std::string::npos);
}

// Another server beside the fixture's, for options the fixture leaves off;
// serving on a thread until destroyed.
class ExtraServer {
 public:
  explicit ExtraServer(ServeOptions options) : server_(Defaults(options)) {
    server_.Start();
    runner_ = std::thread([this] { server_.Run(); });
  }
  ~ExtraServer() {
    server_.Stop();
    runner_.join();
  }
  TesseraServer& operator*() { return server_; }
  TesseraServer* operator->() { return &server_; }

  // POST /v1/signals from the allowed origin.
  ClientResponse PostSignal(const std::string& key, const std::string& body) {
    ClientRequest request;
    request.method = "POST";
    request.target = "/v1/signals";
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Tessera-Key", key},
                       {"Origin", kAllowedOrigin}};
    request.body = body;
    return testing::Send(server_.port(), request);
  }

 private:
  static ServeOptions Defaults(ServeOptions options) {
    options.port = 0;
    options.threads = 1;
    options.durable = false;
    options.allowed_origins = {kAllowedOrigin};
    return options;
  }

  TesseraServer server_;
  std::thread runner_;
};

TEST_F(HttpApiTest, RateLimitAnswers429WithRetryAfterPerSite) {
  ServeOptions options;
  options.db = dir_.File("limited/tessera.db");
  options.rate_limit = 2;
  ExtraServer limited(options);
  const std::string demo_key =
      CreateApiKey(limited->store(), "demo", KeyKind::kWrite);
  const std::string other_key =
      CreateApiKey(limited->store(), "other", KeyKind::kWrite);
  auto post = [&](const std::string& key, const std::string& id,
                  const std::string& site) {
    return limited.PostSignal(key, SignalWith(id, kVid, site));
  };

  // The whole run takes far less than the half second a token needs.
  EXPECT_EQ(post(demo_key, "sig_limit_0000000001", "demo").status, 202);
  EXPECT_EQ(post(demo_key, "sig_limit_0000000002", "demo").status, 202);
  ClientResponse over = post(demo_key, "sig_limit_0000000003", "demo");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_EQ(Code(over), "rate_limited");
  EXPECT_EQ(Body(over).find("message")->string_or(""),
            "site 'demo' is over its limit of 2 signals per second; retry "
            "after 1 s");
  EXPECT_EQ(over.Header("Retry-After"), "1");
  // A page on another origin can read it, so its SDK waits that long.
  EXPECT_NE(over.Header("Access-Control-Expose-Headers").find("Retry-After"),
            std::string::npos);
  // Another site has its own allowance.
  EXPECT_EQ(post(other_key, "sig_limit_0000000004", "other").status, 202);
  // Refused means not stored, and /metrics counts it apart.
  EXPECT_EQ(limited->store().SignalsOfVisitor("demo", kVid).size(), 2u);
  ClientRequest metrics;
  metrics.target = "/metrics";
  const std::string exposition = testing::Send(limited->port(), metrics).body;
  EXPECT_NE(
      exposition.find("tessera_signals_total{outcome=\"rate_limited\"} 1"),
      std::string::npos)
      << exposition;
  EXPECT_NE(exposition.find("tessera_signals_total{outcome=\"rejected\"} 0"),
            std::string::npos);
  // And per site: the one over its limit shows it, the other does not.
  for (const char* series :
       {"tessera_site_signals_total{site=\"demo\",outcome=\"accepted\"} 2",
        "tessera_site_signals_total{site=\"demo\",outcome=\"rate_limited\"} 1",
        "tessera_site_signals_total{site=\"other\",outcome=\"accepted\"} 1",
        "tessera_site_signals_total{site=\"other\",outcome=\"rate_limited\"} "
        "0"}) {
    EXPECT_NE(exposition.find(series), std::string::npos) << series;
  }
  // A wrong key names no site: counted under "(unknown)".
  EXPECT_EQ(limited.PostSignal("tsw_wrong", SignalWith("sig_limit_0000000009"))
                .status,
            401);
  const std::string after = testing::Send(limited->port(), metrics).body;
  EXPECT_NE(after.find("tessera_signals_total{outcome=\"rejected\"} 1"),
            std::string::npos);
  EXPECT_NE(after.find("tessera_site_signals_total{site=\"demo\",outcome=\""
                       "rejected\"} 0"),
            std::string::npos);
  EXPECT_NE(after.find("tessera_site_signals_total{site=\"(unknown)\","
                       "outcome=\"rejected\"} 1"),
            std::string::npos)
      << after;

  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(post(demo_key, "sig_limit_0000000003", "demo").status, 202)
      << "a token comes back after 1/2 s";
}

TEST_F(HttpApiTest, TheArtifactsMaxAgeIsTheOperators) {
  ServeOptions options;
  options.db = dir_.File("max-age/tessera.db");
  options.artifact_max_age = 5;
  ExtraServer server(options);
  server->store().PutArtifact(
      {"demo", "{}", "\"e1\"", 1, kAnyArtifactRevision});
  ClientRequest request;
  request.target = "/v1/artifact/demo";
  EXPECT_EQ(testing::Send(server->port(), request).Header("Cache-Control"),
            "public, max-age=5");
}

TEST_F(HttpApiTest, AnExportOverItsLimitIsRefusedAndPointsToTheCli) {
  ServeOptions options;
  options.db = dir_.File("export/tessera.db");
  options.export_limit = 2048;  // two signals' lines, not three
  ExtraServer server(options);
  const std::string key =
      CreateApiKey(server->store(), "demo", KeyKind::kWrite);
  const std::string admin =
      CreateApiKey(server->store(), "demo", KeyKind::kAdmin);
  ClientRequest request;
  request.target = "/v1/admin/sites/demo/export/signals";
  request.headers = {{"Authorization", "Bearer " + admin}};
  ASSERT_EQ(server.PostSignal(key, SignalWith("sig_export_limit_001")).status,
            202);
  ASSERT_EQ(server.PostSignal(key, SignalWith("sig_export_limit_002")).status,
            202);
  EXPECT_EQ(testing::Send(server->port(), request).status, 200);
  // Received a few milliseconds later than the first two (see ?since=).
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(server.PostSignal(key, SignalWith("sig_export_limit_003")).status,
            202);
  ClientResponse refused = testing::Send(server->port(), request);
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(Code(refused), "export_too_large");
  EXPECT_EQ(Body(refused).find("message")->string_or(""),
            "the 3 signals of site 'demo' exceed the 2048 bytes an HTTP "
            "export holds (--export-limit); ask for less with ?since=MS "
            "(signals), or run `tessera-server export signals --site demo` "
            "on the server instead");
  // What came since a time is within the limit again.
  const int64_t later =
      server->store().SignalsOfVisitor("demo", kVid)[2].received_at_ms;
  request.target += "?since=" + std::to_string(later);
  ClientResponse recent = testing::Send(server->port(), request);
  EXPECT_EQ(recent.status, 200);
  EXPECT_NE(recent.body.find("sig_export_limit_003"), std::string::npos);
  EXPECT_EQ(recent.body.find("sig_export_limit_001"), std::string::npos);
  for (const char* bad : {"-1", "yesterday", "1e12", "99999999999999999"}) {
    request.target =
        "/v1/admin/sites/demo/export/signals?since=" + std::string(bad);
    ClientResponse refused_since = testing::Send(server->port(), request);
    EXPECT_EQ(refused_since.status, 400) << bad;
    EXPECT_EQ(Code(refused_since), "invalid_parameter") << bad;
  }
}

TEST_F(HttpApiTest, AccessLogHasOneLinePerRequestWithoutIdsEmailsOrKeys) {
  ServeOptions options;
  options.db = dir_.File("logged/tessera.db");
  options.sdk_dir = dir_.File("sdk");
  options.access_log = dir_.File("logged/access.log");
  std::string write_key, admin_key;
  {
    ExtraServer logged(options);
    write_key = CreateApiKey(logged->store(), "demo", KeyKind::kWrite);
    admin_key = CreateApiKey(logged->store(), "demo", KeyKind::kAdmin);
    EXPECT_EQ(
        logged.PostSignal(write_key, SignalWith("sig_logged_00000001")).status,
        202);
    EXPECT_EQ(logged.PostSignal(write_key, "{not json").status, 400);
    ClientRequest request;
    request.target = "/v1/admin/profiles/someone@example.com";
    request.headers = {{"Authorization", "Bearer " + admin_key}};
    EXPECT_EQ(testing::Send(logged->port(), request).status, 409);
    request.target = "/v1/admin/profiles/" + std::string(kVid);
    EXPECT_EQ(testing::Send(logged->port(), request).status, 200);
    request.target = "/sdk/dist/index.js?v=1";
    request.headers.clear();
    EXPECT_EQ(testing::Send(logged->port(), request).status, 200);
    // A request line the HTTP layer refuses before any route.
    TestConnection raw(logged->port());
    raw.SendRaw("BROKEN\r\n\r\n");
    EXPECT_EQ(raw.Read().status, 400);
  }
  std::ifstream in(options.access_log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u);
  const std::string time = R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )";
  const std::string tail = R"( \d+B \d+\.\d{3}ms)";
  const std::vector<std::string> expected = {
      "POST /v1/signals 202 -",
      "POST /v1/signals 400 malformed_signal",
      "GET /v1/admin/profiles/\\{vid\\} 409 pii_key_missing",
      "GET /v1/admin/profiles/\\{vid\\} 200 -",
      "GET /sdk/dist/index\\.js 200 -",
      "- \\(transport\\) 400 malformed_request",
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(
        std::regex_match(lines[i], std::regex(time + expected[i] + tail)))
        << lines[i];
  }
  std::ifstream again(options.access_log);
  const std::string text((std::istreambuf_iterator<char>(again)),
                         std::istreambuf_iterator<char>());
  for (const std::string& secret : {std::string("someone@example.com"),
                                    std::string(kVid), write_key, admin_key}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

// Anyone may ask for any file path, and some carry an address (an
// unsubscribe link, a mistyped URL): such a path is logged by its route.
TEST_F(HttpApiTest, AccessLogLeavesOutAFilePathHoldingAnEmailAddress) {
  ServeOptions options;
  options.db = dir_.File("logged/tessera.db");
  options.sdk_dir = dir_.File("sdk");
  options.access_log = dir_.File("logged/access.log");
  {
    ExtraServer logged(options);
    ClientRequest request;
    request.target = "/sdk/unsubscribe/someone@example.com";
    EXPECT_EQ(testing::Send(logged->port(), request).status, 404);
    request.target = "/sdk/unsubscribe/other%40example.com";
    EXPECT_EQ(testing::Send(logged->port(), request).status, 404);
  }
  std::ifstream in(options.access_log);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("example.com"), std::string::npos) << text;
  EXPECT_NE(text.find("GET /sdk/{*file} 404 not_found"), std::string::npos)
      << text;
}

TEST_F(HttpApiTest, ClientsCannotAddMetricsSeries) {
  // Invented methods share one label.
  for (const char* method : {"AAA1", "AAA2", "AAA3"}) {
    EXPECT_EQ(Request(method, "/healthz").status, 405) << method;
  }
  // Signals name sites; only a write key's site becomes a label.
  EXPECT_EQ(
      PostSignal(SignalWith("sig_metrics_0000001", kVid, "invented-a")).status,
      403);
  EXPECT_EQ(Post(SignalWith("sig_metrics_0000002", kVid, "invented-b"),
                 "application/json", {{"X-Tessera-Key", "tsw_unknown"}})
                .status,
            401);
  EXPECT_EQ(Post(SignalWith("sig_metrics_0000003", kVid, "invented-c")).status,
            401);
  const std::string exposition = Request("GET", "/metrics").body;
  EXPECT_EQ(exposition.find("AAA"), std::string::npos) << exposition;
  EXPECT_NE(exposition.find("route=\"/healthz\",method=\"other\","
                            "status=\"405\"} 3"),
            std::string::npos)
      << exposition;
  EXPECT_EQ(exposition.find("invented"), std::string::npos) << exposition;
  EXPECT_NE(exposition.find("tessera_site_signals_total{site=\"demo\","
                            "outcome=\"rejected\"} 1"),
            std::string::npos)
      << exposition;
  EXPECT_NE(exposition.find("tessera_site_signals_total{site=\"(unknown)\","
                            "outcome=\"rejected\"} 2"),
            std::string::npos)
      << exposition;
}

TEST_F(HttpApiTest, KeyInQueryParameterWorksForSendBeacon) {
  ClientResponse response =
      Post(SignalWith("sig_beacon_0000000001"), "text/plain;charset=UTF-8", {},
           "/v1/signals?key=" + write_key_);
  EXPECT_EQ(response.status, 202) << response.body;
}

TEST_F(HttpApiTest, CborSignalIsAccepted) {
  std::string cbor =
      EncodeSignal(ParseJson(SignalWith("sig_cbor_00000000001")).value(),
                   SignalFormat::kCbor);
  ClientResponse response =
      Post(cbor, "application/cbor", {{"X-Tessera-Key", write_key_}});
  EXPECT_EQ(response.status, 202) << response.body;
  ClientResponse garbage =
      Post("\xff\x00\x13", "application/cbor", {{"X-Tessera-Key", write_key_}});
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(Code(garbage), "malformed_signal");
}

// The SDK sends CBOR as text/plain as the page goes away (no preflight):
// read as CBOR by its first byte; JSON under text/plain stays JSON.
TEST_F(HttpApiTest, CborSignalUnderTextPlainIsReadAsCbor) {
  std::string cbor =
      EncodeSignal(ParseJson(SignalWith("sig_cbortext_0000001")).value(),
                   SignalFormat::kCbor);
  ClientResponse response = Post(cbor, "text/plain", {},
                                 "/v1/signals?key=" + write_key_);
  EXPECT_EQ(response.status, 202) << response.body;
  ClientResponse again = Post(cbor, "text/plain;charset=UTF-8", {},
                              "/v1/signals?key=" + write_key_);
  EXPECT_EQ(again.status, 200) << again.body;  // a duplicate, counted once
  ClientResponse garbage = Post("\xa1\x00", "text/plain", {},
                                "/v1/signals?key=" + write_key_);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(Code(garbage), "malformed_signal");
}

TEST_F(HttpApiTest, MalformedJsonIsA400WithAMessage) {
  ClientResponse response = PostSignal("{\"id\": ");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Code(response), "malformed_signal");
  EXPECT_FALSE(Body(response).find("message")->as_string().empty());
}

TEST_F(HttpApiTest, InvalidUtf8IsA400) {
  std::string signal = SignalWith("sig_utf8_00000000001");
  size_t at = signal.find("demo");
  std::string bad = signal.substr(0, at) + "\xc3\x28" + signal.substr(at + 4);
  ClientResponse response = PostSignal(bad);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Code(response), "malformed_signal");
}

TEST_F(HttpApiTest, SchemaProblemsAreListedWithTheirPaths) {
  Value signal = ExampleSignal();
  signal.set("id", "sig_schema_000000001");
  signal.set("seq", "twelve");
  ClientResponse response = PostSignal(signal.Dump());
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Code(response), "invalid_signal");
  Value body = Body(response);
  const Value* problems = body.find("problems");
  ASSERT_TRUE(problems && problems->is_array());
  bool names_seq = false;
  for (const Value& problem : problems->as_array()) {
    if (problem.find("path")->as_string() == "$.seq") names_seq = true;
  }
  EXPECT_TRUE(names_seq) << response.body;
}

TEST_F(HttpApiTest, SignalsDatedMoreThanADayAheadOfTheServerAreRefused) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto dated = [&](const std::string& id, int64_t to_ms) {
    Value signal = ExampleSignal();
    signal.set("id", id);
    signal.set("from", static_cast<double>(to_ms - 60000));
    signal.set("to", static_cast<double>(to_ms));
    return signal;
  };
  const int64_t two_days = 2 * 24 * 3600 * 1000;
  // JSON takes the fast path, CBOR the full one: both refuse, naming $.to.
  ClientResponse json =
      PostSignal(dated("sig_ahead_json_00001", now_ms + two_days).Dump());
  ClientResponse cbor =
      Post(EncodeSignal(dated("sig_ahead_cbor_00001", now_ms + two_days),
                        SignalFormat::kCbor),
           "application/cbor", {{"X-Tessera-Key", write_key_}});
  for (const ClientResponse* response : {&json, &cbor}) {
    EXPECT_EQ(response->status, 400) << response->body;
    EXPECT_EQ(Code(*response), "invalid_signal");
    const Value body = Body(*response);
    const Value* problems = body.find("problems");
    ASSERT_TRUE(problems && problems->is_array() &&
                problems->as_array().size() == 1)
        << response->body;
    const Value& problem = problems->as_array()[0];
    EXPECT_EQ(problem.find("path")->as_string(), "$.to");
    EXPECT_NE(problem.find("message")->as_string().find(
                  "minutes after the server's time"),
              std::string::npos);
  }
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
  // An hour ahead is a browser's clock running fast: accepted.
  ClientResponse fast_clock =
      PostSignal(dated("sig_ahead_hour_00001", now_ms + 3600 * 1000).Dump());
  EXPECT_EQ(fast_clock.status, 202) << fast_clock.body;
}

TEST_F(HttpApiTest, SignalWithoutConsentIsRefused) {
  Value signal = ExampleSignal();
  signal.set("id", "sig_consent_00000001");
  Value consent = Value::MakeObject();
  consent.set("granted", Value::MakeArray());
  consent.set("policy", "2024-06");
  signal.set("consent", consent);
  ClientResponse response = PostSignal(signal.Dump());
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(Code(response), "consent_required");
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
}

TEST_F(HttpApiTest, OversizedBodyIsA413) {
  std::string big(70 * 1024, ' ');
  ClientResponse response = PostSignal("{" + big + "}");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(Code(response), "payload_too_large");
  // The server keeps serving others.
  EXPECT_EQ(Request("GET", "/healthz").status, 200);
  // Refused before routing, yet a refused signal all the same.
  const std::string exposition = Request("GET", "/metrics").body;
  EXPECT_NE(exposition.find("tessera_signals_total{outcome=\"rejected\"} 1"),
            std::string::npos)
      << exposition;
  EXPECT_NE(exposition.find("tessera_site_signals_total{site=\"(unknown)\","
                            "outcome=\"rejected\"} 1"),
            std::string::npos)
      << exposition;
  EXPECT_NE(exposition.find("route=\"(transport)\",method=\"POST\","
                            "status=\"413\"} 1"),
            std::string::npos)
      << exposition;
}

// Refused by the transport before any handler ran, yet a browser on an
// allowed origin must be able to read the 413: without
// Access-Control-Allow-Origin its fetch fails like a network error, and
// the SDK would resend the same signal forever.
TEST_F(HttpApiTest, OversizedSignalFromAnAllowedOriginIsReadableByIt) {
  const std::string big = "{" + std::string(70 * 1024, ' ') + "}";
  ClientResponse allowed =
      Post(big, "application/json",
           {{"X-Tessera-Key", write_key_}, {"Origin", kAllowedOrigin}});
  EXPECT_EQ(allowed.status, 413);
  EXPECT_EQ(Code(allowed), "payload_too_large");
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_NE(allowed.Header("Vary").find("Origin"), std::string::npos);
  ClientResponse refused =
      Post(big, "application/json",
           {{"X-Tessera-Key", write_key_}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.Header("Access-Control-Allow-Origin"), "");
}

TEST_F(HttpApiTest, MissingWrongAndAdminKeysCannotPostSignals) {
  std::string signal = SignalWith("sig_keys_00000000001");
  ClientResponse missing = Post(signal);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(Code(missing), "missing_key");
  ClientResponse wrong =
      Post(signal, "application/json", {{"X-Tessera-Key", "tsw_nonsense"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Code(wrong), "invalid_key");
  ClientResponse admin =
      Post(signal, "application/json", {{"X-Tessera-Key", admin_key_}});
  EXPECT_EQ(admin.status, 403);
  EXPECT_EQ(Code(admin), "write_key_required");
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
}

TEST_F(HttpApiTest, SignalForAnotherSiteIsRefused) {
  ClientResponse response =
      PostSignal(SignalWith("sig_site_00000000001", kVid, "unknown-site"));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(Code(response), "wrong_site");
}

TEST_F(HttpApiTest, AWriteKeyForEverySiteFromAnOlderDatabaseIsRefused) {
  // The CLI no longer makes one; an older version did.
  const std::string all_sites =
      CreateApiKey(server_->store(), kAllSites, KeyKind::kWrite);
  for (const char* site : {"demo", "invented-site"}) {
    ClientResponse response =
        Post(SignalWith(std::string("sig_all_sites_") + site, kVid, site),
             "application/json", {{"X-Tessera-Key", all_sites}});
    EXPECT_EQ(response.status, 403) << site << ": " << response.body;
    EXPECT_EQ(Code(response), "wrong_site") << site;
  }
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
  EXPECT_TRUE(server_->store().SignalsOfVisitor("invented-site", kVid).empty());
}

TEST_F(HttpApiTest, WrongContentTypeIsA415) {
  ClientResponse response =
      Post(SignalWith("sig_type_00000000001"), "application/xml",
           {{"X-Tessera-Key", write_key_}});
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(Code(response), "unsupported_media_type");
}

TEST_F(HttpApiTest, CorsPreflightAllowsListedOriginsOnly) {
  ClientResponse allowed = Request(
      "OPTIONS", "/v1/signals",
      {{"Origin", kAllowedOrigin},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "content-type,x-tessera-key"}});
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_NE(
      allowed.Header("Access-Control-Allow-Headers").find("X-Tessera-Key"),
      std::string::npos);
  EXPECT_NE(allowed.Header("Access-Control-Allow-Methods").find("POST"),
            std::string::npos);
  EXPECT_EQ(allowed.Header("Access-Control-Max-Age"), "7200");

  ClientResponse refused = Request("OPTIONS", "/v1/signals",
                                   {{"Origin", "https://evil.example"},
                                    {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Code(refused), "origin_not_allowed");
  EXPECT_TRUE(refused.Header("Access-Control-Allow-Origin").empty());

  ClientResponse post =
      Post(SignalWith("sig_cors_00000000001"), "application/json",
           {{"X-Tessera-Key", write_key_}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(post.status, 403);
  ClientResponse good =
      Post(SignalWith("sig_cors_00000000002"), "application/json",
           {{"X-Tessera-Key", write_key_}, {"Origin", kAllowedOrigin}});
  EXPECT_EQ(good.status, 202);
  EXPECT_EQ(good.Header("Access-Control-Allow-Origin"), kAllowedOrigin);
}

TEST_F(HttpApiTest, ArtifactIsServedWithEtagAndRevalidatesTo304) {
  // (Another site: the answer for one is remembered for a second, and
  // "demo" is written straight into the store below, as another replica
  // would.)
  ClientResponse missing = Request("GET", "/v1/artifact/elsewhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Code(missing), "artifact_not_found");

  std::string json = "{\"schema_version\":1,\"version\":\"7\"}";
  std::string etag = "\"" + Sha256Hex(json).substr(0, 32) + "\"";
  server_->store().PutArtifact({"demo", json, etag, 1, kAnyArtifactRevision});
  ClientResponse full = Request("GET", "/v1/artifact/demo");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, json);
  EXPECT_EQ(full.Header("ETag"), etag);
  EXPECT_EQ(full.Header("Cache-Control"), "public, max-age=60");

  ClientResponse cached =
      Request("GET", "/v1/artifact/demo", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.Header("ETag"), etag);
  ClientResponse stale =
      Request("GET", "/v1/artifact/demo", {{"If-None-Match", "\"old\""}});
  EXPECT_EQ(stale.status, 200);
}

TEST_F(HttpApiTest, ArtifactIsGzippedForClientsThatAcceptIt) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/artifact.json");
  const std::string artifact((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  ASSERT_EQ(Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, artifact)
                .status,
            200);
  ClientResponse plain = Request("GET", "/v1/artifact/demo");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  ClientResponse packed = Request("GET", "/v1/artifact/demo",
                                  {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.Header("Content-Encoding"), "gzip");
  EXPECT_NE(packed.Header("Vary").find("Accept-Encoding"), std::string::npos);
  EXPECT_LT(packed.body.size(), plain.body.size() / 2);
  EXPECT_EQ(testing::Gunzip(packed.body), plain.body);
  EXPECT_EQ(packed.Header("ETag"), plain.Header("ETag"));
  ClientResponse refused =
      Request("GET", "/v1/artifact/demo", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.Header("Content-Encoding"), "");
  EXPECT_EQ(refused.body, plain.body);
}

// The artifact is public and cacheable, its body depends on Accept-Encoding
// and its Access-Control-Allow-Origin on Origin: a shared cache must key on
// both, whichever origin (or none) the stored answer was for.
TEST_F(HttpApiTest, ArtifactVariesByEncodingAndOriginForEveryCaller) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/artifact.json");
  const std::string artifact((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  ClientResponse put =
      Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, artifact);
  ASSERT_EQ(put.status, 200) << put.body;
  const std::string etag = put.Header("ETag");
  auto vary_names = [](const ClientResponse& response) {
    std::set<std::string> names;
    std::stringstream list(response.Header("Vary"));
    for (std::string name; std::getline(list, name, ',');) {
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      names.insert(name);
    }
    return names;
  };
  const std::set<std::string> both = {"Accept-Encoding", "Origin"};
  for (const char* origin : {"", kAllowedOrigin, "https://evil.example"}) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Accept-Encoding", "gzip"}};
    if (*origin) headers.emplace_back("Origin", origin);
    ClientResponse full = Request("GET", "/v1/artifact/demo", headers);
    ASSERT_EQ(full.status, 200) << origin;
    EXPECT_EQ(vary_names(full), both) << "origin '" << origin << "'";
    headers.emplace_back("If-None-Match", etag);
    ClientResponse unchanged = Request("GET", "/v1/artifact/demo", headers);
    ASSERT_EQ(unchanged.status, 304) << origin;
    EXPECT_EQ(vary_names(unchanged), both) << "origin '" << origin << "'";
  }
}

TEST_F(HttpApiTest, SdkFilesAreServedWithTheirTypesAndNoTraversal) {
  ClientResponse wasm = Request("GET", "/sdk/tessera.wasm");
  EXPECT_EQ(wasm.status, 200);
  EXPECT_EQ(wasm.Header("Content-Type"), "application/wasm");
  EXPECT_EQ(wasm.body.size(), 8u);
  ClientResponse js = Request("GET", "/sdk/dist/index.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("Content-Type").rfind("text/javascript", 0), 0u);

  for (const char* target : {"/sdk/../secret.txt", "/sdk/%2e%2e/secret.txt",
                             "/sdk/dist/../../secret.txt", "/sdk/.hidden",
                             "/sdk/missing.js", "/sdk/dist"}) {
    ClientResponse response = Request("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.body.find("do not serve"), std::string::npos) << target;
  }
}

TEST_F(HttpApiTest, SdkFilesNamedAfterTheirContentAreCachedForGood) {
  std::ofstream(dir_.File("sdk/dist/tessera.0123456789ab.js")) << "bundle";
  std::ofstream(dir_.File("sdk/dist/tessera_core.0123456789ab.wasm")) << "wasm";
  std::ofstream(dir_.File("sdk/dist/boot.js")) << "boot";
  for (const char* target : {"/sdk/dist/tessera.0123456789ab.js",
                             "/sdk/dist/tessera_core.0123456789ab.wasm"}) {
    ClientResponse response = Request("GET", target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.Header("Cache-Control"),
              "public, max-age=31536000, immutable")
        << target;
  }
  // The entry point and anything not named after a 12-hex-digit hash are
  // revalidated.
  std::ofstream(dir_.File("sdk/dist/tessera.0123456789.js")) << "short";
  std::ofstream(dir_.File("sdk/dist/tessera.0123456789AB.js")) << "capitals";
  for (const char* target : {"/sdk/dist/boot.js", "/sdk/dist/index.js",
                             "/sdk/dist/tessera.0123456789.js",
                             "/sdk/dist/tessera.0123456789AB.js"}) {
    ClientResponse response = Request("GET", target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.Header("Cache-Control"), "public, max-age=300")
        << target;
  }
}

TEST_F(HttpApiTest, SdkFilesArePrecompressedAndRevalidatedByETag) {
  namespace fs = std::filesystem;
  // Beside the file, the forms the SDK build writes (the server does not
  // look inside them, so markers will do).
  std::ofstream(dir_.File("sdk/dist/app.js")) << "plain";
  std::ofstream(dir_.File("sdk/dist/app.js.gz")) << "GZIP";
  std::ofstream(dir_.File("sdk/dist/app.js.br")) << "BROTLI";
  auto get = [this](const std::string& accept,
                    const std::string& if_none_match = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!accept.empty()) headers.emplace_back("Accept-Encoding", accept);
    if (!if_none_match.empty()) {
      headers.emplace_back("If-None-Match", if_none_match);
    }
    return Request("GET", "/sdk/dist/app.js", headers);
  };
  struct Case {
    const char* accept;
    const char* body;
    const char* encoding;
  };
  for (const Case& c :
       {Case{"gzip, deflate, br", "BROTLI", "br"}, Case{"gzip", "GZIP", "gzip"},
        Case{"GZIP;q=0.5", "GZIP", "gzip"},
        Case{"br;q=0, gzip", "GZIP", "gzip"}, Case{"*", "BROTLI", "br"},
        Case{"*;q=0, gzip", "GZIP", "gzip"},
        Case{"br;q=0.0, gzip;q=0", "plain", ""}, Case{"identity", "plain", ""},
        Case{"", "plain", ""}}) {
    ClientResponse response = get(c.accept);
    EXPECT_EQ(response.status, 200) << c.accept;
    EXPECT_EQ(response.body, c.body) << c.accept;
    EXPECT_EQ(response.Header("Content-Encoding"), c.encoding) << c.accept;
    EXPECT_EQ(response.Header("Vary"), "Accept-Encoding") << c.accept;
    EXPECT_EQ(response.Header("Content-Type").rfind("text/javascript", 0), 0u);
  }

  // Each form has its own ETag; a match answers 304 without a body.
  std::string plain_tag = get("").Header("ETag");
  std::string br_tag = get("br").Header("ETag");
  EXPECT_FALSE(plain_tag.empty());
  EXPECT_NE(plain_tag, br_tag);
  ClientResponse cached = get("br", br_tag);
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(get("", br_tag).status, 200);  // not the plain form's tag

  // A compressed form older than its file is stale (a rebuilt SDK whose
  // compression step did not run): the file itself is served.
  auto now = fs::last_write_time(dir_.File("sdk/dist/app.js"));
  fs::last_write_time(dir_.File("sdk/dist/app.js.br"),
                      now - std::chrono::hours(1));
  EXPECT_EQ(get("br, gzip").body, "GZIP");
  std::ofstream(dir_.File("sdk/dist/app.js")) << "plain, rebuilt";
  fs::last_write_time(dir_.File("sdk/dist/app.js"),
                      now + std::chrono::hours(1));
  ClientResponse rebuilt = get("br, gzip", plain_tag);
  EXPECT_EQ(rebuilt.status, 200);
  EXPECT_EQ(rebuilt.body, "plain, rebuilt");
  EXPECT_NE(rebuilt.Header("ETag"), plain_tag);
}

TEST_F(HttpApiTest, SiteFilesAreServedAtTheRootWithoutShadowingTheApi) {
  ClientResponse home = Request("GET", "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<h1>home</h1>");
  EXPECT_EQ(home.Header("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_EQ(Request("GET", "/shop/").body, "<h1>shop</h1>");
  ClientResponse script = Request("GET", "/app.js?v=1");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.Header("Content-Type").rfind("text/javascript", 0), 0u);

  // API routes keep their own answers; the site never sees /v1/ paths.
  EXPECT_EQ(Request("GET", "/healthz").status, 200);
  EXPECT_EQ(Request("GET", "/v1/signals").status, 405);
  EXPECT_EQ(Code(Request("GET", "/v1/nope")), "not_found");
  EXPECT_EQ(Request("POST", "/index.html").status, 404);
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/shop/../../secret.txt",
        "/.hidden", "/shop", "/missing.html"}) {
    ClientResponse response = Request("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(Code(response), "not_found") << target;
    EXPECT_EQ(response.body.find("do not serve"), std::string::npos) << target;
  }
}

TEST_F(HttpApiTest, UnknownRoutesAndMethodsAreJsonErrors) {
  ClientResponse unknown = Request("GET", "/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), "not_found");
  ClientResponse method = Request("DELETE", "/v1/signals");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(Code(method), "method_not_allowed");
  EXPECT_NE(method.Header("Allow").find("POST"), std::string::npos);
}

// .../artifact/revisions is matched by its own GET route and by the GET and
// PUT of .../artifact/{part}: each method is listed once.
TEST_F(HttpApiTest, AllowNamesEachMethodOnceWhenRoutesOverlap) {
  ClientResponse response =
      Admin("DELETE", "/v1/admin/sites/demo/artifact/revisions", admin_key_);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(Code(response), "method_not_allowed");
  EXPECT_EQ(response.Header("Allow"), "GET, HEAD, PUT");
}

TEST_F(HttpApiTest, HeadAnswersLikeGetWithoutTheBody) {
  ClientResponse get = Request("GET", "/healthz");
  ClientResponse head = Request("HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Type"), get.Header("Content-Type"));
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
  // On one kept-alive connection: had a body been sent after the head, the
  // next response would start inside it.
  TestConnection connection(port_);
  connection.SendRaw(Serialize({"HEAD", "/healthz", {}, ""}) +
                     Serialize({"GET", "/readyz", {}, ""}));
  EXPECT_EQ(connection.Read(true).status, 200);
  ClientResponse next = connection.Read();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(Body(next).find("status")->as_string(), "ready");
  // A POST-only route lists what it allows; GET routes allow HEAD too.
  ClientResponse signals = Request("HEAD", "/v1/signals");
  EXPECT_EQ(signals.status, 405);
  EXPECT_EQ(signals.Header("Allow").find("HEAD"), std::string::npos);
  ClientResponse healthz = Request("POST", "/healthz", {}, "{}");
  EXPECT_EQ(healthz.Header("Allow"), "GET, HEAD");
}

TEST_F(HttpApiTest, AbsoluteFormTargetsAreRoutedByTheirPath) {
  // What a forward proxy sends; RFC 9112 says servers must accept it.
  ClientResponse health = Request("GET", "http://127.0.0.1/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Body(health).find("status")->as_string(), "ok");
  ClientResponse upper = Request("GET", "HTTPS://Example.COM:8443/readyz?x=1");
  EXPECT_EQ(upper.status, 200);
  // No path: the root (this fixture's site serves a home page there).
  ClientResponse root = Request("GET", "http://example.com?x=1");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.body, Request("GET", "/").body);
}

TEST_F(HttpApiTest, Http11WithoutHostIsRefusedAndHttp10IsServed) {
  TestConnection missing(port_);
  missing.SendRaw("GET /healthz HTTP/1.1\r\n\r\n");
  ClientResponse refused = missing.Read();
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Code(refused), "missing_host");
  TestConnection old(port_);
  old.SendRaw("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.Read().status, 200);
}

// RFC 9112 §6.3: with a Transfer-Encoding that does not end in chunked the
// body's length is unknown; reading none would serve the body as the next
// request, which a proxy in front framed differently (request smuggling).
TEST_F(HttpApiTest, ATransferEncodingNotEndingInChunkedIsRefused) {
  for (const char* coding : {"chunked, identity", "xchunked", "identity"}) {
    TestConnection connection(port_);
    connection.SendRaw(std::string("POST /healthz HTTP/1.1\r\nHost: x\r\n"
                                   "Transfer-Encoding: ") +
                       coding +
                       "\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    ClientResponse refused = connection.Read();
    EXPECT_EQ(refused.status, 400) << coding;
    EXPECT_EQ(Code(refused), "malformed_request") << coding;
    EXPECT_NE(refused.body.find("Transfer-Encoding"), std::string::npos)
        << refused.body;
    EXPECT_TRUE(connection.WaitForClose()) << coding << ": smuggled request";
  }
}

// RFC 9112 §6.1: a transfer coding the server does not decode is a 501,
// not a body taken as it arrives (gzip bytes read as JSON).
TEST_F(HttpApiTest, TransferCodingsBeforeChunkedAreNotImplemented) {
  for (const char* header :
       {"Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"}) {
    TestConnection connection(port_);
    connection.SendRaw(std::string("POST /healthz HTTP/1.1\r\nHost: x\r\n") +
                       header + "\r\n0\r\n\r\n");
    ClientResponse refused = connection.Read();
    EXPECT_EQ(refused.status, 501) << header;
    EXPECT_EQ(Code(refused), "unsupported_transfer_coding") << header;
    EXPECT_TRUE(connection.WaitForClose()) << header;
  }
  // Plain chunked, in any case, still works.
  TestConnection chunked(port_);
  chunked.SendRaw(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked \r\n"
      "\r\n0\r\n\r\n");
  EXPECT_NE(chunked.Read().status, 501);
}

// A key cut short or mistyped is told apart from one the store does not
// know (and such strings are never looked up or cached).
TEST_F(HttpApiTest, AStringThatIsNoKeyIsNamedAsSuch) {
  const std::string cut = write_key_.substr(0, write_key_.size() - 1);
  std::string upper = admin_key_;
  upper.back() = 'F';
  for (const std::string& wrong : {cut, upper, std::string(5000, 'a')}) {
    ClientResponse signal =
        Post(SignalWith("sig_not_a_key_000001"), "application/json",
             {{"X-Tessera-Key", wrong}});
    EXPECT_EQ(signal.status, 401);
    EXPECT_EQ(Code(signal), "invalid_key");
    EXPECT_NE(signal.body.find("not an API key"), std::string::npos)
        << signal.body;
    ClientResponse admin = Admin("GET", "/v1/admin/sites/demo/artifact", wrong);
    EXPECT_EQ(admin.status, 401);
    EXPECT_NE(admin.body.find("not an API key"), std::string::npos)
        << admin.body;
  }
  // A key of the right shape that was never issued: unknown.
  const std::string unknown = "tsw_" + std::string(64, '0');
  ClientResponse signal =
      Post(SignalWith("sig_not_a_key_000002"), "application/json",
           {{"X-Tessera-Key", unknown}});
  EXPECT_EQ(signal.status, 401);
  EXPECT_NE(signal.body.find("unknown, revoked or expired"), std::string::npos)
      << signal.body;
}

// RFC 9112 §3.2: more than one Host is a 400; which one a proxy in front
// routed by and which one the same-origin check reads could differ.
TEST_F(HttpApiTest, TwoHostHeadersAreRefused) {
  TestConnection connection(port_);
  connection.SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");
  ClientResponse refused = connection.Read();
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Code(refused), "duplicate_host");
}

TEST_F(HttpApiTest, EveryAdminRouteRefusesMissingWrongAndForeignKeys) {
  const std::pair<const char*, const char*> kRoutes[] = {
      {"GET", "/v1/admin/sites/demo/artifact"},
      {"PUT", "/v1/admin/sites/demo/artifact"},
      {"GET", "/v1/admin/sites/demo/artifact/slots"},
      {"PUT", "/v1/admin/sites/demo/artifact/slots"},
      {"POST", "/v1/admin/sites/demo/artifact/check"},
      {"GET", "/v1/admin/sites/demo/artifact/revisions"},
      {"GET", "/v1/admin/sites/demo/artifact/revisions/1"},
      {"POST", "/v1/admin/sites/demo/artifact/revisions/1/restore"},
      {"GET", "/v1/admin/profiles/some-visitor"},
      {"DELETE", "/v1/admin/profiles/some-visitor"},
      {"GET", "/v1/admin/erasures"},
      {"GET", "/v1/admin/sites/demo/audit"},
      {"POST", "/v1/admin/sites/demo/import/customers"},
      {"POST", "/v1/admin/sites/demo/identities"},
      {"GET", "/v1/admin/sites/demo/export/signals"},
      {"GET", "/v1/admin/sites/demo/export/customers"},
  };
  for (const auto& [method, target] : kRoutes) {
    ClientResponse none = Request(method, target, {}, "{}");
    EXPECT_EQ(none.status, 401) << method << " " << target;
    EXPECT_EQ(Code(none), "missing_admin_key");
    ClientResponse wrong = Admin(method, target, "tsa_wrong", "{}");
    EXPECT_EQ(wrong.status, 401) << method << " " << target;
    EXPECT_EQ(Code(wrong), "invalid_key");
    ClientResponse write = Admin(method, target, write_key_, "{}");
    EXPECT_EQ(write.status, 403) << method << " " << target;
    EXPECT_EQ(Code(write), "admin_key_required");
    ClientResponse basic = Request(
        method, target, {{"Authorization", "Basic " + admin_key_}}, "{}");
    EXPECT_EQ(basic.status, 401) << method << " " << target;
  }
  // Site-scoped admin keys stay on their site.
  ClientResponse foreign =
      Admin("GET", "/v1/admin/sites/demo/artifact", other_admin_key_);
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(Code(foreign), "wrong_site");
}

TEST_F(HttpApiTest, AdminBodiesAreNotReadWithoutAValidAdminKey) {
  // Each request announces 50 MB but sends a few bytes: the answer can only
  // come before the body.
  const std::string write_key = write_key_;
  struct Case {
    std::string authorization;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"", 401, "missing_admin_key"},
      {"Bearer tsa_unknown", 401, "invalid_key"},
      {"Bearer " + write_key, 403, "admin_key_required"},
      {"Bearer " + other_admin_key_, 403, "wrong_site"},
  };
  for (const Case& refused : cases) {
    TestConnection connection(port_);
    ASSERT_TRUE(connection.connected());
    std::string head =
        "POST /v1/admin/sites/demo/import/customers HTTP/1.1\r\n"
        "Host: x\r\nContent-Type: text/csv\r\nContent-Length: 50000000\r\n";
    if (!refused.authorization.empty()) {
      head += "Authorization: " + refused.authorization + "\r\n";
    }
    connection.SendRaw(head + "\r\ncustomer_id,tier\n");
    ClientResponse response = connection.Read();
    EXPECT_EQ(response.status, refused.status) << refused.authorization;
    EXPECT_EQ(Code(response), refused.code) << response.body;
    EXPECT_EQ(response.Header("Connection"), "close");
    EXPECT_TRUE(connection.WaitForClose());
  }
  // With the right key the same request is read and imported.
  ClientResponse imported = Request(
      "POST", "/v1/admin/sites/demo/import/customers",
      {{"Authorization", "Bearer " + admin_key_}, {"Content-Type", "text/csv"}},
      "customer_id,tier\nc1,gold\n");
  EXPECT_EQ(imported.status, 200) << imported.body;
}

TEST_F(HttpApiTest, ARefusedBodyStillBeingSentCannotHoldTheConnection) {
  TestConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  connection.SendRaw(
      "POST /v1/admin/sites/demo/import/customers HTTP/1.1\r\n"
      "Host: x\r\nContent-Type: text/csv\r\nContent-Length: 50000000\r\n"
      "\r\n");
  ClientResponse refused = connection.Read();
  ASSERT_EQ(refused.status, 401) << refused.body;
  // The client goes on sending the refused body, 16 KB every 50 ms; the
  // server discards it for its lingering moment (2 s), then closes, and
  // the next sends fail (a reset).
  const std::string chunk(16 * 1024, 'x');
  bool closed = false;
  for (int i = 0; i < 300 && !closed; ++i) {
    closed = !connection.SendRaw(chunk);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(closed) << "still taking the body after 15 s";
}

TEST_F(HttpApiTest, ExpiredKeysAreRefusedLikeUnknownOnes) {
  const int64_t now = NowMs();
  std::string expired_admin =
      CreateApiKey(server_->store(), "demo", KeyKind::kAdmin, nullptr, now - 1);
  std::string expired_write =
      CreateApiKey(server_->store(), "demo", KeyKind::kWrite, nullptr, now - 1);
  std::string current_admin = CreateApiKey(
      server_->store(), "demo", KeyKind::kAdmin, nullptr, now + 3600 * 1000);
  ClientResponse refused = Admin("GET", "/v1/admin/erasures", expired_admin);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(Code(refused), "invalid_key");
  EXPECT_NE(refused.body.find("expired"), std::string::npos) << refused.body;
  ClientResponse signal =
      Post(SignalWith("sig_expired_key_0001"), "application/json",
           {{"X-Tessera-Key", expired_write}});
  EXPECT_EQ(signal.status, 401);
  EXPECT_EQ(Code(signal), "invalid_key");
  EXPECT_EQ(Admin("GET", "/v1/admin/erasures", current_admin).status, 200);

  // A key remembered by the server (the key cache) still expires on time.
  std::string brief = CreateApiKey(server_->store(), "demo", KeyKind::kAdmin,
                                   nullptr, NowMs() + 300);
  EXPECT_EQ(Admin("GET", "/v1/admin/erasures", brief).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Admin("GET", "/v1/admin/erasures", brief).status, 401);
}

TEST_F(HttpApiTest, ErasureReallyErasesAndIsLoggedWithoutTheId) {
  ASSERT_EQ(PostSignal(SignalWith("sig_erase_0000000001")).status, 202);
  ASSERT_EQ(PostSignal(SignalWith("sig_erase_0000000002")).status, 202);
  ASSERT_EQ(
      PostSignal(SignalWith("sig_erase_0000000003", "another-visitor-123"))
          .status,
      202);

  ClientResponse before =
      Admin("GET", std::string("/v1/admin/profiles/") + kVid, admin_key_);
  EXPECT_EQ(before.status, 200);
  EXPECT_EQ(Body(before).find("signal_count")->as_number(), 2);
  EXPECT_EQ(Body(before)
                .find("signals")
                ->as_array()[0]
                .find("signal")
                ->find("vid")
                ->as_string(),
            kVid);

  // The database's files, as bytes: where an erased id must not remain.
  auto stored_bytes = [&] {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream file(dir_.File("data/tessera.db") + suffix,
                         std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(file),
                   std::istreambuf_iterator<char>());
    }
    return bytes;
  };
  ASSERT_NE(stored_bytes().find(kVid), std::string::npos);

  ClientResponse erase =
      Admin("DELETE", std::string("/v1/admin/profiles/") + kVid, admin_key_);
  EXPECT_EQ(erase.status, 200) << erase.body;
  EXPECT_EQ(Body(erase).find("signals_erased")->as_number(), 2);
  // Nor do older copies stay in the files: the database file's freed space
  // is zeroed (secure_delete) and the write-ahead log truncated.
  EXPECT_TRUE(Body(erase).find("copies_purged")->as_bool());
  EXPECT_EQ(stored_bytes().find(kVid), std::string::npos);

  ClientResponse after =
      Admin("GET", std::string("/v1/admin/profiles/") + kVid, admin_key_);
  EXPECT_EQ(Body(after).find("signal_count")->as_number(), 0);
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
  EXPECT_EQ(
      server_->store().SignalsOfVisitor("demo", "another-visitor-123").size(),
      1u);

  ClientResponse log = Admin("GET", "/v1/admin/erasures", admin_key_);
  EXPECT_EQ(log.status, 200);
  EXPECT_EQ(log.body.find(kVid), std::string::npos);
  EXPECT_NE(log.body.find(Sha256Hex(kVid)), std::string::npos);
}

// A row damaged or edited in the database: a reader that passes its body
// on as JSON must say which signal it is, not answer text that is no JSON.
TEST_F(HttpApiTest, AStoredSignalThatIsNoJsonIsNamedNotPassedOn) {
  ASSERT_EQ(PostSignal(SignalWith("sig_damaged_00000001")).status, 202);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("data/tessera.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "UPDATE signals SET body = '{\"agg\":' WHERE id = "
                         "'sig_damaged_00000001'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  for (const std::string& target :
       {std::string("/v1/admin/profiles/") + kVid,
        std::string("/v1/admin/sites/demo/export/signals")}) {
    ClientResponse response = Admin("GET", target, admin_key_);
    EXPECT_EQ(response.status, 503) << target << ": " << response.body;
    EXPECT_NE(response.body.find("the stored signal 'sig_damaged_00000001' "
                                 "of site 'demo' is not JSON"),
              std::string::npos)
        << target << ": " << response.body;
  }
}

TEST_F(HttpApiTest, AdminPutRejectsMalformedAndInvalidArtifacts) {
  ClientResponse malformed =
      Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, "{\"a\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "malformed_json");
  ClientResponse not_object =
      Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, "[1,2]");
  EXPECT_EQ(not_object.status, 422);
  EXPECT_EQ(Code(not_object), "invalid_artifact");
  ClientResponse invalid = Admin("PUT", "/v1/admin/sites/demo/artifact",
                                 admin_key_, "{\"slots\": 5}");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(Code(invalid), "invalid_artifact");
  Value body = Body(invalid);
  const Value* problems = body.find("problems");
  ASSERT_TRUE(problems && problems->is_array() && problems->size() > 0);
  EXPECT_TRUE(problems->as_array()[0].find("path")->is_string());
  EXPECT_FALSE(server_->store().GetArtifact("demo").has_value());
}

std::string ExampleArtifactText() {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/artifact.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(HttpApiTest, AdminPublishesAnArtifactThatBrowsersThenFetch) {
  std::string artifact = ExampleArtifactText();
  ASSERT_FALSE(artifact.empty()) << "docs/examples/artifact.json is missing";
  ClientResponse put =
      Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, artifact);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Body(put).find("revision")->as_number(), 1);
  std::string etag = put.Header("ETag");
  EXPECT_FALSE(etag.empty());

  ClientResponse fetched = Request("GET", "/v1/artifact/demo");
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.Header("ETag"), etag);
  EXPECT_EQ(Body(fetched), ParseJson(artifact).value());
  EXPECT_EQ(
      Request("GET", "/v1/artifact/demo", {{"If-None-Match", etag}}).status,
      304);

  ClientResponse admin_get =
      Admin("GET", "/v1/admin/sites/demo/artifact", admin_key_);
  EXPECT_EQ(admin_get.status, 200);
  EXPECT_EQ(admin_get.body, fetched.body);
}

TEST_F(HttpApiTest, ArtifactPartsAreReadAndReplacedWithValidation) {
  std::string artifact = ExampleArtifactText();
  ASSERT_EQ(Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_, artifact)
                .status,
            200);
  ClientResponse slots =
      Admin("GET", "/v1/admin/sites/demo/artifact/slots", admin_key_);
  EXPECT_EQ(slots.status, 200);
  EXPECT_EQ(Body(slots), *ParseJson(artifact)->find("slots"));

  ClientResponse bad = Admin("PUT", "/v1/admin/sites/demo/artifact/segments",
                             admin_key_, "[{\"id\": 5}]");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(Code(bad), "invalid_artifact");
  EXPECT_NE(bad.body.find("$.segments[0]"), std::string::npos) << bad.body;
  EXPECT_EQ(server_->store().GetArtifact("demo")->revision, 1);  // unchanged

  ClientResponse unknown =
      Admin("GET", "/v1/admin/sites/demo/artifact/secrets", admin_key_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), "unknown_artifact_part");
}

// A part is checked against the rest of the artifact: a replacement that
// leaves a slot naming what no longer exists is refused with that path, and
// browsers keep getting the published artifact.
TEST_F(HttpApiTest, APartThatBreaksAReferenceElsewhereIsRefused) {
  const std::string base = "/v1/admin/sites/demo/artifact";
  ClientResponse published =
      Admin("PUT", base, admin_key_, ExampleArtifactText());
  ASSERT_EQ(published.status, 200) << published.body;
  Value segments = Body(Admin("GET", base + "/segments", admin_key_));
  Array kept;
  for (const Value& segment : segments.as_array()) {
    if (segment.find("id")->as_string() != "high-value")
      kept.push_back(segment);
  }
  ClientResponse no_segment =
      Admin("PUT", base + "/segments", admin_key_, Value(kept).Dump());
  EXPECT_EQ(no_segment.status, 422) << no_segment.body;
  EXPECT_NE(no_segment.body.find("\"$.slots[0].variants[0].condition\""),
            std::string::npos)
      << no_segment.body;
  ClientResponse no_experiment =
      Admin("PUT", base + "/experiments", admin_key_, "[]");
  EXPECT_EQ(no_experiment.status, 422) << no_experiment.body;
  EXPECT_NE(no_experiment.body.find("\"$.slots[1].experiment\""),
            std::string::npos)
      << no_experiment.body;

  EXPECT_EQ(server_->store().GetArtifact("demo")->revision, 1);
  ClientResponse served = Request("GET", "/v1/artifact/demo");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.Header("ETag"), published.Header("ETag"));
}

TEST_F(HttpApiTest, ArtifactRevisionsAreListedReadAndRolledBackTo) {
  const std::string artifact = ExampleArtifactText();
  const std::string base = "/v1/admin/sites/demo/artifact";
  ASSERT_EQ(Admin("PUT", base, admin_key_, artifact).status, 200);
  ClientResponse changed = Admin("PUT", base + "/signals", admin_key_,
                                 "{\"endpoint\": \"/v1/signals\", "
                                 "\"flushIntervalMs\": 1000}");
  ASSERT_EQ(changed.status, 200) << changed.body;

  ClientResponse list = Admin("GET", base + "/revisions", admin_key_);
  ASSERT_EQ(list.status, 200) << list.body;
  Value listed = Body(list);
  EXPECT_EQ(listed.find("current")->as_number(), 2);
  const Array& revisions = listed.find("revisions")->as_array();
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].find("revision")->as_number(), 2);
  EXPECT_EQ(revisions[0].find("etag")->as_string(), changed.Header("ETag"));
  EXPECT_EQ(revisions[1].find("revision")->as_number(), 1);
  EXPECT_GT(revisions[1].find("bytes")->as_number(), 1000);
  // Who published each: the admin key, by its id and prefix (keys list).
  const Value* by = revisions[0].find("published_by");
  ASSERT_TRUE(by && by->is_object()) << list.body;
  EXPECT_EQ(by->find("key_prefix")->as_string(), admin_key_.substr(0, 10));
  EXPECT_GT(by->find("key_id")->as_number(), 0);

  ClientResponse first = Admin("GET", base + "/revisions/1", admin_key_);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(Body(first), ParseJson(artifact).value());

  // Rolling back publishes revision 1 again, as revision 3, which browsers
  // get at once.
  ClientResponse restored =
      Admin("POST", base + "/revisions/1/restore", admin_key_);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(Body(restored).find("revision")->as_number(), 3);
  EXPECT_EQ(Body(restored).find("restored_from")->as_number(), 1);
  EXPECT_EQ(restored.Header("ETag"), first.Header("ETag"));
  ClientResponse browser = Request("GET", "/v1/artifact/demo");
  EXPECT_EQ(Body(browser), ParseJson(artifact).value());
  EXPECT_EQ(browser.Header("ETag"), first.Header("ETag"));

  for (const char* bad : {"0", "x1", "-1", "1.5", "9999999999999999"}) {
    ClientResponse refused =
        Admin("GET", base + "/revisions/" + bad, admin_key_);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_EQ(Code(refused), "invalid_revision") << bad;
  }
  ClientResponse unknown =
      Admin("POST", base + "/revisions/42/restore", admin_key_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), "artifact_revision_not_found");
  EXPECT_EQ(
      Admin("GET", "/v1/admin/sites/other/artifact/revisions", other_admin_key_)
          .status,
      404);
  EXPECT_EQ(server_->store().GetArtifact("demo")->revision, 3);
}

TEST_F(HttpApiTest, IfMatchRefusesAChangeMadeFromAnOlderRevision) {
  const std::string artifact = ExampleArtifactText();
  const std::string base = "/v1/admin/sites/demo/artifact";
  auto put = [&](const std::string& target, const std::string& body,
                 const std::string& if_match) {
    return Request(
        "PUT", target,
        {{"Authorization", "Bearer " + admin_key_}, {"If-Match", if_match}},
        body);
  };
  ClientResponse none_yet = put(base, artifact, "*");
  EXPECT_EQ(none_yet.status, 412);
  EXPECT_EQ(Code(none_yet), "artifact_changed");
  ClientResponse first = Admin("PUT", base, admin_key_, artifact);
  ASSERT_EQ(first.status, 200);
  const std::string etag1 = first.Header("ETag");

  // Two editors start from revision 1; the second to publish is refused.
  const std::string consent =
      "{\"mode\": \"opt-in\", \"policyVersion\": \"2026-02\"}";
  ClientResponse part = put(base + "/consent", consent, etag1);
  ASSERT_EQ(part.status, 200) << part.body;
  const std::string etag2 = part.Header("ETag");
  EXPECT_NE(etag2, etag1);
  ClientResponse stale = put(base, artifact, etag1);
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Code(stale), "artifact_changed");
  EXPECT_NE(stale.body.find("revision 2"), std::string::npos) << stale.body;
  EXPECT_EQ(put(base + "/signals", "{}", etag1).status, 412);
  ClientResponse stale_restore =
      Request("POST", base + "/revisions/1/restore",
              {{"Authorization", "Bearer " + admin_key_}, {"If-Match", etag1}});
  EXPECT_EQ(stale_restore.status, 412);
  // A weak tag never matches If-Match (strong comparison).
  EXPECT_EQ(put(base, artifact, "W/" + etag2).status, 412);
  EXPECT_EQ(server_->store().GetArtifact("demo")->revision, 2);
  EXPECT_EQ(Body(Admin("GET", base + "/consent", admin_key_))
                .find("policyVersion")
                ->as_string(),
            "2026-02");

  // The current ETag (as GET of a part gives it), a list of tags, and "*".
  ClientResponse read = Admin("GET", base + "/slots", admin_key_);
  EXPECT_EQ(read.Header("ETag"), etag2);
  ClientResponse current = put(base, artifact, "\"other\", " + etag2);
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(put(base, artifact, "*").status, 200);
  EXPECT_EQ(server_->store().GetArtifact("demo")->revision, 4);
}

TEST_F(HttpApiTest, PartUpdatesFromTwoServersAtOnceLoseNothing) {
  ASSERT_EQ(Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_,
                  ExampleArtifactText())
                .status,
            200);
  // A second server on the same database, as a replica would be.
  ServeOptions options;
  options.db = dir_.File("data/tessera.db");
  options.port = 0;
  options.durable = false;
  TesseraServer replica(options);
  replica.Start();
  std::thread replica_runner([&] { replica.Run(); });
  constexpr int kEach = 15;
  // Each writer's last accepted value (a refusal after too many lost races
  // is allowed, a lost update is not).
  std::string last_policy, last_interval;
  auto writer = [&](uint16_t port, const std::string& part, bool policy) {
    for (int i = 0; i < kEach; ++i) {
      std::string value = std::to_string(1000 + i);
      ClientRequest request;
      request.method = "PUT";
      request.target = "/v1/admin/sites/demo/artifact/" + part;
      request.headers = {{"Authorization", "Bearer " + admin_key_}};
      request.body = policy ? "{\"mode\": \"opt-in\", \"policyVersion\": \"" +
                                  value + "\"}"
                            : "{\"flushIntervalMs\": " + value + "}";
      ClientResponse answer = testing::Send(port, request);
      ASSERT_TRUE(answer.status == 200 || answer.status == 412)
          << answer.status << " " << answer.body;
      if (answer.status == 200) (policy ? last_policy : last_interval) = value;
    }
  };
  std::thread first([&] { writer(port_, "consent", true); });
  std::thread second([&] { writer(replica.port(), "signals", false); });
  first.join();
  second.join();
  replica.Stop();
  replica_runner.join();
  ASSERT_FALSE(last_policy.empty());
  ASSERT_FALSE(last_interval.empty());
  Value published =
      ParseJson(server_->store().GetArtifact("demo")->json).value();
  EXPECT_EQ(published.find_path("consent.policyVersion")->as_string(),
            last_policy);
  EXPECT_EQ(published.find_path("signals.flushIntervalMs")->as_number(),
            std::stod(last_interval));
}

TEST_F(HttpApiTest, CheckingAnArtifactPublishesNothing) {
  const std::string check = "/v1/admin/sites/demo/artifact/check";
  ClientResponse valid =
      Admin("POST", check, admin_key_, ExampleArtifactText());
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_TRUE(Body(valid).find("valid")->as_bool());
  EXPECT_FALSE(server_->store().GetArtifact("demo").has_value());
  EXPECT_EQ(Request("GET", "/v1/artifact/demo").status, 404);

  Result<Value> broken = ParseJson(ExampleArtifactText());
  broken->find("segments")->as_array()[0].erase("id");
  ClientResponse invalid = Admin("POST", check, admin_key_, broken->Dump());
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(Code(invalid), "invalid_artifact");
  EXPECT_NE(invalid.body.find("$.segments[0]"), std::string::npos)
      << invalid.body;
  EXPECT_EQ(Code(Admin("POST", check, admin_key_, "{\"a\":")),
            "malformed_json");
  // For its own site only.
  EXPECT_EQ(Admin("POST", "/v1/admin/sites/other/artifact/check",
                  other_admin_key_, ExampleArtifactText())
                .status,
            422);
}

// The example artifact with its first slot's first variant given `text` as
// template and `data_json` as data: how the template checks below vary it.
std::string ExampleArtifactWithFirstVariant(std::string_view text,
                                            std::string_view data_json) {
  Result<Value> artifact = ParseJson(ExampleArtifactText());
  Value& variant =
      artifact->find("slots")->as_array()[0].find("variants")->as_array()[0];
  *variant.find("template") = Value(std::string(text));
  *variant.find("data") = *ParseJson(data_json);
  return artifact->Dump();
}

// Unescaped tags write HTML into the page; the visitor controls much of the
// view (traits, context.path, context.referrer), so only the variant's own
// data may be written unescaped.
TEST_F(HttpApiTest, ArtifactsMayNotWriteVisitorAttributesUnescaped) {
  const std::string check = "/v1/admin/sites/demo/artifact/check";
  auto with_template = [](std::string_view text) {
    return ExampleArtifactWithFirstVariant(
        text, R"({"banner":{"html":"<b>20%</b>"},"notes":["<i>new</i>"]})");
  };
  for (std::string_view raw :
       {"<p>{{{traits.name}}}</p>", "<p>{{& context.referrer}}</p>",
        "{{#traits}}{{{name}}}{{/traits}}",
        "{{#banner}}{{#context}}{{{path}}}{{/context}}{{/banner}}",
        "{{=<% %>=}}<%& context.path %>",
        "{{#affinities}}{{{.}}}{{/affinities}}"}) {
    ClientResponse refused =
        Admin("POST", check, admin_key_, with_template(raw));
    EXPECT_EQ(refused.status, 422) << raw;
    EXPECT_NE(refused.body.find("$.slots[0].variants[0].template"),
              std::string::npos)
        << raw << ": " << refused.body;
    EXPECT_EQ(Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_,
                    with_template(raw))
                  .status,
              422)
        << raw;
  }
  // The authors' own data, and anything escaped, stay allowed.
  for (std::string_view allowed :
       {"{{{banner.html}}}", "{{#banner}}{{{banner.html}}}{{/banner}}",
        "{{#notes}}{{{.}}}{{/notes}}",
        "{{& banner.html}} {{traits.name}} {{context.path}}",
        "{{^traits.vip}}{{{banner.html}}}{{/traits.vip}}"}) {
    ClientResponse valid =
        Admin("POST", check, admin_key_, with_template(allowed));
    EXPECT_EQ(valid.status, 200) << allowed << ": " << valid.body;
  }
}

// Escaping keeps a value from becoming markup, but not from becoming a
// javascript: link or code in an event handler: there only the variant's
// own data may be written.
TEST_F(HttpApiTest, ArtifactsMayNotWriteVisitorAttributesWhereEscapingFails) {
  const std::string check = "/v1/admin/sites/demo/artifact/check";
  auto with_template = [](std::string_view text) {
    return ExampleArtifactWithFirstVariant(text, R"({"link":"/sale"})");
  };
  for (std::string_view refused :
       {"<a href=\"{{traits.site}}\">site</a>", "<a HREF = '{{traits.site}}'>",
        "<img src={{affinities.0}}>", "<form action=\"{{context.extra}}\">",
        "<b onclick=\"show('{{traits.name}}')\">hi</b>",
        "<p style=\"color: {{traits.color}}\">hi</p>",
        "<iframe srcdoc=\"<b>{{traits.name}}</b>\"></iframe>",
        "<a href=\"{{#traits}}{{^vip}}{{site}}{{/vip}}{{/traits}}\">",
        "<div title={{traits.name}}>hi</div>",
        "<p class=x data-n = {{context.path}}>hi</p>",
        "<p {{traits.name}}>hi</p>", "<p title=\"a>b\" id={{traits.name}}>"}) {
    ClientResponse answer =
        Admin("POST", check, admin_key_, with_template(refused));
    EXPECT_EQ(answer.status, 422) << refused;
    EXPECT_NE(answer.body.find("$.slots[0].variants[0].template"),
              std::string::npos)
        << refused << ": " << answer.body;
  }
  for (std::string_view allowed :
       {"<a href=\"{{link}}\">sale</a>",
        "<a href=\"/search?q={{traits.name}}\">{{traits.name}}</a>",
        "<p title=\"{{traits.name}}\" class=\"x\">{{context.path}}</p>",
        "<b onclick=\"go()\">{{traits.name}}</b>",
        "<p>2+2={{traits.name}}</p>", "<a href=/x>{{traits.name}}</a>",
        "<p title='a=b{{traits.name}}'>hi</p>",
        "<p title=\"<{{traits.name}}\">hi</p>"}) {
    ClientResponse answer =
        Admin("POST", check, admin_key_, with_template(allowed));
    EXPECT_EQ(answer.status, 200) << allowed << ": " << answer.body;
  }
}

TEST_F(HttpApiTest, AdminActionsOnPersonalDataAreAudited) {
  ASSERT_EQ(PostSignal(SignalWith("sig_audit_0000000001")).status, 202);
  ASSERT_EQ(Admin("PUT", "/v1/admin/sites/demo/artifact", admin_key_,
                  ExampleArtifactText())
                .status,
            200);
  const std::string profile = std::string("/v1/admin/profiles/") + kVid;
  ASSERT_EQ(Admin("GET", profile, admin_key_).status, 200);
  ASSERT_EQ(
      Admin("GET", "/v1/admin/sites/demo/export/signals", admin_key_).status,
      200);
  ASSERT_EQ(Admin("DELETE", profile, admin_key_).status, 200);
  ASSERT_EQ(Admin("POST", "/v1/admin/sites/demo/artifact/revisions/1/restore",
                  admin_key_)
                .status,
            200);

  ClientResponse audit = Admin("GET", "/v1/admin/sites/demo/audit", admin_key_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  const Value listed = Body(audit);
  const Array& entries = listed.find("entries")->as_array();
  std::vector<std::string> actions;
  for (const Value& entry : entries) {
    actions.push_back(entry.find("action")->as_string());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "artifact.restore", "profile.erase", "export.signals",
                         "profile.read", "artifact.publish"}));
  const int64_t admin_id =
      server_->store().FindApiKey(HashApiKey(admin_key_))->id;
  EXPECT_EQ(entries[0].find("key_id")->as_number(), admin_id);
  EXPECT_EQ(entries[0].find_path("detail.restored_from")->as_number(), 1);
  EXPECT_EQ(entries[2].find_path("detail.rows")->as_number(), 1);
  EXPECT_EQ(entries[3].find_path("detail.subject_hash")->as_string(),
            Sha256Hex(kVid));
  // Whom an access request was about is a hash, never the id.
  EXPECT_EQ(audit.body.find(kVid), std::string::npos) << audit.body;

  ClientResponse later = Admin(
      "GET", "/v1/admin/sites/demo/audit?since=9999999999999", admin_key_);
  EXPECT_EQ(later.status, 200);
  EXPECT_TRUE(Body(later).find("entries")->as_array().empty()) << later.body;
  EXPECT_EQ(
      Admin("GET", "/v1/admin/sites/demo/audit?since=soon", admin_key_).status,
      400);
  // Another site's key reads its own site's log only.
  EXPECT_EQ(Admin("GET", "/v1/admin/sites/demo/audit", other_admin_key_).status,
            403);
}

TEST_F(HttpApiTest, ArtifactForAnotherSiteIsRejected) {
  ClientResponse put = Admin("PUT", "/v1/admin/sites/other/artifact",
                             other_admin_key_, ExampleArtifactText());
  EXPECT_EQ(put.status, 422);
  EXPECT_NE(put.body.find("\"$.site\""), std::string::npos) << put.body;
}

TEST_F(HttpApiTest, ASlowImportDoesNotHoldUpOtherRequests) {
  // About two seconds of import here: 400,000 customers.
  std::string csv = "customer_id,tier\n";
  for (int i = 0; i < 400000; ++i) csv += "c" + std::to_string(i) + ",gold\n";
  using Clock = std::chrono::steady_clock;
  Clock::time_point imported;
  std::thread importer([&] {
    ClientResponse answer =
        Request("POST", "/v1/admin/sites/demo/import/customers",
                {{"Authorization", "Bearer " + admin_key_},
                 {"Content-Type", "text/csv"}},
                csv);
    imported = Clock::now();
    EXPECT_EQ(answer.status, 200) << answer.body;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Fresh connections go to both I/O threads in turn: none may wait for
  // the import (it used to run on one of them).
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Request("GET", "/healthz").status, 200);
  }
  const Clock::time_point answered = Clock::now();
  importer.join();
  EXPECT_LT(answered + std::chrono::milliseconds(300), imported)
      << "the health checks waited for the import";
}

TEST_F(HttpApiTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestConnection connection(port_);
  ASSERT_TRUE(connection.connected());
  ClientRequest health;
  health.target = "/healthz";
  connection.SendRaw(testing::Serialize(health));
  EXPECT_EQ(connection.Read().status, 200);
  connection.SendRaw(testing::Serialize(health));
  EXPECT_EQ(connection.Read().status, 200);
}

TEST_F(HttpApiTest, SlowClientIsDisconnectedWhileOthersAreServed) {
  TestConnection slow(port_);
  ASSERT_TRUE(slow.connected());
  slow.SendRaw("POST /v1/signals HTTP/1.1\r\nHost: x\r\n");  // never finishes
  EXPECT_EQ(Request("GET", "/healthz").status, 200);
  EXPECT_TRUE(slow.WaitForClose());
}

TEST_F(HttpApiTest, DeeplyNestedSignalsAreA400) {
  const std::string nested = std::string(10000, '[') + std::string(10000, ']');
  Value signal = ExampleSignal();
  signal.set("id", std::string("sig_nested_000000001"));
  std::string inside = signal.Dump();
  inside.insert(inside.rfind('}'), ",\"deep\":" + nested);
  for (const std::string& body : {nested, inside}) {
    ClientResponse response = PostSignal(body);
    EXPECT_EQ(response.status, 400) << response.body.substr(0, 200);
    EXPECT_EQ(response.Header("Content-Type"), "application/json");
    EXPECT_FALSE(Code(response).empty()) << response.body.substr(0, 200);
    EXPECT_FALSE(Body(response).find("message")->string_or("").empty());
  }
  EXPECT_TRUE(server_->store().SignalsOfVisitor("demo", kVid).empty());
  EXPECT_EQ(Request("GET", "/healthz").status, 200);
}

TEST_F(HttpApiTest, ABodyTrickledInIsCutOffWhileOthersAreServed) {
  ServeOptions options;
  options.db = dir_.File("trickle/tessera.db");
  options.body_timeout_ms = 500;
  ExtraServer server(options);
  const std::string key =
      CreateApiKey(server->store(), "demo", KeyKind::kWrite);
  const std::string signal = SignalWith("sig_trickle_00000001");
  TestConnection slow(server->port());
  ASSERT_TRUE(slow.connected());
  slow.SendRaw(
      "POST /v1/signals HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nX-Tessera-Key: " +
      key + "\r\nContent-Length: " + std::to_string(signal.size()) +
      "\r\n\r\n");
  // Two bytes every 50 ms: the body keeps coming, but not all of it within
  // the body deadline. The server must hang up while it still trickles,
  // and answer others meanwhile.
  size_t sent = 0;
  while (sent + 2 < signal.size() && !slow.ClosedByServer()) {
    slow.SendRaw(signal.substr(sent, 2));
    sent += 2;
    ClientRequest health;
    health.target = "/healthz";
    EXPECT_EQ(testing::Send(server->port(), health).status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(slow.ClosedByServer())
      << "the connection was still open after " << sent << " of "
      << signal.size() << " bytes";
  EXPECT_TRUE(server->store().SignalsOfVisitor("demo", kVid).empty());
}

TEST_F(HttpApiTest, GarbageRequestLineIsA400) {
  TestConnection connection(port_);
  connection.SendRaw("NOT HTTP AT ALL\r\n\r\n");
  ClientResponse response = connection.Read();
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Code(response), "malformed_request");
}

}  // namespace
}  // namespace tessera::server
