// The only translation unit that includes Boost.Beast's I/O (it is slow to
// compile); responses are formatted by http_response_text.cpp.
//
// One Session template serves both transports: Session<PlainStream> speaks
// HTTP over TCP, Session<TlsStream> the same over TLS (OpenSSL through
// Asio's ssl::stream). The TLS variant only adds the handshake before the
// first request and a close_notify before closing; reading, limits,
// deadlines, keep-alive and the graceful stop are the same code.
#include "tessera/server/http_server.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "ascii_case.h"
#include "http_response_text.h"

namespace tessera::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
// Streams bound to the concrete io_context executor, not Asio's type-erased
// default: each connection stays on one loop anyway, and every completion
// through a type-erased executor costs an indirect dispatch.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using TcpStream = beast::basic_stream<tcp, Executor>;
using PlainStream = TcpStream;
using TlsStream = beast::ssl_stream<TcpStream>;

// How long a closing TLS connection waits for the peer's close_notify.
constexpr int kTlsCloseMs = 2000;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; a malformed escape is kept literally.
std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 +
                                      HexDigit(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "http://host:8080/a?b" -> "/a?b", "http://host?b" -> "?b" (path "/"):
// servers must accept the absolute form (RFC 9112 §3.2.2), which proxies
// may send; routes see only the path and query.
std::string_view OriginForm(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      std::string_view rest = target.substr(scheme.size());
      size_t path = rest.find_first_of("/?");
      return path == std::string_view::npos ? "" : rest.substr(path);
    }
  }
  return target;
}

// "/a/b%2Fc" -> {"a", "b/c"}: split first, decoded after.
std::vector<std::string> PathSegments(std::string_view raw_path) {
  std::vector<std::string> segments;
  size_t start = raw_path.empty() || raw_path[0] != '/' ? 0 : 1;
  while (start <= raw_path.size()) {
    size_t slash = raw_path.find('/', start);
    if (slash == std::string_view::npos) slash = raw_path.size();
    segments.push_back(
        PercentDecode(raw_path.substr(start, slash - start), false));
    start = slash + 1;
  }
  return segments;
}

void SplitTarget(std::string_view target, HttpRequest& request) {
  target = OriginForm(target);
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  request.path = PercentDecode(raw_path, false);
  if (request.path.empty()) request.path = "/";
  request.segments = PathSegments(raw_path);
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos
                                   ? std::string_view()
                                   : pair.substr(eq + 1);
      request.query.emplace_back(PercentDecode(name, true),
                                 PercentDecode(value, true));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
}

// Throws unless `path` can be opened for reading, naming the file and why.
void RequireReadable(const std::string& path, const char* what) {
  std::ifstream file(path);
  if (!file) {
    throw std::runtime_error(std::string("cannot read the TLS ") + what +
                             " file '" + path + "': " + std::strerror(errno));
  }
}

// "Jan  2 00:00:00 2020 GMT".
std::string Asn1TimeText(const ASN1_TIME* time) {
  BIO* text = BIO_new(BIO_s_mem());
  if (!text) return "?";
  ASN1_TIME_print(text, time);
  char* data = nullptr;
  long size = BIO_get_mem_data(text, &data);
  std::string out(data, size > 0 ? static_cast<size_t>(size) : 0);
  BIO_free(text);
  return out;
}

// A server TLS context from PEM files: TLS 1.2 and later only, and the key
// checked against the certificate so a mismatched pair fails at start-up
// rather than at the first handshake.
std::shared_ptr<net::ssl::context> LoadTlsContext(const std::string& cert,
                                                  const std::string& key) {
  if (cert.empty() || key.empty()) {
    throw std::runtime_error(
        "TLS needs both a certificate (--tls-cert) and a private key "
        "(--tls-key)");
  }
  RequireReadable(cert, "certificate");
  RequireReadable(key, "private key");
  auto context =
      std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  context->set_options(
      net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
      net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  beast::error_code error;
  context->use_certificate_chain_file(cert, error);
  if (error) {
    throw std::runtime_error("cannot load the TLS certificate '" + cert +
                             "' (PEM expected): " + error.message());
  }
  // An expired certificate starts nothing a browser will talk to; on
  // SIGHUP this keeps the previous pair.
  X509* leaf = SSL_CTX_get0_certificate(context->native_handle());
  if (leaf && X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    throw std::runtime_error("the TLS certificate '" + cert + "' expired on " +
                             Asn1TimeText(X509_get0_notAfter(leaf)));
  }
  const std::string mismatch = "the TLS private key '" + key +
                               "' does not match the certificate '" + cert +
                               "'";
  context->use_private_key_file(key, net::ssl::context::pem, error);
  if (error && error.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(error.value())) ==
          X509_R_KEY_VALUES_MISMATCH) {
    throw std::runtime_error(mismatch);
  }
  if (error) {
    throw std::runtime_error("cannot load the TLS private key '" + key +
                             "' (PEM expected): " + error.message());
  }
  // Some OpenSSL versions accept a mismatched key and drop the certificate
  // instead; this check catches that too.
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error(mismatch);
  }
  return context;
}

