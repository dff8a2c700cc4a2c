// HTTPS: the whole server in-process with a self-signed certificate made by
// the `openssl` command line tool in a temporary directory; an Asio/OpenSSL
// client that verifies the server against that certificate. Also the
// start-up failures for bad TLS files, in-process and through the binary.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "server_binary.h"
#include "temp_dir.h"
#include "tessera/json.h"
#include "tessera/server/api_key.h"
#include "tessera/server/server.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using testing::TempDir;

// Output and exit code of a shell command (stderr included).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult Shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0)
    result.output.append(chunk, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A self-signed P-256 certificate for 127.0.0.1 and localhost.
bool MakeCertificate(const std::string& cert, const std::string& key) {
  CommandResult made = Shell(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
      key + "' -out '" + cert + "'");
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return made.exit_code == 0;
}

// A self-signed P-256 certificate for 127.0.0.1 that expired yesterday
// (the `openssl req` of OpenSSL 3.0 cannot date one in the past).
bool MakeExpiredCertificate(const std::string& cert, const std::string& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x509 = X509_new();
  bool made = pkey && x509;
  if (made) {
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), -2 * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x509), -86400);
    X509_set_pubkey(x509, pkey);
    X509_NAME* name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC,
        reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x509, name);
    made = X509_sign(x509, pkey, EVP_sha256()) > 0;
  }
  FILE* cert_file = made ? std::fopen(cert.c_str(), "w") : nullptr;
  FILE* key_file = made ? std::fopen(key.c_str(), "w") : nullptr;
  made = cert_file && key_file && PEM_write_X509(cert_file, x509) == 1 &&
         PEM_write_PrivateKey(key_file, pkey, nullptr, nullptr, 0, nullptr,
                              nullptr) == 1;
  if (cert_file) std::fclose(cert_file);
  if (key_file) std::fclose(key_file);
  X509_free(x509);
  EVP_PKEY_free(pkey);
  EXPECT_TRUE(made);
  return made;
}

std::string ExampleSignalWithId(const std::string& id) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/signal.json");
  std::stringstream text;
  text << in.rdbuf();
  Result<Value> signal = ParseJson(text.str());
  EXPECT_TRUE(signal.ok()) << "docs/examples/signal.json does not parse";
  if (!signal.ok()) return "{}";
  signal->set("id", id);
  return signal->Dump();
}

// A blocking HTTPS client with a deadline on every step, so a broken server
// fails the test instead of hanging it.
class TlsClient {
 public:
  // Trusts exactly `ca_file` and checks the certificate names 127.0.0.1.
  // `max_version` limits the protocol (e.g. TLS1_1_VERSION); 0 = default.
  explicit TlsClient(const std::string& ca_file, int max_version = 0)
      : context_(ssl::context::tls_client) {
    context_.set_verify_mode(ssl::verify_peer);
    context_.load_verify_file(ca_file);
    if (max_version != 0) {
      // Let this client offer old protocols at all (OpenSSL 3 forbids them
      // by default at security level 1), so the refusal is the server's.
      SSL_CTX_set_security_level(context_.native_handle(), 0);
      SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context_.native_handle(), max_version);
    }
    stream_.emplace(ioc_, context_);
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  }

  // Connects and handshakes; the error (empty on success).
  beast::error_code Connect(uint16_t port) {
    beast::error_code error;
    beast::get_lowest_layer(*stream_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port), error);
    if (error) return error;
    return Await([&](auto done) {
      stream_->async_handshake(ssl::stream_base::client, done);
    });
  }

  // One request on the connection; the response, or nullopt and `error`.
  std::optional<http::response<http::string_body>> Request(
      http::verb method, const std::string& target,
      std::vector<std::pair<std::string, std::string>> headers = {},
      std::string body = "", beast::error_code* error_out = nullptr) {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::error_code error =
        Await([&](auto done) { http::async_write(*stream_, request, done); });
    http::response<http::string_body> response;
    if (!error) {
      error = Await([&](auto done) {
        http::async_read(*stream_, buffer_, response, done);
      });
    }
    if (error_out) *error_out = error;
    if (error) return std::nullopt;
    return response;
  }

  // Waits for the next bytes; the error that ends the wait (e.g. the
  // server closing the connection).
  beast::error_code ReadSome() {
    char byte;
    return Await([&](auto done) {
      stream_->async_read_some(net::buffer(&byte, 1), done);
    });
  }

 private:
  // Runs one asynchronous operation to completion or for at most 10 s.
  template <class Start>
  beast::error_code Await(Start start) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code error, auto&&...) { result = error; });
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(10));
    if (!result) {
      beast::get_lowest_layer(*stream_).close();
      ioc_.restart();
      ioc_.run_for(std::chrono::seconds(1));
      return net::error::timed_out;
    }
    return *result;
  }

  net::io_context ioc_;
  ssl::context context_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    cert_ = dir_.File("cert.pem");
    key_ = dir_.File("key.pem");
    ASSERT_TRUE(MakeCertificate(cert_, key_));

    ServeOptions options;
    options.db = dir_.File("data/tessera.db");
    options.port = 0;
    options.threads = 2;
    options.durable = false;
    options.header_timeout_ms = 2000;
    options.tls_cert = cert_;
    options.tls_key = key_;
    server_ = std::make_unique<TesseraServer>(options);
    server_->Start();
    port_ = server_->port();
    runner_ = std::thread([this] { server_->Run(); });
    write_key_ = CreateApiKey(server_->store(), "demo", KeyKind::kWrite);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
  std::unique_ptr<TesseraServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
  std::string write_key_;
};

