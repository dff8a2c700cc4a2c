// HttpServer: the event-driven HTTP/1.1 transport of tessera-server.
//
// One event loop per I/O thread, each serving its own connections with
// asynchronous accept/read/write, so a slow or idle client costs a socket
// and a timer, not a thread. Keep-alive is supported. Limits
// are enforced here: header size, body size (per path, see
// HttpServerOptions), a deadline for receiving the header and one for the
// body; a client missing a deadline is disconnected.
//
// With a certificate and key (HttpServerOptions::tls_cert_file/tls_key_file)
// the same server speaks HTTPS instead, through OpenSSL, TLS 1.2 or later;
// the TLS handshake counts against the header deadline. Start throws when
// the files cannot be read, are not PEM, or the key does not match.
//
// The transport knows nothing about routes: every complete request goes to
// the HttpHandler, which answers through the Responder, possibly later and
// from another thread (e.g. after a group commit). Transport-level failures
// (body too large, malformed request) are turned into responses by the
// ErrorRenderer, so one central error handler formats every error.
//
// Beast is confined to http_server.cpp; this header is cheap to include.
// Thread-safety: Start/Run/Stop may be called from different threads; Stop
// is idempotent and safe from a signal-handling thread.
#ifndef TESSERA_SERVER_HTTP_SERVER_H_
#define TESSERA_SERVER_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path plus query
  std::string path;    // percent-decoded path, without the query
  // The path split at each '/' as received, then each segment
  // percent-decoded: an encoded "%2F" stays inside its segment (e.g. a
  // customer id "acme/42" in /v1/admin/profiles/acme%2F42).
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // Case-insensitive header lookup; empty when absent.
  std::string Header(std::string_view name) const;
  // First value of a query parameter; empty when absent.
  std::string QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Delivers the response; callable once, from any thread.
using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&& request, Responder)>;
// What the transport knows of a request it refuses: its method,
// percent-decoded path and Origin and Host headers once the header was
// read, else all empty.
struct RefusedRequest {
  std::string_view method;
  std::string_view path;
  std::string_view origin;
  std::string_view host;
};
// Formats a transport-level error (status, stable code, message).
using ErrorRenderer = std::function<HttpResponse(
    const RefusedRequest& request, int status, const std::string& code,
    const std::string& message)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";   // address to bind. Default: loopback
  uint16_t port = 8080;             // 0 picks a free port. Default: 8080
  unsigned threads = 0;             // I/O threads; 0 = one per core. Default: 0
  uint64_t body_limit = 64 * 1024;  // bytes. Default: 64 KB
  // Per-path override of body_limit (e.g. larger for admin uploads).
  // Default: none, body_limit everywhere.
  std::function<uint64_t(std::string_view path)> body_limit_for;
  // Asked, with the request's header only, before the body of a request
  // whose path allows more than body_limit is read: a response refuses the
  // request at once (the body is left unread and the connection closed), so
  // that a client the handler would refuse anyway (e.g. without an admin
  // key) cannot make the server hold a large body. Default: none.
  std::function<std::optional<HttpResponse>(const HttpRequest& head)>
      refuse_before_body;
  uint32_t header_limit = 16 * 1024;  // bytes of request header. Default 16 KB
  int header_timeout_ms = 10000;  // to receive a whole header. Default: 10 s
  int body_timeout_ms = 30000;    // to receive a whole body. Default: 30 s
  int idle_timeout_ms = 60000;    // keep-alive wait for the next request. 60 s
  int shutdown_grace_ms = 10000;  // in-flight work allowed on Stop. 10 s
  // PEM certificate chain and private key; both set = HTTPS only on this
  // port. Default: none (plain HTTP).
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler,
             ErrorRenderer render_error);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files if any, binds and listens; throws
  // std::runtime_error (naming the file or address) when it cannot.
  void Start();
  // The port actually bound (useful with port 0), valid after Start.
  uint16_t port() const;
  // Whether connections are served over TLS, valid after Start.
  bool tls() const;
  // Serves on `threads` threads (the calling one included) until Stop and
  // until in-flight requests are answered (or the grace period ends).
  void Run();
  // Stops accepting, closes idle connections, lets in-flight requests finish.
  void Stop();
  // Makes Run also stop on SIGINT/SIGTERM. Call before Run.
  void StopOnSignals();
  // Loads the TLS certificate chain and key again from their files (a
  // renewed certificate): connections accepted afterwards use them, open
  // ones keep theirs. Returns "" or, when the new files cannot be used
  // (unreadable, not PEM, mismatched), why; the previous pair then stays in
  // use. Does nothing without TLS. Any thread, after Start.
  std::string ReloadTls();
  // Calls `callback` on the control thread at each SIGHUP (e.g. to reopen a
  // rotated log) until the server stops. Call before Run.
  void OnHangup(std::function<void()> callback);

  class Impl;  // opaque: defined with the connections in http_server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_HTTP_SERVER_H_