// Errors that end a connection quietly: the peer left or went silent.
bool IsDisconnect(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == beast::error::timeout ||
         error == net::error::operation_aborted ||
         error == net::error::connection_reset ||
         error == net::ssl::error::stream_truncated;
}

// accept() errors that retrying at once cannot cure: the process or the
// system is out of file descriptors or socket memory.
bool IsResourceExhaustion(const beast::error_code& error) {
  return error == net::error::no_descriptors ||  // EMFILE
         error == beast::error_code(ENFILE, beast::system_category()) ||
         error == net::error::no_buffer_space ||  // ENOBUFS
         error == net::error::no_memory;          // ENOMEM
}

// How long accepting pauses after such an error (connections closing in
// the meantime free descriptors; waiting clients stay in the backlog).
constexpr auto kAcceptPause = std::chrono::milliseconds(50);

// What the server needs of a connection, whatever its transport.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on stop: an idle connection is closed now, a busy one after its
  // response.
  virtual void OnServerStop() = 0;
};

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::string();
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::string();
}

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler handler,
       ErrorRenderer render_error)
      : options(std::move(options)),
        handler(std::move(handler)),
        render_error(std::move(render_error)),
        control(net::make_strand(control_context)),
        acceptor(control),
        signals(control),
        hangup(control),
        grace_timer(control),
        accept_pause(control) {}

  ~Impl() { loops_closing.store(true); }

  void Accept();
  // The loop that gets the next connection (round robin).
  net::io_context& NextContext() {
    size_t count = 1 + extra_contexts.size();
    size_t pick = next_context++ % count;
    return pick == 0 ? control_context : *extra_contexts[pick - 1];
  }
  void StopAllContexts() {
    control_context.stop();
    for (auto& context : extra_contexts) context->stop();
  }
  void BeginStop();
  // Runs on_hangup at each SIGHUP until the server stops.
  void WaitForHangup() {
    hangup.async_wait([this](beast::error_code error, int) {
      if (error) return;
      on_hangup();
      WaitForHangup();
    });
  }
  void Register(uint64_t id, std::weak_ptr<SessionBase> session) {
    std::lock_guard<std::mutex> lock(sessions_mutex);
    sessions.emplace(id, std::move(session));
  }
  void Unregister(uint64_t id) {
    // Sessions still held by pending handlers die with the loops, after the
    // members used below may be gone; the bookkeeping no longer matters then.
    if (loops_closing.load()) return;
    bool last;
    {
      std::lock_guard<std::mutex> lock(sessions_mutex);
      sessions.erase(id);
      last = sessions.empty();
    }
    // Once draining, the last connection gone means Run may return now
    // rather than at the end of the grace period.
    if (last && stopping.load()) {
      net::post(control, [this] { grace_timer.cancel(); });
    }
  }

  HttpServerOptions options;
  HttpHandler handler;
  ErrorRenderer render_error;
  // One event loop per I/O thread, each serving its own connections, as
  // nginx's workers do: a connection's handlers never cross threads, so
  // they need no strand, and a busy thread never wakes an idle one to run
  // a handler. The acceptor and the server-level operations live on
  // `control_context`, which is also the first I/O thread's loop.
  using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;
  std::atomic<bool> loops_closing{false};  // outlives the loops (set in ~Impl)
  net::io_context control_context{1};
  std::vector<std::unique_ptr<net::io_context>> extra_contexts;
  std::vector<WorkGuard> idle_guards;  // keep the loops running until stop
  size_t next_context = 0;
  net::strand<net::io_context::executor_type> control;  // server-level ops
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::signal_set hangup;  // SIGHUP, when OnHangup registered a callback
  std::function<void()> on_hangup;
  net::steady_timer grace_timer;
  // Out of file descriptors (or kernel memory), accept fails at once and
  // would fail again at once: accepting pauses instead, and the failures
  // of one such episode are logged twice (start and end), not each time.
  net::steady_timer accept_pause;
  uint64_t accept_failures = 0;  // in the current episode; control only
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_session_id{1};
  std::mutex sessions_mutex;
  std::unordered_map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  // Set by Start when TLS is on; replaced by ReloadTls. Sessions need it
  // only while they are created (each SSL holds its own reference to the
  // OpenSSL context), so a replaced context dies with its last connection.
  std::shared_ptr<net::ssl::context> tls;
  mutable std::mutex tls_mutex;  // guards `tls` after Start
  std::shared_ptr<net::ssl::context> CurrentTls() const {
    std::lock_guard<std::mutex> lock(tls_mutex);
    return tls;
  }
  uint16_t bound_port = 0;
  bool started = false;
};

