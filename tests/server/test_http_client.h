// A tiny blocking HTTP/1.1 client over POSIX sockets for the server tests:
// enough to send one request (or several on a kept-alive connection) and
// read a Content-Length framed response. Not for production use.
#ifndef TESSERA_TESTS_SERVER_TEST_HTTP_CLIENT_H_
#define TESSERA_TESTS_SERVER_TEST_HTTP_CLIENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::server::testing {

struct ClientResponse {
  int status = 0;  // 0 when the connection closed without a response
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive
};

class TestConnection {
 public:
  explicit TestConnection(uint16_t port);  // connects to 127.0.0.1:port
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Whether every byte was sent (false once the server has closed and reset
  // the connection).
  bool SendRaw(const std::string& bytes);
  // Reads one response; status 0 if the server closed the connection first.
  // The answer to a HEAD request has no body, whatever its Content-Length.
  ClientResponse Read(bool head_request = false);
  // Whether the server closed the connection (reads until EOF or error).
  bool WaitForClose();
  // Whether the server has closed (or reset) the connection by now, without
  // waiting; what it sent meanwhile stays to be read.
  bool ClosedByServer();

 private:
  int fd_ = -1;
  std::string buffer_;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The request as bytes (adds Host and Content-Length).
std::string Serialize(const ClientRequest& request);
// One request on a fresh connection.
ClientResponse Send(uint16_t port, const ClientRequest& request);
// A gzip body decompressed; throws std::runtime_error if it is not gzip.
std::string Gunzip(std::string_view gzip);

// POST /v1/signals with a JSON body and the write key in X-Tessera-Key.
ClientResponse PostSignal(uint16_t port, const std::string& key,
                          const std::string& body);

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_TEST_HTTP_CLIENT_H_