TEST_F(TlsServerTest, ServesHealthAndSignalsOnOneVerifiedConnection) {
  EXPECT_TRUE(server_->tls());
  TlsClient client(cert_);
  ASSERT_FALSE(client.Connect(port_)) << "TLS handshake failed";

  auto health = client.Request(http::verb::get, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result_int(), 200u);
  EXPECT_EQ(health->body(), "{\"status\":\"ok\"}");
  EXPECT_TRUE(health->keep_alive());

  // Same connection (keep-alive): a signal, then the same one again.
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"X-Tessera-Key", write_key_}};
  std::string signal = ExampleSignalWithId("sig_tls_0000000000001");
  auto first = client.Request(http::verb::post, "/v1/signals", headers, signal);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 202u) << first->body();
  EXPECT_EQ(first->body(), "{\"status\":\"accepted\"}");
  auto again = client.Request(http::verb::post, "/v1/signals", headers, signal);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 200u) << again->body();
  EXPECT_EQ(again->body(), "{\"status\":\"duplicate\"}");

  // Errors are the same JSON over TLS.
  auto refused = client.Request(
      http::verb::post, "/v1/signals",
      {{"Content-Type", "application/json"}, {"X-Tessera-Key", "wrong"}},
      signal);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 401u);
  EXPECT_NE(refused->body().find("\"code\":\"invalid_key\""), std::string::npos)
      << refused->body();
}

TEST_F(TlsServerTest, ClientTrustingAnotherCertificateRefusesTheServer) {
  std::string other_cert = dir_.File("other-cert.pem");
  ASSERT_TRUE(MakeCertificate(other_cert, dir_.File("other-key.pem")));
  TlsClient client(other_cert);
  beast::error_code error = client.Connect(port_);
  EXPECT_TRUE(error) << "a certificate the client does not trust passed";
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortIsNotServed) {
  testing::ClientRequest request;
  request.target = "/healthz";
  testing::ClientResponse response = testing::Send(port_, request);
  EXPECT_EQ(response.status, 0) << "answered in clear: " << response.body;
}

TEST_F(TlsServerTest, RefusesTls11) {
  TlsClient client(cert_, TLS1_1_VERSION);
  beast::error_code error = client.Connect(port_);
  ASSERT_TRUE(error) << "a TLS 1.1 handshake succeeded";
  // The server's "protocol version" alert, not a client-side refusal.
  EXPECT_NE(error.message().find("protocol version"), std::string::npos)
      << error.message();
}

TEST_F(TlsServerTest, StopClosesAnIdleKeptAliveConnection) {
  TlsClient client(cert_);
  ASSERT_FALSE(client.Connect(port_));
  auto health = client.Request(http::verb::get, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result_int(), 200u);
  server_->Stop();
  runner_.join();  // Run returns although the connection was kept alive
  beast::error_code error = client.ReadSome();
  EXPECT_TRUE(error);
  EXPECT_NE(error, net::error::timed_out) << "the connection stayed open";
}

// --- bad TLS files -------------------------------------------------------

class TlsStartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_TRUE(MakeCertificate(dir_.File("cert.pem"), dir_.File("key.pem")));
  }

  // The message of what Start throws; empty if it does not throw.
  std::string StartError(const std::string& cert, const std::string& key) {
    ServeOptions options;
    options.db = dir_.File("data/tessera.db");
    options.port = 0;
    options.durable = false;
    options.tls_cert = cert;
    options.tls_key = key;
    TesseraServer server(options);
    try {
      server.Start();
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    server.Stop();
    return std::string();
  }

  TempDir dir_;
};

