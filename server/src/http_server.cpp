// The only translation unit that includes Boost.Beast (it is slow to compile).
#include "tessera/server/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace tessera::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

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

void SplitTarget(std::string_view target, HttpRequest& request) {
  size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question), false);
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

class Session;

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler handler,
       ErrorRenderer render_error)
      : options(std::move(options)),
        handler(std::move(handler)),
        render_error(std::move(render_error)),
        control(net::make_strand(ioc)),
        acceptor(control),
        signals(control),
        grace_timer(control) {}

  void Accept();
  void BeginStop();
  void Register(uint64_t id, std::weak_ptr<Session> session) {
    std::lock_guard<std::mutex> lock(sessions_mutex);
    sessions.emplace(id, std::move(session));
  }
  void Unregister(uint64_t id) {
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
  net::io_context ioc;
  net::strand<net::io_context::executor_type> control;  // server-level ops
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_session_id{1};
  std::mutex sessions_mutex;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;
  uint16_t bound_port = 0;
  bool started = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)),
        server_(server),
        id_(server.next_session_id++) {
    beast::error_code error;
    auto endpoint = stream_.socket().remote_endpoint(error);
    if (!error) remote_ = endpoint.address().to_string();
  }
  ~Session() { server_.Unregister(id_); }

  void Start() {
    server_.Register(id_, weak_from_this());
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Called on stop: an idle connection is closed now, a busy one after its
  // response.
  void OnServerStop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->stream_.socket().close(ignored);
      }
    });
  }

 private:
  const HttpServerOptions& options() const { return server_.options; }

  void WaitForRequest() {
    if (server_.stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined bytes
    stream_.expires_after(milliseconds(first_request_
                                           ? options().header_timeout_ms
                                           : options().idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = shared_from_this()](beast::error_code error, size_t bytes) {
          if (error) return self->Close();
          self->buffer_.commit(bytes);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    first_request_ = false;
    parser_.emplace();
    parser_->header_limit(options().header_limit);
    // The real limit depends on the path, known only after the header.
    // (Not boost::none: Beast 1.74 compares a length against an empty
    // optional as "greater" and refuses every body.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    stream_.expires_after(milliseconds(options().header_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) {
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
      if (error == http::error::end_of_stream || error == net::error::eof ||
          error == beast::error::timeout ||
          error == net::error::operation_aborted ||
          error == net::error::connection_reset) {
        return Close();
      }
      return Fail(400, "malformed_request",
                  "the HTTP request could not be parsed: " + error.message());
    }
    auto& header = parser_->get();
    std::string_view target(header.target().data(), header.target().size());
    HttpRequest probe;
    SplitTarget(target, probe);
    uint64_t limit = options().body_limit_for
                         ? options().body_limit_for(probe.path)
                         : options().body_limit;
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
                               [self = shared_from_this(), interim](
                                   beast::error_code error, size_t) {
                                 if (error) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(milliseconds(options().body_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) {
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
      if (error == beast::error::timeout ||
          error == net::error::operation_aborted ||
          error == http::error::end_of_stream || error == net::error::eof ||
          error == net::error::connection_reset) {
        return Close();
      }
      return Fail(400, "malformed_request",
                  "the HTTP request could not be parsed: " + error.message());
    }
    stream_.expires_never();
    auto message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    version_ = message.version();

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    SplitTarget(request.target, request);
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()),
                                   std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;

    busy_ = true;
    // The work guard keeps Run alive while the handler finishes elsewhere
    // (e.g. a signal waiting for its group commit) during a graceful stop.
    auto work = std::make_shared<
        net::executor_work_guard<net::io_context::executor_type>>(
        server_.ioc.get_executor());
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Responder respond = [self = shared_from_this(), work,
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
      respond(server_.render_error(500, "internal_error", e.what()));
    }
  }

  // Answers a transport error and closes the connection.
  void Fail(int status, const std::string& code, const std::string& message) {
    busy_ = true;
    keep_alive_ = false;
    if (!version_) version_ = 11;
    Write(server_.render_error(status, code, message), true);
  }

  void Write(HttpResponse response, bool lingering_close) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(version_ ? version_ : 11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "tessera-server");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    bool keep_alive = keep_alive_ && !server_.stopping.load();
    message->keep_alive(keep_alive);
    message->prepare_payload();
    stream_.expires_after(milliseconds(options().body_timeout_ms));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep_alive,
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
  // sending, discard what still arrives for a moment, then close.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(milliseconds(2000));
    buffer_.consume(buffer_.size());
    stream_.async_read_some(
        buffer_.prepare(16 * 1024),
        [self = shared_from_this()](beast::error_code error, size_t) {
          if (error) return self->Close();
          self->LingeringClose();
        });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
  uint64_t id_;
  std::string remote_;
  uint64_t body_limit_ = 0;
  unsigned version_ = 0;
  bool keep_alive_ = true;
  bool busy_ = false;
  bool first_request_ = true;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code error,
                                                      tcp::socket socket) {
    if (stopping.load() || !acceptor.is_open()) return;
    if (!error) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    } else {
      std::fprintf(stderr, "tessera-server: accept failed: %s\n",
                   error.message().c_str());
    }
    Accept();
  });
}

void HttpServer::Impl::BeginStop() {
  net::post(control, [this] {
    if (stopping.exchange(true)) return;
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    std::vector<std::shared_ptr<Session>> live;
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
      if (!error) ioc.stop();  // grace period over: drop what is left
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
  beast::error_code error;
  tcp::resolver resolver(s.ioc);
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
  s.started = true;
  net::post(s.control, [&s] { s.Accept(); });
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::StopOnSignals() {
  Impl& s = *impl_;
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.async_wait([this](beast::error_code error, int) {
    if (!error) Stop();
  });
}

void HttpServer::Run() {
  Impl& s = *impl_;
  unsigned threads = s.options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& thread : pool) thread.join();
}

void HttpServer::Stop() { impl_->BeginStop(); }

}  // namespace tessera::server