// One connection. `Stream` is PlainStream or TlsStream; everything that
// differs between them is behind `if constexpr (kTls)`.
template <class Stream>
class Session : public SessionBase,
                public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `stream_args` are what Stream needs besides the socket (the TLS
  // context for TlsStream).
  template <class... StreamArgs>
  Session(HttpServer::Impl& server, net::io_context& context, Socket socket,
          StreamArgs&... stream_args)
      : stream_(std::move(socket), stream_args...),
        server_(server),
        context_(context),
        id_(server.next_session_id++) {
    beast::error_code error;
    auto endpoint = Tcp().socket().remote_endpoint(error);
    if (!error) remote_ = endpoint.address().to_string();
  }
  ~Session() override { server_.Unregister(id_); }

  void Start() {
    server_.Register(id_, this->weak_from_this());
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this()] { self->Begin(); });
  }

  void OnServerStop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->CloseSocket();  // wakes the pending read
    });
  }

 private:
  const HttpServerOptions& options() const { return server_.options; }
  // The TCP layer, where the deadlines and the socket live.
  TcpStream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kTls) {
      // The handshake counts against the deadline for the first header.
      Tcp().expires_after(milliseconds(options().header_timeout_ms));
      stream_.async_handshake(
          net::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code error) {
            if (error) return self->CloseSocket();
            self->handshake_done_ = true;
            self->WaitForRequest();
          });
    } else {
      WaitForRequest();
    }
  }

  void WaitForRequest() {
    if (server_.stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined bytes
    Tcp().expires_after(milliseconds(first_request_
                                         ? options().header_timeout_ms
                                         : options().idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](
                                beast::error_code error, size_t bytes) {
                              if (error) return self->Close();
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    first_request_ = false;
    refused_method_.clear();
    refused_path_.clear();
    refused_origin_.clear();
    refused_host_.clear();
    parser_.emplace();
    parser_->header_limit(options().header_limit);
    // The real limit depends on the path, known only after the header.
    // (Not boost::none: Beast 1.74 compares a length against an empty
    // optional as "greater" and refuses every body.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    Tcp().expires_after(milliseconds(options().header_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code error, size_t) {
          self->OnHeader(error);
        });
  }

  void OnHeader(beast::error_code error) {
    if (error == http::error::header_limit) {
      return Fail(431, "header_too_large",
                  "the request header is larger than " +
                      std::to_string(options().header_limit) + " bytes");
    }
    if (error) {
      if (IsDisconnect(error)) return Close();
      return Fail(400, "malformed_request",
                  "the HTTP request could not be parsed: " + error.message());
    }
    // A request has begun: a graceful stop lets it finish, the rest of its
    // body included, instead of closing the connection as idle.
    busy_ = true;
    auto& header = parser_->get();
    // RFC 9112 §3.2: a server MUST answer 400 to HTTP/1.1 without Host.
    if (header.version() >= 11 &&
        header.find(http::field::host) == header.end()) {
      return Fail(400, "missing_host",
                  "an HTTP/1.1 request needs a Host header");
    }
    // Also §3.2: which Host a proxy in front routed by, and which one the
    // same-origin check would read, could differ.
    if (header.count(http::field::host) > 1) {
      return Fail(400, "duplicate_host",
                  "a request may have only one Host header");
    }
    // §6.3: the length of such a body is unknown. Reading none would take
    // the body for the next request, where a proxy in front may have
    // framed it otherwise (request smuggling).
    if (auto coding = header.find(http::field::transfer_encoding);
        coding != header.end()) {
      if (!parser_->chunked()) {
        return Fail(400, "malformed_request",
                    "a Transfer-Encoding must end with chunked");
      }
      // §6.1: codings before chunked ("gzip, chunked") would be taken as
      // the body's plain bytes; this server decodes none of them.
      std::string_view value(coding->value().data(), coding->value().size());
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      if (header.count(http::field::transfer_encoding) > 1 ||
          !EqualsIgnoreCase(value, "chunked")) {
        return Fail(501, "unsupported_transfer_coding",
                    "the only Transfer-Encoding taken is chunked");
      }
    }
    std::string_view target(header.target().data(), header.target().size());
    HttpRequest probe;
    SplitTarget(target, probe);
    refused_method_ = std::string(header.method_string());
    refused_path_ = probe.path;
    // For the CORS headers of a refusal a browser must be able to read.
    refused_origin_ = std::string(header[http::field::origin]);
    refused_host_ = std::string(header[http::field::host]);
    uint64_t limit = options().body_limit_for
                         ? options().body_limit_for(probe.path)
                         : options().body_limit;
    if (limit > options().body_limit && options().refuse_before_body) {
      probe.method = refused_method_;
      probe.target = std::string(target);
      for (const auto& field : header) {
        probe.headers.emplace_back(std::string(field.name_string()),
                                   std::string(field.value()));
      }
      probe.remote_address = remote_;
      std::optional<HttpResponse> refusal = options().refuse_before_body(probe);
      if (refusal) {
        keep_alive_ = false;
        version_ = header.version();
        head_request_ = header.method() == http::verb::head;
        // The unread body cannot be skipped cheaply: answer, then close.
        return Write(std::move(*refusal), true);
      }
    }
    if (parser_->content_length() && *parser_->content_length() > limit) {
      return Fail(413, "payload_too_large",
                  "the request body is larger than the limit of " +
                      std::to_string(limit) + " bytes");
    }
    body_limit_ = limit;
    parser_->body_limit(limit);
    auto expect = header[http::field::expect];
    if (EqualsIgnoreCase(std::string_view(expect.data(), expect.size()),
                         "100-continue")) {
      auto interim = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, header.version());
      return http::async_write(stream_, *interim,
                               [self = this->shared_from_this(), interim](
                                   beast::error_code error, size_t) {
                                 if (error) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    Tcp().expires_after(milliseconds(options().body_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code error, size_t) {
          self->OnRequest(error);
        });
  }

  void OnRequest(beast::error_code error) {
    if (error == http::error::body_limit) {
      return Fail(413, "payload_too_large",
                  "the request body is larger than the limit of " +
                      std::to_string(body_limit_) + " bytes");
    }
    if (error) {
      if (IsDisconnect(error)) return Close();
      return Fail(400, "malformed_request",
                  "the HTTP request could not be parsed: " + error.message());
    }
    Tcp().expires_never();
    auto message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_request_ = message.method() == http::verb::head;

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    SplitTarget(request.target, request);
    // Sized once: growing it field by field moved every string each time.
    request.headers.reserve(
        static_cast<size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()),
                                   std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;

    busy_ = true;
    // The work guard keeps Run alive while the handler finishes elsewhere
    // (e.g. a signal waiting for its group commit) during a graceful stop.
    auto work =
        std::make_shared<HttpServer::Impl::WorkGuard>(context_.get_executor());
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Responder respond = [self = this->shared_from_this(), work,
                         answered](HttpResponse response) {
      if (answered->exchange(true)) return;
      net::post(self->stream_.get_executor(),
                [self, work, response = std::move(response)]() mutable {
                  self->Write(std::move(response), false);
                  work->reset();
                });
    };
    try {
      server_.handler(std::move(request), respond);
    } catch (const std::exception& e) {
      respond(server_.render_error(Refused(), 500, "internal_error", e.what()));
    }
  }

  // Answers a transport error and closes the connection.
  void Fail(int status, const std::string& code, const std::string& message) {
    busy_ = true;
    keep_alive_ = false;
    if (!version_) version_ = 11;
    Write(server_.render_error(Refused(), status, code, message), true);
  }

  void Write(HttpResponse response, bool lingering_close) {
    bool keep_alive = keep_alive_ && !server_.stopping.load();
    auto text = std::make_shared<std::string>(SerializeResponse(
        response, version_ ? version_ : 11, keep_alive, !head_request_));
    Tcp().expires_after(milliseconds(options().body_timeout_ms));
    net::async_write(stream_, net::buffer(*text),
                     [self = this->shared_from_this(), text, keep_alive,
                      lingering_close](beast::error_code error, size_t) {
                       self->busy_ = false;
                       if (error) return self->Close();
                       if (lingering_close) return self->LingeringClose();
                       if (!keep_alive) return self->Close();
                       self->WaitForRequest();
                     });
  }

  // After refusing a request whose body was not read, closing at once could
  // reset the connection before the client reads the answer; so stop
  // sending (over TLS: close_notify first), discard what still arrives for
  // a moment, then close.
  void LingeringClose() {
    if constexpr (kTls) {
      if (StartTlsShutdown([](Session& self) { self.DrainThenClose(); }))
        return;
    }
    DrainThenClose();
  }

  void DrainThenClose() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    // One deadline for the whole drain: a client that keeps sending the
    // body it was refused cannot hold the connection open.
    Tcp().expires_after(milliseconds(2000));
    DiscardUntilClosed();
  }

  void DiscardUntilClosed() {
    buffer_.consume(buffer_.size());
    Tcp().async_read_some(
        buffer_.prepare(16 * 1024),
        [self = this->shared_from_this()](beast::error_code error, size_t) {
          if (error) return self->CloseSocket();
          self->DiscardUntilClosed();
        });
  }

  // Ends the connection; over TLS, politely (close_notify) when possible.
  void Close() {
    if constexpr (kTls) {
      if (StartTlsShutdown([](Session& self) { self.CloseSocket(); })) return;
    }
    CloseSocket();
  }

  // Sends close_notify and waits (bounded) for the peer's, then runs
  // `next`. False when there is nothing to shut down (no handshake yet, the
  // socket already closed, or a shutdown already under way).
  template <class Next>
  bool StartTlsShutdown(Next next) {
    if (!handshake_done_ || tls_closing_ || !Tcp().socket().is_open()) {
      return false;
    }
    tls_closing_ = true;
    Tcp().expires_after(milliseconds(kTlsCloseMs));
    stream_.async_shutdown([self = this->shared_from_this(),
                            next](beast::error_code) { next(*self); });
    return true;
  }

  void CloseSocket() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
  net::io_context& context_;  // the I/O thread's loop this connection is on
  uint64_t id_;
  std::string remote_;
  // The request being read, for the error renderer if it is refused.
  std::string refused_method_;
  std::string refused_path_;
  std::string refused_origin_;
  std::string refused_host_;
  RefusedRequest Refused() const {
    return RefusedRequest{refused_method_, refused_path_, refused_origin_,
                          refused_host_};
  }
  uint64_t body_limit_ = 0;
  unsigned version_ = 0;
  bool keep_alive_ = true;
  bool head_request_ = false;  // answer with the head only
  bool busy_ = false;  // a request begun (header read) and not yet answered
  bool first_request_ = true;
  bool handshake_done_ = false;  // TLS only
  bool tls_closing_ = false;     // TLS only: close_notify sent
};

void HttpServer::Impl::Accept() {
  net::io_context& context = NextContext();
  acceptor.async_accept(context, [this, &context](beast::error_code error,
                                                  Socket socket) {
    if (stopping.load() || !acceptor.is_open()) return;
    std::shared_ptr<net::ssl::context> tls_context = CurrentTls();
    if (!error && tls_context) {
      std::make_shared<Session<TlsStream>>(*this, context, std::move(socket),
                                           *tls_context)
          ->Start();
    } else if (!error) {
      std::make_shared<Session<PlainStream>>(*this, context, std::move(socket))
          ->Start();
    } else if (IsResourceExhaustion(error)) {
      if (accept_failures++ == 0) {
        std::fprintf(stderr,
                     "tessera-server: accept failed: %s; pausing accepts "
                     "(new connections wait in the backlog) until one "
                     "succeeds; raise the open-file limit (ulimit -n) if "
                     "this recurs\n",
                     error.message().c_str());
      }
      accept_pause.expires_after(kAcceptPause);
      accept_pause.async_wait([this](beast::error_code waited) {
        if (!waited && !stopping.load()) Accept();
      });
      return;
    } else {
      std::fprintf(stderr, "tessera-server: accept failed: %s\n",
                   error.message().c_str());
    }
    if (!error && accept_failures > 0) {
      std::fprintf(stderr,
                   "tessera-server: accepting again after %llu failed "
                   "accepts\n",
                   static_cast<unsigned long long>(accept_failures));
      accept_failures = 0;
    }
    Accept();
  });
}

void HttpServer::Impl::BeginStop() {
  net::post(control, [this] {
    if (stopping.exchange(true)) return;
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_pause.cancel();
    signals.cancel(ignored);
    hangup.cancel(ignored);
    // Each loop now ends once its connections have (or at the grace time).
    for (WorkGuard& guard : idle_guards) guard.reset();
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mutex);
      for (auto& [id, weak] : sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
      }
    }
    if (live.empty()) return;
    for (auto& session : live) session->OnServerStop();
    grace_timer.expires_after(milliseconds(options.shutdown_grace_ms));
    grace_timer.async_wait([this](beast::error_code error) {
      beast::error_code ignored;
      signals.cancel(ignored);        // no second signal to wait for any more
      if (!error) StopAllContexts();  // grace period over: drop what is left
    });
    // A second SIGINT/SIGTERM (a second Ctrl-C, a service manager that
    // escalates) ends the grace period at once: what was acknowledged is
    // committed, and a request cut short is one its client will resend.
    signals.async_wait([this](beast::error_code error, int) {
      if (error) return;
      std::fprintf(stderr,
                   "tessera-server: stop signal again: closing the "
                   "remaining connections now\n");
      StopAllContexts();
    });
  });
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler,
                       ErrorRenderer render_error)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler),
                                   std::move(render_error))) {}

