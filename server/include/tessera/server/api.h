// Api: every HTTP route of tessera-server, on top of a Store.
//
//   POST    /v1/signals                         ingest (write key)
//   GET     /v1/artifact/{site}                 decision artifact (ETag)
//   GET     /sdk/{file}                         the built SDK files
//   GET     /{file}                             the website (--site-dir), last
//   GET     /healthz  /readyz  /metrics         operations
//   GET|PUT /v1/admin/sites/{site}/artifact[/{part}]   (admin key)
//   GET|DELETE /v1/admin/profiles/{id}   visitor or customer (admin key)
//   POST    /v1/admin/sites/{site}/import/{customers|transactions}  (admin)
//   POST    /v1/admin/sites/{site}/identities   link vid -> customer (admin)
//   GET     /v1/admin/erasures                          (admin key)
// docs/openapi.yaml describes each one.
//
// Handlers stay thin: they check, call the core or the store, and answer.
// Every failure leaves a handler as an error and is turned into a response
// in ONE place (ErrorResponse): a JSON body {"code", "message"[, "problems"]}
// with the matching status. Thread-safe: Handle may run concurrently on
// every I/O thread; the Store and Metrics must outlive the Api.
#ifndef TESSERA_SERVER_API_H_
#define TESSERA_SERVER_API_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/server/http_server.h"
#include "tessera/server/metrics.h"
#include "tessera/server/store.h"

namespace tessera::server {

class AccessLog;
class CrmStore;
class PiiCipher;

struct ApiOptions {
  // Origins (scheme://host[:port]) allowed to post signals and read the
  // artifact from a browser; "*" allows any. Same-origin requests and
  // requests without an Origin header are always allowed. Default: none.
  std::vector<std::string> allowed_origins;
  // Directory served under /sdk/. Default: "" (nothing served).
  std::string sdk_dir;
  // A website (e.g. demo-site/) served for GET paths no route claims, so a
  // page and the API share one origin; "/" and "dir/" serve index.html.
  // Default: "" (nothing served).
  std::string site_dir;
  // Largest signal body in bytes. Default: 64 KB.
  uint64_t signal_body_limit = 64 * 1024;
  // Largest admin request body (artifact uploads). Default: 4 MB.
  uint64_t admin_body_limit = 4 * 1024 * 1024;
  // Largest CRM import body (POST .../import/...). Default: 64 MB.
  uint64_t import_body_limit = 64 * 1024 * 1024;
  // How long browsers (and the SDK, which keeps the artifact it stored)
  // use an artifact before asking again: its Cache-Control max-age, so a
  // publication reaches returning visitors within it. Default: 60 s.
  uint32_t artifact_max_age_seconds = 60;
  // Largest admin export (GET .../export/...), built in memory on an I/O
  // thread; larger ones are refused with 413, pointing to the CLI.
  // Default: 64 MB.
  uint64_t export_limit = 64 * 1024 * 1024;
  // CRM storage and the PII key, both owned by the caller and outliving the
  // Api. The CRM routes (import, identities) need the CrmStore (without one
  // they answer 500; profiles and erasures then cover signals only);
  // without a key an import with PII is refused and profiles show no
  // email/name. Default: none.
  CrmStore* crm = nullptr;
  const PiiCipher* pii = nullptr;
  // Signals accepted per second per site, in bursts of up to as many; more
  // are answered 429 rate_limited with Retry-After. 0: no limit. Default: 0.
  uint32_t signals_per_second_per_site = 0;
  // One line per answered request (see server/src/access_log.h), owned by
  // the caller and outliving the Api. Default: none.
  AccessLog* access_log = nullptr;
  // How long a key lookup is reused before asking the store again, so a
  // revoked key stops working within this time. Default: 5000 ms.
  int key_cache_ms = 5000;
};

// A path-scoped problem, as listed in a 400/422 body.
struct ApiProblem {
  std::string path;
  std::string message;
};

class Api {
 public:
  Api(Store& store, Metrics& metrics, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Routes and answers one request (maybe later, from another thread).
  void Handle(HttpRequest&& request, Responder respond);
  // Runs the slow admin requests already taken (imports, exports,
  // erasures run on a worker thread) and stops that thread; later ones run
  // on the caller's thread. Call while the HTTP server still exists, since
  // their answers go through its connections.
  void FinishSlowWork();
  // Replaces the allowed origins and the per-site signal rate (0: none) for
  // the requests that follow; thread-safe (the configuration reload).
  void SetAccessPolicy(std::vector<std::string> allowed_origins,
                       uint32_t signals_per_second_per_site);
  // The body limit for a request path (for HttpServerOptions).
  uint64_t BodyLimitFor(std::string_view path) const;
  // The refusal (401/403) of a request for a route that takes a body larger
  // than a signal's (the admin routes), decided from its header alone: its
  // admin key, for the site it names. None when the key is good: the body
  // is then read and the request handled. (HttpServerOptions'
  // refuse_before_body.)
  std::optional<HttpResponse> RefuseBeforeBody(const HttpRequest& head);
  // The answer to a request the transport refused before routing (an
  // ErrorRenderer): counted in /metrics under route "(transport)", and an
  // oversized signal also as a rejected signal; written to the access log.
  HttpResponse TransportError(const RefusedRequest& request, int status,
                              const std::string& code,
                              const std::string& message);

  // Every route as "METHOD /pattern" ({x} one segment, {*x} the rest), for
  // checking docs/openapi.yaml against what is served.
  static std::vector<std::string> RouteList();

  // The central error format: status, stable code, human message.
  static HttpResponse ErrorResponse(
      int status, const std::string& code, const std::string& message,
      const std::vector<ApiProblem>& problems = {});

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_H_