TEST_F(TlsStartupTest, MissingCertificateFileIsNamed) {
  std::string missing = dir_.File("nope.pem");
  std::string error = StartError(missing, dir_.File("key.pem"));
  EXPECT_NE(
      error.find("cannot read the TLS certificate file '" + missing + "'"),
      std::string::npos)
      << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(TlsStartupTest, MissingKeyFileIsNamed) {
  std::string missing = dir_.File("nokey.pem");
  std::string error = StartError(dir_.File("cert.pem"), missing);
  EXPECT_NE(
      error.find("cannot read the TLS private key file '" + missing + "'"),
      std::string::npos)
      << error;
}

TEST_F(TlsStartupTest, CertificateWithoutKeyIsRefused) {
  std::string error = StartError(dir_.File("cert.pem"), "");
  EXPECT_NE(error.find("needs both a certificate"), std::string::npos) << error;
}

TEST_F(TlsStartupTest, NotPemIsRefused) {
  std::ofstream(dir_.File("garbage.pem")) << "this is not a certificate\n";
  std::string error =
      StartError(dir_.File("garbage.pem"), dir_.File("key.pem"));
  EXPECT_NE(error.find("cannot load the TLS certificate"), std::string::npos)
      << error;
}

TEST_F(TlsStartupTest, MismatchedPairIsRefused) {
  ASSERT_TRUE(MakeCertificate(dir_.File("cert2.pem"), dir_.File("key2.pem")));
  std::string error = StartError(dir_.File("cert.pem"), dir_.File("key2.pem"));
  EXPECT_NE(error.find("does not match the certificate"), std::string::npos)
      << error;
  // The matching pair starts.
  EXPECT_EQ(StartError(dir_.File("cert2.pem"), dir_.File("key2.pem")), "");
}

// Every browser would refuse it: better a clear error at start (or, on
// SIGHUP, keeping the previous pair) than a server nobody can reach.
TEST_F(TlsStartupTest, ExpiredCertificateIsRefused) {
  ASSERT_TRUE(MakeExpiredCertificate(dir_.File("expired.pem"),
                                     dir_.File("expired-key.pem")));
  std::string error =
      StartError(dir_.File("expired.pem"), dir_.File("expired-key.pem"));
  EXPECT_NE(error.find("the TLS certificate '" + dir_.File("expired.pem") +
                       "' expired on "),
            std::string::npos)
      << error;
}

TEST_F(TlsStartupTest, BinaryExitsWithTheErrorOnABadPath) {
  std::string missing = dir_.File("nope.pem");
  CommandResult result = Shell(
      "timeout 30 " + std::string(TESSERA_SERVER_BINARY) + " serve --db '" +
      dir_.File("data/bin.db") + "' --port 0 --tls-cert '" + missing +
      "' --tls-key '" + dir_.File("key.pem") + "'");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("cannot read the TLS certificate file '" +
                               missing + "'"),
            std::string::npos)
      << result.output;
}

// certbot's deploy hook, or any renewal: new files, then `kill -HUP`.
TEST(TlsReloadTest, SighupServesTheRenewedCertificateAndKeepsOpenConnections) {
  TempDir dir;
  const std::string cert = dir.File("cert.pem");
  const std::string key = dir.File("key.pem");
  ASSERT_TRUE(MakeCertificate(cert, key));
  const std::string first_cert = dir.File("first-cert.pem");
  std::filesystem::copy_file(cert, first_cert);
  testing::ServerProcess server(dir.File("tessera.db"), dir.File("serve.log"),
                                {"--tls-cert", cert, "--tls-key", key});
  ASSERT_NE(server.port(), 0) << server.log();
  TlsClient before(first_cert);
  ASSERT_FALSE(before.Connect(server.port()));
  ASSERT_TRUE(before.Request(http::verb::get, "/healthz"));

  auto hangup_until_logged = [&](const std::string& line) {
    server.Notify(SIGHUP);
    for (int i = 0; i < 100 && server.log().find(line) == std::string::npos;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return server.log().find(line) != std::string::npos;
  };
  const std::string renewed_cert = dir.File("renewed-cert.pem");
  const std::string renewed_key = dir.File("renewed-key.pem");
  ASSERT_TRUE(MakeCertificate(renewed_cert, renewed_key));
  std::filesystem::copy_file(renewed_cert, cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed_key, key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(hangup_until_logged("reloaded the TLS certificate and key"))
      << server.log();

  TlsClient renewed(renewed_cert);
  EXPECT_FALSE(renewed.Connect(server.port())) << "not the renewed one";
  TlsClient stale(first_cert);
  EXPECT_TRUE(stale.Connect(server.port())) << "still the first certificate";
  auto open = before.Request(http::verb::get, "/healthz");
  ASSERT_TRUE(open) << "the connection opened before the reload was dropped";
  EXPECT_EQ(open->result_int(), 200u);

  // A broken renewal is reported and the last good pair stays in use.
  std::ofstream(cert, std::ios::trunc) << "not a certificate\n";
  ASSERT_TRUE(
      hangup_until_logged("serving on with the previous certificate and key"))
      << server.log();
  EXPECT_NE(server.log().find("cannot load the TLS certificate '" + cert),
            std::string::npos)
      << server.log();
  TlsClient after_failure(renewed_cert);
  EXPECT_FALSE(after_failure.Connect(server.port()));
  EXPECT_EQ(server.Signal(SIGTERM), 0) << "SIGHUP stopped it";
}

}  // namespace
}  // namespace tessera::server
