#include "tessera/server/server.h"

#include "tessera/server/api.h"
#include "tessera/server/http_server.h"
#include "tessera/server/metrics.h"

namespace tessera::server {

// Declaration order is destruction order reversed: the HTTP server goes
// first, then the routes, then the store (flushed), then the metrics the
// store reports to.
struct TesseraServer::Parts {
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<Api> api;
  std::unique_ptr<HttpServer> http;
  bool handle_signals = false;
};

TesseraServer::TesseraServer(const ServeOptions& options)
    : parts_(std::make_unique<Parts>()) {
  Parts& p = *parts_;
  StoreOptions store_options;
  store_options.durable = options.durable;
  Metrics* metrics = &p.metrics;
  store_options.on_commit = [metrics](double seconds, size_t batch) {
    metrics->ObserveCommit(seconds, batch);
  };
  p.store = OpenStore(options.db, store_options);
  p.store->Migrate();

  ApiOptions api_options;
  api_options.allowed_origins = options.allowed_origins;
  api_options.sdk_dir = options.sdk_dir;
  api_options.signal_body_limit = options.body_limit;
  p.api = std::make_unique<Api>(*p.store, p.metrics, api_options);

  HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.threads = options.threads;
  http_options.body_limit = options.body_limit;
  http_options.header_timeout_ms = options.header_timeout_ms;
  Api* api = p.api.get();
  http_options.body_limit_for = [api](std::string_view path) {
    return api->BodyLimitFor(path);
  };
  p.http = std::make_unique<HttpServer>(
      http_options,
      [api](HttpRequest&& request, Responder respond) {
        api->Handle(std::move(request), std::move(respond));
      },
      [metrics](int status, const std::string& code,
                const std::string& message) {
        metrics->ObserveRequest("(transport)", "", status, 0);
        return Api::ErrorResponse(status, code, message);
      });
  p.handle_signals = options.handle_signals;
}

TesseraServer::~TesseraServer() {
  parts_->http.reset();
  parts_->api.reset();
  if (parts_->store) {
    parts_->store->Flush();
    parts_->store->Close();
  }
}

void TesseraServer::Start() {
  parts_->http->Start();
  if (parts_->handle_signals) parts_->http->StopOnSignals();
}

uint16_t TesseraServer::port() const { return parts_->http->port(); }

void TesseraServer::Run() {
  parts_->http->Run();
  parts_->store->Flush();
}

void TesseraServer::Stop() { parts_->http->Stop(); }

Store& TesseraServer::store() { return *parts_->store; }

}  // namespace tessera::server