HttpServer::~HttpServer() = default;

void HttpServer::Start() {
  Impl& s = *impl_;
  if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
    s.tls = LoadTlsContext(s.options.tls_cert_file, s.options.tls_key_file);
  }
  beast::error_code error;
  tcp::resolver resolver(s.control_context);
  auto endpoints =
      resolver.resolve(s.options.host, std::to_string(s.options.port),
                       tcp::resolver::passive, error);
  if (error || endpoints.empty()) {
    throw std::runtime_error("cannot resolve host '" + s.options.host +
                             "': " + error.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  s.acceptor.open(endpoint.protocol(), error);
  if (!error)
    s.acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (!error) s.acceptor.bind(endpoint, error);
  if (!error)
    s.acceptor.listen(net::socket_base::max_listen_connections, error);
  if (error) {
    throw std::runtime_error("cannot listen on " + s.options.host + ":" +
                             std::to_string(s.options.port) + ": " +
                             error.message());
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  unsigned threads = s.options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  s.idle_guards.emplace_back(s.control_context.get_executor());
  for (unsigned i = 1; i < threads; ++i) {
    s.extra_contexts.push_back(std::make_unique<net::io_context>(1));
    s.idle_guards.emplace_back(s.extra_contexts.back()->get_executor());
  }
  s.started = true;
  net::post(s.control, [&s] { s.Accept(); });
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

bool HttpServer::tls() const { return impl_->CurrentTls() != nullptr; }

std::string HttpServer::ReloadTls() {
  Impl& s = *impl_;
  if (!s.CurrentTls()) return "";
  std::shared_ptr<net::ssl::context> renewed;
  try {
    renewed = LoadTlsContext(s.options.tls_cert_file, s.options.tls_key_file);
  } catch (const std::exception& error) {
    return error.what();
  }
  std::lock_guard<std::mutex> lock(s.tls_mutex);
  s.tls = std::move(renewed);
  return "";
}

void HttpServer::StopOnSignals() {
  Impl& s = *impl_;
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.async_wait([this](beast::error_code error, int) {
    if (!error) Stop();
  });
}

void HttpServer::OnHangup(std::function<void()> callback) {
  Impl& s = *impl_;
  s.on_hangup = std::move(callback);
  s.hangup.add(SIGHUP);
  s.WaitForHangup();
}

void HttpServer::Run() {
  Impl& s = *impl_;
  std::vector<std::thread> pool;
  for (auto& context : s.extra_contexts)
    pool.emplace_back([&context] { context->run(); });
  s.control_context.run();
  for (auto& thread : pool) thread.join();
}

void HttpServer::Stop() { impl_->BeginStop(); }

}  // namespace tessera::server
