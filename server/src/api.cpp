#include "tessera/server/api.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "access_log.h"
#include "artifact_cache.h"
#include "artifact_check.h"
#include "ascii_case.h"
#include "crm_json.h"
#include "email_address.h"
#include "gzip.h"
#include "serial_worker.h"
#include "signal_export.h"
#include "site_rate_limiter.h"
#include "tessera/json.h"
#include "tessera/server/api_key.h"
#include "tessera/server/crm_import.h"
#include "tessera/server/crm_store.h"
#include "tessera/server/digest.h"
#include "tessera/server/static_files.h"
#include "tessera/signal.h"

namespace tessera::server {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// What a handler throws to refuse a request; the central error handler turns
// it into the response.
struct ApiError {
  int status;
  std::string code;
  std::string message;
  std::vector<ApiProblem> problems;
  std::vector<std::pair<std::string, std::string>> headers;
};

[[noreturn]] void Refuse(int status, std::string code, std::string message,
                         std::vector<ApiProblem> problems = {}) {
  throw ApiError{
      status, std::move(code), std::move(message), std::move(problems), {}};
}

std::vector<ApiProblem> ToApiProblems(const Problems& problems) {
  std::vector<ApiProblem> out;
  out.reserve(problems.size());
  for (const Problem& problem : problems) {
    out.push_back(ApiProblem{problem.path, problem.message});
  }
  return out;
}

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.Set("Content-Type", "application/json");
  response.Set("Cache-Control", "no-store");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

// The answer to a stored signal: the hottest response, so its body is a
// constant rather than a serialized JSON object.
HttpResponse SignalStoredResponse(bool accepted) {
  HttpResponse response;
  response.status = accepted ? 202 : 200;
  response.Set("Content-Type", "application/json");
  response.Set("Cache-Control", "no-store");
  response.body =
      accepted ? R"({"status":"accepted"})" : R"({"status":"duplicate"})";
  return response;
}

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(0, 1);
  return AsciiLower(type);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

// Whether an If-None-Match (`weak`: W/"x" matches "x") or If-Match (strong
// comparison: a weak tag never matches) header names `etag`; "*" names any.
bool EtagListNames(const std::string& header, const std::string& etag,
                   bool weak) {
  size_t start = 0;
  while (start < header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string::npos) comma = header.size();
    std::string token = header.substr(start, comma - start);
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (weak && token.rfind("W/", 0) == 0) token = token.substr(2);
    if (token == "*" || token == etag) return true;
    start = comma + 1;
  }
  return false;
}

// Whether a comma-separated header list (Vary, Allow) holds `item`.
bool ListHolds(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (EqualsIgnoreCase(entry, item)) return true;
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return false;
}

// Adds `name` to the response's Vary list once, keeping what the handler
// listed there (a second Set would replace it: the last value wins).
void AddVary(HttpResponse& response, std::string_view name) {
  for (auto& [header, value] : response.headers) {
    if (!EqualsIgnoreCase(header, "Vary")) continue;
    if (!ListHolds(value, name)) {
      value += ", ";
      value += name;
    }
    return;
  }
  response.Set("Vary", std::string(name));
}

const char* const kArtifactParts[] = {"segments",    "clusters", "slots",
                                      "experiments", "consent",  "signals"};

bool IsArtifactPart(const std::string& part) {
  for (const char* known : kArtifactParts) {
    if (part == known) return true;
  }
  return false;
}

// One request in flight: what the router found and how to answer.
struct Exchange {
  HttpRequest request;
  Responder respond;
  std::string route = "unmatched";
  std::vector<std::string> params;  // values of the {placeholders}
  std::string cors_origin;          // echoed in Access-Control-Allow-Origin
  std::string error_code;           // of a refusal, for the access log
  std::string site;  // a signal's site, once its write key was valid
  Clock::time_point start = Clock::now();
};
using ExchangePtr = std::shared_ptr<Exchange>;

}  // namespace

class Api::Impl {
 public:
  using Handler = void (Impl::*)(const ExchangePtr&);
  struct Route {
    const char* method;
    const char* pattern;  // "{x}" matches one segment, "{*x}" the rest
    Handler handler;
    // May take long (a 64 MB import, a 4 MB artifact to check, an erasure
    // and its checkpoint): runs on the admin worker, not an I/O thread.
    bool slow = false;
  };

  Impl(Store& store, Metrics& metrics, ApiOptions options)
      : store_(store),
        metrics_(metrics),
        options_(std::move(options)),
        static_files_(options_.sdk_dir),
        site_files_(options_.site_dir) {
    SetAccessPolicy(options_.allowed_origins,
                    options_.signals_per_second_per_site);
  }

  void SetAccessPolicy(std::vector<std::string> allowed_origins,
                       uint32_t signals_per_second) {
    auto next = std::make_shared<AccessPolicy>();
    next->allowed_origins = std::move(allowed_origins);
    next->signals_per_second = signals_per_second;
    std::shared_ptr<const AccessPolicy> current = Policy();
    if (current && current->signals_per_second == signals_per_second) {
      next->limiter = current->limiter;  // a reload keeps the sites' budgets
    } else if (signals_per_second > 0) {
      next->limiter = std::make_shared<SiteRateLimiter>(signals_per_second);
    }
    std::atomic_store(&policy_,
                      std::shared_ptr<const AccessPolicy>(std::move(next)));
  }

  void Handle(HttpRequest&& request, Responder respond) {
    auto exchange = std::make_shared<Exchange>();
    exchange->request = std::move(request);
    exchange->respond = std::move(respond);
    Run(exchange, [this, &exchange] { Dispatch(exchange); });
  }

  void FinishSlowWork() { admin_worker_.Stop(); }

  static std::vector<std::string> RouteList() {
    std::vector<std::string> list;
    for (const Route& route : Routes()) {
      list.push_back(std::string(route.method) + " " + route.pattern);
    }
    return list;
  }

  std::optional<HttpResponse> RefuseBeforeBody(const HttpRequest& head) {
    if (BodyLimitFor(head.path) <= options_.signal_body_limit) {
      return std::nullopt;
    }
    std::optional<HttpResponse> refusal;
    auto exchange = std::make_shared<Exchange>();
    exchange->request = head;
    // Answered at once, on this thread: Run is synchronous here.
    exchange->respond = [&refusal](HttpResponse response) {
      refusal = std::move(response);
    };
    std::vector<std::string> params;
    for (const Route& route : Routes()) {
      if (Match(route.pattern, head.segments, &params)) {
        exchange->route = route.pattern;
        break;
      }
    }
    // Every admin route under /v1/admin/sites/{site}/ checks its key for
    // that site first; the others for any site.
    const std::vector<std::string>& path = head.segments;
    const bool site_route = path.size() > 3 && path[0] == "v1" &&
                            path[1] == "admin" && path[2] == "sites";
    Run(exchange,
        [&] { RequireAdmin(exchange, site_route ? path[3] : std::string()); });
    return refusal;
  }

  HttpResponse TransportError(const RefusedRequest& request, int status,
                              const std::string& code,
                              const std::string& message) {
    metrics_.ObserveRequest("(transport)", std::string(request.method), status,
                            0);
    // The header named the signals route but the body was never read: a
    // refused signal all the same, though of no known site.
    if (request.method == "POST" && request.path == "/v1/signals") {
      metrics_.CountSignal(SignalOutcome::kRejected, "");
    }
    if (options_.access_log) {
      // Refused before routing (unreadable, oversized, too slow).
      options_.access_log->Write(NowMs(), "-", "(transport)", status, code, 0,
                                 0);
    }
    HttpResponse response = ErrorResponse(status, code, message);
    // As the route itself would: the SDK must see a 413 as a 413, not as a
    // network failure to retry.
    if (request.path == "/v1/signals" && !request.origin.empty() &&
        OriginAllowed(request.host, request.origin)) {
      AllowOrigin(response, request.origin);
    }
    return response;
  }

  uint64_t BodyLimitFor(std::string_view path) const {
    if (path.rfind("/v1/admin/sites/", 0) == 0 &&
        path.find("/import/") != std::string_view::npos) {
      return options_.import_body_limit;
    }
    return path.rfind("/v1/admin/", 0) == 0 ? options_.admin_body_limit
                                            : options_.signal_body_limit;
  }

 private:
  static const std::vector<Route>& Routes() {
    static const std::vector<Route> routes = {
        {"POST", "/v1/signals", &Impl::PostSignal},
        {"OPTIONS", "/v1/signals", &Impl::Preflight},
        {"GET", "/v1/artifact/{site}", &Impl::GetArtifact},
        {"OPTIONS", "/v1/artifact/{site}", &Impl::Preflight},
        {"GET", "/sdk/{*file}", &Impl::GetSdkFile},
        {"GET", "/healthz", &Impl::GetHealth},
        {"GET", "/readyz", &Impl::GetReady},
        {"GET", "/metrics", &Impl::GetMetrics},
        {"GET", "/v1/admin/sites/{site}/artifact", &Impl::AdminGetArtifact},
        {"PUT", "/v1/admin/sites/{site}/artifact", &Impl::AdminPutArtifact,
         true},
        {"POST", "/v1/admin/sites/{site}/artifact/check",
         &Impl::AdminCheckArtifact, true},
        {"GET", "/v1/admin/sites/{site}/artifact/revisions",
         &Impl::AdminListArtifactRevisions},
        {"GET", "/v1/admin/sites/{site}/artifact/revisions/{revision}",
         &Impl::AdminGetArtifactRevision},
        {"POST", "/v1/admin/sites/{site}/artifact/revisions/{revision}/restore",
         &Impl::AdminRestoreArtifactRevision, true},
        {"GET", "/v1/admin/sites/{site}/artifact/{part}",
         &Impl::AdminGetArtifactPart},
        {"PUT", "/v1/admin/sites/{site}/artifact/{part}",
         &Impl::AdminPutArtifactPart, true},
        {"GET", "/v1/admin/profiles/{vid}", &Impl::AdminGetProfile},
        {"DELETE", "/v1/admin/profiles/{vid}", &Impl::AdminDeleteProfile, true},
        {"GET", "/v1/admin/erasures", &Impl::AdminListErasures},
        {"GET", "/v1/admin/sites/{site}/audit", &Impl::AdminListAudit},
        {"POST", "/v1/admin/sites/{site}/import/{kind}", &Impl::AdminImport,
         true},
        {"GET", "/v1/admin/sites/{site}/export/{kind}", &Impl::AdminExport,
         true},
        {"POST", "/v1/admin/sites/{site}/identities", &Impl::AdminLinkIdentity},
    };
    return routes;
  }

  static bool Match(const char* pattern, const std::vector<std::string>& path,
                    std::vector<std::string>* params) {
    std::vector<std::string> parts = SplitPath(pattern);
    params->clear();
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string& part = parts[i];
      if (part.rfind("{*", 0) == 0) {
        std::string rest;
        for (size_t j = i; j < path.size(); ++j) {
          rest += (j > i ? "/" : "") + path[j];
        }
        if (rest.empty()) return false;
        params->push_back(rest);
        return true;
      }
      if (i >= path.size()) return false;
      if (part.front() == '{') {
        if (path[i].empty()) return false;
        params->push_back(path[i]);
      } else if (part != path[i]) {
        return false;
      }
    }
    return parts.size() == path.size();
  }

  void Dispatch(const ExchangePtr& exchange) {
    const HttpRequest& request = exchange->request;
    const std::vector<std::string>& path = request.segments;
    std::vector<std::string> params;
    std::string allowed;
    // HEAD is GET without the body, which the HTTP layer leaves out.
    const std::string_view method = request.method == "HEAD"
                                        ? std::string_view("GET")
                                        : std::string_view(request.method);
    for (const Route& route : Routes()) {
      if (!Match(route.pattern, path, &params)) continue;
      exchange->route = route.pattern;
      if (method != route.method) {
        // Overlapping patterns (.../artifact/revisions and
        // .../artifact/{part}) may offer a method twice; list it once.
        const std::string_view route_method = route.method;
        for (std::string_view offered :
             {route_method,
              std::string_view(route_method == "GET" ? "HEAD" : "")}) {
          if (offered.empty() || ListHolds(allowed, offered)) continue;
          if (!allowed.empty()) allowed += ", ";
          allowed += offered;
        }
        continue;
      }
      exchange->params = std::move(params);
      if (route.slow) {
        // Off the I/O thread, which serves other connections' signals.
        admin_worker_.Post([this, exchange, handler = route.handler] {
          Run(exchange, [&] { (this->*handler)(exchange); });
        });
        return;
      }
      (this->*route.handler)(exchange);
      return;
    }
    // The website (if any) gets every GET no route claims, except the API's.
    if (allowed.empty() && method == "GET" && site_files_.enabled() &&
        request.path.rfind("/v1/", 0) != 0) {
      exchange->route = "(site)";
      GetSiteFile(exchange);
      return;
    }
    if (!allowed.empty()) {
      ApiError error{405,
                     "method_not_allowed",
                     request.method + " is not allowed on " + request.path,
                     {},
                     {{"Allow", allowed}}};
      throw error;
    }
    Refuse(404, "not_found", "no route for " + request.path);
  }

  // Runs `body`; whatever it throws becomes the error response. This is the
  // central error handler.
  void Run(const ExchangePtr& exchange, const std::function<void()>& body) {
    try {
      body();
    } catch (const ApiError& error) {
      Fail(exchange, error);
    } catch (const StoreError& error) {
      Fail(exchange, ApiError{503, "store_unavailable", error.what(), {}, {}});
    } catch (const std::exception& error) {
      Fail(exchange, ApiError{500, "internal_error", error.what(), {}, {}});
    }
  }

  void Fail(const ExchangePtr& exchange, const ApiError& error) {
    exchange->error_code = error.code;
    HttpResponse response =
        ErrorResponse(error.status, error.code, error.message, error.problems);
    for (const auto& header : error.headers)
      response.Set(header.first, header.second);
    if (exchange->route == "/v1/signals" &&
        exchange->request.method == "POST") {
      metrics_.CountSignal(error.status == 429 ? SignalOutcome::kRateLimited
                           : error.status == 503
                               ? SignalOutcome::kStoreUnavailable
                               : SignalOutcome::kRejected,
                           exchange->site);
    }
    Finish(exchange, std::move(response));
  }

  // Lets a browser on `origin` read the response.
  static void AllowOrigin(HttpResponse& response, std::string_view origin) {
    response.Set("Access-Control-Allow-Origin", std::string(origin));
    AddVary(response, "Origin");
    // Retry-After: the SDK's backoff honours it (429, 503).
    response.Set("Access-Control-Expose-Headers", "ETag, Retry-After");
  }

  void Finish(const ExchangePtr& exchange, HttpResponse response) {
    if (!exchange->cors_origin.empty()) {
      AllowOrigin(response, exchange->cors_origin);
    }
    response.Set("X-Content-Type-Options", "nosniff");
    double seconds =
        std::chrono::duration<double>(Clock::now() - exchange->start).count();
    metrics_.ObserveRequest(exchange->route, exchange->request.method,
                            response.status, seconds);
    if (options_.access_log) {
      // File paths as requested; other routes by pattern, since their paths
      // carry visitor ids and email addresses, and so does any path asked
      // for that holds an address (an unsubscribe link, a mistyped URL).
      const bool file =
          (exchange->route == "/sdk/{*file}" || exchange->route == "(site)") &&
          !ContainsEmailAddress(exchange->request.path);
      options_.access_log->Write(
          NowMs(), exchange->request.method,
          file ? exchange->request.path : exchange->route, response.status,
          exchange->error_code, response.body.size(), seconds);
    }
    exchange->respond(std::move(response));
  }

  // --- shared checks -------------------------------------------------------

  // Who may use the public routes, and how fast: the part of the options a
  // configuration reload replaces while requests run (SetAccessPolicy).
  struct AccessPolicy {
    std::vector<std::string> allowed_origins;
    uint32_t signals_per_second = 0;
    std::shared_ptr<SiteRateLimiter> limiter;  // none: no limit
  };
  std::shared_ptr<const AccessPolicy> Policy() const {
    return std::atomic_load(&policy_);
  }

  // Whether a browser on `origin` may use the public routes.
  // `host` is the request's Host header (its own origin is always allowed).
  bool OriginAllowed(std::string_view host, std::string_view origin) {
    for (const std::string& allowed : Policy()->allowed_origins) {
      if (allowed == "*" || allowed == origin) return true;
    }
    const std::string own(host);
    return !own.empty() &&
           (origin == "http://" + own || origin == "https://" + own);
  }

  // Sets the CORS origin for an allowed Origin; `required` refuses others.
  void ApplyOrigin(const ExchangePtr& exchange, bool required) {
    std::string origin = exchange->request.Header("Origin");
    if (origin.empty()) return;
    if (OriginAllowed(exchange->request.Header("Host"), origin)) {
      exchange->cors_origin = origin;
    } else if (required) {
      Refuse(403, "origin_not_allowed",
             "origin '" + origin + "' is not in the allowed origins");
    }
  }

  // The cache is keyed by the presented key itself, so a hit costs no
  // digest (the store keeps only digests; this process sees the plain key
  // on every request anyway).
  // The key's record, unless it is unknown, revoked or expired.
  std::optional<ApiKeyRecord> LookupKey(const std::string& key) {
    std::optional<ApiKeyRecord> record = CachedKeyRecord(key);
    // Checked on every use, cached or not: a key expires to the millisecond.
    if (record && record->expires_at_ms != 0 &&
        record->expires_at_ms <= NowMs()) {
      record.reset();
    }
    return record;
  }

  // The store's record of `key` (none when unknown or revoked), remembered
  // for key_cache_ms.
  std::optional<ApiKeyRecord> CachedKeyRecord(const std::string& key) {
    // Nothing else was ever issued: such a string needs no digest, no store
    // read, and no room in the cache (where random strings up to the header
    // limit would crowd out the real keys).
    if (!IsApiKeyShaped(key)) return std::nullopt;
    auto now = Clock::now();
    {
      std::lock_guard<std::mutex> lock(key_cache_mutex_);
      auto hit = key_cache_.find(key);
      if (hit != key_cache_.end() && hit->second.expires > now) {
        return hit->second.record;
      }
    }
    std::optional<ApiKeyRecord> record = store_.FindApiKey(HashApiKey(key));
    if (record && record->revoked) record.reset();
    std::lock_guard<std::mutex> lock(key_cache_mutex_);
    // Random keys must not grow the cache without bound.
    if (key_cache_.size() > 10000) key_cache_.clear();
    key_cache_[key] = CachedKey{
        record, now + std::chrono::milliseconds(options_.key_cache_ms)};
    return record;
  }

  // Why `key` opens nothing: a truncated or mistyped key is told apart
  // from one the store does not know.
  static std::string InvalidKeyMessage(std::string_view key) {
    return IsApiKeyShaped(key)
               ? "the key is unknown, revoked or expired"
               : "that is not an API key: keys are tsw_ or tsa_ and 64 "
                 "lowercase hex digits, as 'keys create' prints them";
  }

  // The admin key of the request, allowed to act on `site` (empty: any
  // site the key covers). Refuses with 401/403 otherwise.
  ApiKeyRecord RequireAdmin(const ExchangePtr& exchange,
                            const std::string& site) {
    std::string authorization = exchange->request.Header("Authorization");
    const std::string scheme = "bearer ";
    if (authorization.size() <= scheme.size() ||
        AsciiLower(authorization.substr(0, scheme.size())) != scheme) {
      throw ApiError{401,
                     "missing_admin_key",
                     "this route needs 'Authorization: Bearer <admin key>'",
                     {},
                     {{"WWW-Authenticate", "Bearer"}}};
    }
    std::optional<ApiKeyRecord> key =
        LookupKey(authorization.substr(scheme.size()));
    if (!key) {
      throw ApiError{401,
                     "invalid_key",
                     InvalidKeyMessage(authorization.substr(scheme.size())),
                     {},
                     {{"WWW-Authenticate", "Bearer"}}};
    }
    if (key->kind != KeyKind::kAdmin) {
      Refuse(403, "admin_key_required", "this route needs an admin key");
    }
    if (!site.empty() && key->site != kAllSites && key->site != site) {
      Refuse(403, "wrong_site",
             "the admin key is not valid for site '" + site + "'");
    }
    return *key;
  }

  static Value ParseJsonBody(const std::string& body) {
    JsonParseOptions options;
    options.max_bytes = body.size() + 1;
    Result<Value> parsed = ParseJson(body, options);
    if (!parsed.ok()) {
      Refuse(400, "malformed_json",
             "the body is not valid JSON: " + parsed.status().message());
    }
    return std::move(parsed).value();
  }

  static std::string EtagOf(const std::string& json) {
    return "\"" + Sha256Hex(json).substr(0, 32) + "\"";
  }

  // --- public routes -------------------------------------------------------

  void Preflight(const ExchangePtr& exchange) {
    std::string origin = exchange->request.Header("Origin");
    if (origin.empty()) {
      Refuse(400, "not_a_preflight", "an OPTIONS request needs an Origin");
    }
    ApplyOrigin(exchange, true);
    bool signals = exchange->route == "/v1/signals";
    HttpResponse response;
    response.status = 204;
    response.Set("Access-Control-Allow-Methods",
                 signals ? "POST, OPTIONS" : "GET, OPTIONS");
    response.Set("Access-Control-Allow-Headers",
                 signals ? "Content-Type, X-Tessera-Key" : "If-None-Match");
    // Chromium's cap (Firefox allows more): a visitor's browser asks again
    // at most every two hours instead of every ten minutes, one round trip
    // saved before a signal. Safe to keep long: the origin is checked again
    // on the request itself, so a removed origin is refused at once.
    response.Set("Access-Control-Max-Age", "7200");
    Finish(exchange, std::move(response));
  }

  // Refuses a signal for another site than the write key's. A write key
  // matches its own site only: one for every site ("*", which older versions
  // created) would let whoever reads it from a page post under any name.
  static void RequireKeySite(const ApiKeyRecord& key, const std::string& site) {
    if (key.site != site) {
      Refuse(403, "wrong_site", "the key is not valid for site '" + site + "'");
    }
  }

  // A signal sums up a past period: one ending further after the server's
  // time than browsers' clocks plausibly differ from it would pass for the
  // newest in every later aggregate until its date came.
  static void RequireNotAhead(int64_t to_ms, int64_t now_ms) {
    constexpr int64_t kMaxAheadMs = 24 * 3600 * 1000;
    if (to_ms - now_ms <= kMaxAheadMs) return;
    Refuse(
        400, "invalid_signal", "1 schema problem(s); see problems",
        {ApiProblem{"$.to", "is " + std::to_string((to_ms - now_ms) / 60000) +
                                " minutes after the server's time; at most " +
                                std::to_string(kMaxAheadMs / 60000) +
                                " minutes ahead is accepted"}});
  }

  // The signal in `body` checked (schema, the key's site, consent, its
  // period against the server's time `now_ms`) and made ready to store;
  // refuses otherwise. A JSON body tries the fast path first; whatever it
  // does not accept takes the full path, which decides and words every
  // refusal.
  static SignalRecord CheckedSignal(std::string_view body, SignalFormat format,
                                    const ApiKeyRecord& key, int64_t now_ms) {
    SignalRecord row;
    AcceptedSignal fast;
    if (format == SignalFormat::kJson && TryAcceptJsonSignal(body, &fast)) {
      RequireKeySite(key, fast.site);
      RequireNotAhead(fast.to_ms, now_ms);
      row.site = std::move(fast.site);
      row.id = std::move(fast.id);
      row.vid = std::move(fast.vid);
      row.body = std::move(fast.body);
      return row;
    }
    Result<Value> decoded = DecodeSignal(body, format);
    if (!decoded.ok()) {
      Refuse(400, "malformed_signal", decoded.status().message());
    }
    const Value& signal = decoded.value();
    Problems problems = ValidateSignal(signal);
    if (!problems.empty()) {
      Refuse(
          400, "invalid_signal",
          std::to_string(problems.size()) + " schema problem(s); see problems",
          ToApiProblems(problems));
    }
    row.site = signal.find("site")->as_string();
    RequireKeySite(key, row.site);
    Status consent = CheckSignalConsent(signal);
    if (!consent.ok()) Refuse(403, "consent_required", consent.message());
    RequireNotAhead(static_cast<int64_t>(signal.find("to")->as_number()),
                    now_ms);
    row.id = signal.find("id")->as_string();
    row.vid = signal.find("vid")->string_or("");
    row.body = format == SignalFormat::kJson ? StoredSignalJson(body, signal)
                                             : signal.Dump();
    return row;
  }

  // Refuses a signal over the site's --rate-limit with 429 and the
  // Retry-After the SDK waits for before it sends again.
  void RequireWithinRate(const std::string& site) {
    std::shared_ptr<const AccessPolicy> policy = Policy();
    if (!policy->limiter) return;
    const double wait = policy->limiter->Take(site, Clock::now());
    if (wait <= 0) return;
    const std::string retry_after =
        std::to_string(std::max<long long>(1, std::llround(std::ceil(wait))));
    throw ApiError{429,
                   "rate_limited",
                   "site '" + site + "' is over its limit of " +
                       std::to_string(policy->signals_per_second) +
                       " signals per second; retry after " + retry_after + " s",
                   {},
                   {{"Retry-After", retry_after}}};
  }

  void PostSignal(const ExchangePtr& exchange) {
    const HttpRequest& request = exchange->request;
    ApplyOrigin(exchange, true);
    std::string key = request.Header("X-Tessera-Key");
    if (key.empty()) key = request.QueryParam("key");
    if (key.empty()) {
      Refuse(401, "missing_key",
             "send the site's write key in X-Tessera-Key or ?key=");
    }
    std::optional<ApiKeyRecord> record = LookupKey(key);
    if (!record) Refuse(401, "invalid_key", InvalidKeyMessage(key));
    if (record->kind != KeyKind::kWrite) {
      Refuse(403, "write_key_required", "signals need a site's write key");
    }
    // The metrics' site label: only a site an operator made a key for (an
    // all-sites write key, refused below, names none).
    if (record->site != kAllSites) exchange->site = record->site;

    std::string media = MediaType(request.Header("Content-Type"));
    SignalFormat format;
    // text/plain: what a page can send cross-origin without a preflight,
    // which sendBeacon (credentialed) cannot pass and a page going away may
    // not wait for. The SDK sends CBOR so as it leaves: a CBOR signal (a
    // map, first byte 0xa0-0xbf) cannot be JSON text, which starts with '{'
    // or whitespace.
    const bool cbor_text =
        media == "text/plain" && !request.body.empty() &&
        (static_cast<unsigned char>(request.body[0]) & 0xe0) == 0xa0;
    if (media == "application/cbor" || cbor_text) {
      format = SignalFormat::kCbor;
    } else if (media == "application/json" || media == "text/plain") {
      format = SignalFormat::kJson;
    } else {
      Refuse(
          415, "unsupported_media_type",
          "Content-Type must be application/json or application/cbor, not '" +
              media + "'");
    }
    const int64_t now_ms = NowMs();
    SignalRecord row = CheckedSignal(request.body, format, *record, now_ms);
    RequireWithinRate(row.site);
    row.received_at_ms = now_ms;
    store_.InsertSignalAsync(
        std::move(row), [this, exchange](const InsertResult& result) {
          Run(exchange, [&] {
            if (!result.ok) {
              Refuse(503, "store_unavailable",
                     "the signal was not stored: " + result.error);
            }
            bool accepted = result.outcome == InsertOutcome::kAccepted;
            metrics_.CountSignal(
                accepted ? SignalOutcome::kAccepted : SignalOutcome::kDuplicate,
                exchange->site);
            Finish(exchange, SignalStoredResponse(accepted));
          });
        });
  }

  void GetArtifact(const ExchangePtr& exchange) {
    ApplyOrigin(exchange, false);
    const std::string& site = exchange->params[0];
    std::shared_ptr<const CachedArtifact> cached = artifacts_.Get(
        site, Clock::now(),
        [this](const std::string& name) { return store_.GetArtifact(name); });
    if (!cached) {
      Refuse(404, "artifact_not_found",
             "no artifact is published for site '" + site + "'");
    }
    const ArtifactRecord& artifact = cached->record;
    HttpResponse response;
    response.Set("ETag", artifact.etag);
    response.Set(
        "Cache-Control",
        "public, max-age=" + std::to_string(options_.artifact_max_age_seconds));
    // Public and cacheable, and its Access-Control-Allow-Origin follows the
    // request's Origin: a shared cache must not hand the answer stored for
    // one origin (or for none) to another.
    response.Set("Vary", "Accept-Encoding, Origin");
    if (EtagListNames(exchange->request.Header("If-None-Match"), artifact.etag,
                      /*weak=*/true)) {
      response.status = 304;
    } else {
      response.Set("Content-Type", "application/json");
      if (cached->gzip.size() < artifact.json.size() &&
          AcceptsEncoding(exchange->request.Header("Accept-Encoding"),
                          "gzip")) {
        response.Set("Content-Encoding", "gzip");
        response.body = cached->gzip;
      } else {
        response.body = artifact.json;
      }
    }
    Finish(exchange, std::move(response));
  }

  // The answer for a file of `files`: compressed as the client accepts, and
  // revalidated by ETag (304 when unchanged); 404 `missing` when absent.
  static HttpResponse FileResponse(const HttpRequest& request,
                                   const StaticFiles& files,
                                   const std::string& relative,
                                   const char* cache_control,
                                   const std::string& missing) {
    std::optional<StaticFile> file =
        files.Read(relative, request.Header("Accept-Encoding"));
    if (!file) Refuse(404, "not_found", missing);
    HttpResponse response;
    response.Set("Cache-Control", cache_control);
    response.Set("ETag", file->etag);
    // Caches must keep the compressed and the plain forms apart.
    response.Set("Vary", "Accept-Encoding");
    if (EtagListNames(request.Header("If-None-Match"), file->etag,
                      /*weak=*/true)) {
      response.status = 304;
      return response;
    }
    response.Set("Content-Type", file->content_type);
    if (!file->content_encoding.empty()) {
      response.Set("Content-Encoding", file->content_encoding);
    }
    response.body = std::move(file->content);
    return response;
  }

  // The build names files after a hash of their contents
  // (js-wrapper/scripts/build.mjs: tessera.<12 hex>.js and the like): such a
  // name never changes meaning, so browsers keep the file for good and ask
  // for nothing on later visits. Other files are revalidated after 5 min.
  static bool IsVersionedSdkFile(std::string_view path) {
    size_t slash = path.rfind('/');
    std::string_view name =
        slash == std::string_view::npos ? path : path.substr(slash + 1);
    size_t dot = name.find('.');
    if (dot == std::string_view::npos || name.size() < dot + 14 ||
        name[dot + 13] != '.') {
      return false;
    }
    for (size_t i = dot + 1; i < dot + 13; ++i) {
      char c = name[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  void GetSdkFile(const ExchangePtr& exchange) {
    const std::string& relative = exchange->params[0];
    HttpResponse response = FileResponse(
        exchange->request, static_files_, relative,
        IsVersionedSdkFile(relative) ? "public, max-age=31536000, immutable"
                                     : "public, max-age=300",
        "no SDK file " + exchange->request.path);
    // Cross-origin module scripts and wasm need CORS; the SDK is public.
    response.Set("Access-Control-Allow-Origin", "*");
    Finish(exchange, std::move(response));
  }

  void GetSiteFile(const ExchangePtr& exchange) {
    std::string relative = exchange->request.path.substr(1);
    if (relative.empty() || relative.back() == '/') relative += "index.html";
    Finish(exchange,
           FileResponse(exchange->request, site_files_, relative, "no-cache",
                        "no page " + exchange->request.path));
  }

  void GetHealth(const ExchangePtr& exchange) {
    Finish(exchange, JsonResponse(200, {{"status", "ok"}}));
  }

  void GetReady(const ExchangePtr& exchange) {
    if (!store_.Ping()) {
      Refuse(503, "not_ready", "the store does not answer or take writes");
    }
    Finish(exchange, JsonResponse(200, {{"status", "ready"}}));
  }

  void GetMetrics(const ExchangePtr& exchange) {
    HttpResponse response;
    response.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    response.Set("Cache-Control", "no-store");
    response.body = metrics_.RenderPrometheus();
    Finish(exchange, std::move(response));
  }

  // --- admin routes --------------------------------------------------------

  ArtifactRecord RequireArtifact(const std::string& site) {
    std::optional<ArtifactRecord> artifact = store_.GetArtifact(site);
    if (!artifact) {
      Refuse(404, "artifact_not_found",
             "no artifact is published for site '" + site + "'");
    }
    return *artifact;
  }

  // Records an admin action in the audit log before its answer leaves, so
  // no export or data access goes unrecorded: if the record cannot be
  // written, the request fails instead. `detail` holds counts, hashes and
  // revisions, never an id or an email.
  void Audit(const ApiKeyRecord& key, const std::string& site,
             std::string action, const Json& detail) {
    store_.AppendAudit(
        AuditRecord{NowMs(), key.id, site, std::move(action), detail.dump()});
  }

  void AdminListAudit(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    const std::string since_text = exchange->request.QueryParam("since");
    std::optional<int64_t> since = since_text.empty()
                                       ? std::optional<int64_t>(0)
                                       : ParseMillis(since_text);
    if (!since) {
      Refuse(400, "invalid_parameter",
             "since must be milliseconds since 1970, not '" + since_text + "'");
    }
    constexpr int64_t kMaxListed = 1000;
    Json entries = Json::array();
    for (const AuditRecord& record :
         store_.ListAudit(site, *since, kMaxListed)) {
      entries.push_back(
          {{"at_ms", record.at_ms},
           {"key_id", record.key_id},
           {"site", record.site},
           {"action", record.action},
           {"detail", Json::parse(record.detail, nullptr, false)}});
    }
    Finish(exchange, JsonResponse(200, {{"site", site},
                                        {"limit", kMaxListed},
                                        {"entries", std::move(entries)}}));
  }

  // An artifact's text for an admin, with its ETag (for a later If-Match).
  static HttpResponse AdminArtifactResponse(ArtifactRecord artifact) {
    HttpResponse response;
    response.Set("Content-Type", "application/json");
    response.Set("Cache-Control", "no-store");
    response.Set("ETag", artifact.etag);
    response.body = std::move(artifact.json);
    return response;
  }

  void AdminGetArtifact(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    Finish(exchange, AdminArtifactResponse(RequireArtifact(site)));
  }

  // The revision an If-Match header lets a change replace: the published
  // one when the header names its ETag (or is "*" and one is published),
  // kAnyArtifactRevision without the header; anything else is refused
  // (412), so an edit made from an older revision cannot undo a newer one.
  int64_t IfMatchRevision(const ExchangePtr& exchange,
                          const std::optional<ArtifactRecord>& current) {
    const std::string condition = exchange->request.Header("If-Match");
    if (condition.empty()) return kAnyArtifactRevision;
    if (current && EtagListNames(condition, current->etag, /*weak=*/false)) {
      return current->revision;
    }
    Refuse(412, "artifact_changed",
           current ? "the artifact is at revision " +
                         std::to_string(current->revision) + " (ETag " +
                         current->etag +
                         "), not the one this change was made from; fetch "
                         "it again and redo the change"
                   : std::string("no artifact is published yet, so If-Match "
                                 "cannot match"));
  }

  // Refuses (422, every problem with its path) an artifact that would not
  // be published for `site`.
  static void RequireValidArtifact(const Value& artifact,
                                   const std::string& site) {
    if (!artifact.is_object()) {
      Refuse(422, "invalid_artifact", "the artifact must be a JSON object",
             {ApiProblem{"$", "expected an object"}});
    }
    Problems problems = CheckArtifact(artifact, site);
    if (!problems.empty()) {
      Refuse(422, "invalid_artifact",
             std::to_string(problems.size()) +
                 " problem(s) in the artifact; nothing was changed",
             ToApiProblems(problems));
    }
  }

  // A dry run of publishing: the same checks, nothing stored.
  void AdminCheckArtifact(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    RequireValidArtifact(ParseJsonBody(exchange->request.body), site);
    Finish(exchange, JsonResponse(200, {{"site", site}, {"valid", true}}));
  }

  // Validates `artifact` and publishes it over `base_revision` for admin
  // key `by` (see Store::PutArtifact); nullopt when another publication came
  // first.
  std::optional<ArtifactRecord> Publish(const std::string& site,
                                        const Value& artifact,
                                        int64_t base_revision,
                                        const ApiKeyRecord& by) {
    RequireValidArtifact(artifact, site);
    std::string json = artifact.Dump();
    std::string etag = EtagOf(json);
    std::optional<ArtifactRecord> stored =
        store_.PutArtifact({site, std::move(json), std::move(etag), NowMs(),
                            base_revision, by.id});
    if (stored) artifacts_.Put(*stored, Clock::now());
    return stored;
  }

  void RefuseLostRace(const std::string& site) {
    Refuse(412, "artifact_changed",
           "the artifact of site '" + site +
               "' was published again while this change was made; fetch it "
               "again and redo the change");
  }

  // Audits the publication (`what`: "artifact.publish", ...; `extra` also
  // goes into the record) and answers with its revision.
  void AnswerPublished(const ExchangePtr& exchange, const ApiKeyRecord& by,
                       const ArtifactRecord& stored, const char* what,
                       Json extra = Json::object()) {
    Json detail = {{"revision", stored.revision}};
    detail.update(extra);
    Audit(by, stored.site, what, detail);
    Json body = {{"site", stored.site},
                 {"revision", stored.revision},
                 {"etag", stored.etag},
                 {"updated_at_ms", stored.updated_at_ms}};
    body.update(extra);
    HttpResponse response = JsonResponse(200, body);
    response.Set("ETag", stored.etag);
    Finish(exchange, std::move(response));
  }

  void AdminPutArtifact(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    const ApiKeyRecord admin = RequireAdmin(exchange, site);
    Value artifact = ParseJsonBody(exchange->request.body);
    int64_t base = IfMatchRevision(exchange, store_.GetArtifact(site));
    std::optional<ArtifactRecord> stored = Publish(site, artifact, base, admin);
    if (!stored) RefuseLostRace(site);
    AnswerPublished(exchange, admin, *stored, "artifact.publish");
  }

  const std::string& RequirePart(const ExchangePtr& exchange) {
    const std::string& part = exchange->params[1];
    if (!IsArtifactPart(part)) {
      Refuse(404, "unknown_artifact_part",
             "'" + part +
                 "' is not an artifact part (segments, clusters, slots, "
                 "experiments, consent, signals)");
    }
    return part;
  }

  static Value ParseStoredArtifact(const ArtifactRecord& record) {
    Result<Value> parsed = ParseJson(record.json);
    if (!parsed.ok()) {
      Refuse(500, "corrupt_artifact", parsed.status().message());
    }
    return std::move(parsed.value());
  }

  void AdminGetArtifactPart(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    const std::string& part = RequirePart(exchange);
    ArtifactRecord artifact = RequireArtifact(site);
    Value parsed = ParseStoredArtifact(artifact);
    const Value* value = parsed.find(part);
    if (!value) {
      Refuse(404, "artifact_part_not_found",
             "the artifact of site '" + site + "' has no '" + part + "'");
    }
    HttpResponse response;
    response.Set("Content-Type", "application/json");
    response.Set("Cache-Control", "no-store");
    // The whole artifact's: the condition a later If-Match names.
    response.Set("ETag", artifact.etag);
    response.body = value->Dump();
    Finish(exchange, std::move(response));
  }

  // Replaces one part of the published artifact. Without If-Match, a
  // publication landing between the read and the write is not undone: the
  // part is swapped into the newer artifact instead (a few attempts).
  void AdminPutArtifactPart(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    const ApiKeyRecord admin = RequireAdmin(exchange, site);
    const std::string& part = RequirePart(exchange);
    const Value replacement = ParseJsonBody(exchange->request.body);
    const bool conditional = !exchange->request.Header("If-Match").empty();
    for (int attempt = 0; attempt < 5; ++attempt) {
      ArtifactRecord current = RequireArtifact(site);
      IfMatchRevision(exchange, current);
      Value artifact = ParseStoredArtifact(current);
      artifact.set(part, replacement);
      std::optional<ArtifactRecord> stored =
          Publish(site, artifact, current.revision, admin);
      if (stored) {
        return AnswerPublished(exchange, admin, *stored, "artifact.publish",
                               {{"part", part}});
      }
      if (conditional) break;
    }
    RefuseLostRace(site);
  }

  int64_t RequireRevisionParam(const ExchangePtr& exchange) {
    const std::string& text = exchange->params[1];
    std::optional<int64_t> revision = ParseMillis(text);  // digits only
    if (!revision || *revision < 1) {
      Refuse(400, "invalid_revision",
             "'" + text + "' is not a revision number (1, 2, ...)");
    }
    return *revision;
  }

  ArtifactRecord RequireRevision(const ExchangePtr& exchange,
                                 const std::string& site) {
    const int64_t revision = RequireRevisionParam(exchange);
    std::optional<ArtifactRecord> found =
        store_.GetArtifactRevision(site, revision);
    if (!found) {
      Refuse(404, "artifact_revision_not_found",
             "site '" + site + "' has no revision " + std::to_string(revision) +
                 " of its artifact (the newest " +
                 std::to_string(kKeptArtifactRevisions) + " are kept)");
    }
    return *found;
  }

  void AdminListArtifactRevisions(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    std::vector<ArtifactRevisionInfo> kept = store_.ListArtifactRevisions(site);
    if (kept.empty()) {
      Refuse(404, "artifact_not_found",
             "no artifact is published for site '" + site + "'");
    }
    Json revisions = Json::array();
    for (const ArtifactRevisionInfo& revision : kept) {
      Json by = nullptr;  // revisions from before keys were recorded
      if (revision.published_by_key != 0) {
        by = {{"key_id", revision.published_by_key},
              {"key_prefix", revision.published_by_prefix}};
      }
      revisions.push_back({{"revision", revision.revision},
                           {"etag", revision.etag},
                           {"published_at_ms", revision.published_at_ms},
                           {"published_by", std::move(by)},
                           {"bytes", revision.bytes}});
    }
    Finish(exchange, JsonResponse(200, {{"site", site},
                                        {"current", kept.front().revision},
                                        {"kept", kKeptArtifactRevisions},
                                        {"revisions", std::move(revisions)}}));
  }

  void AdminGetArtifactRevision(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    Finish(exchange, AdminArtifactResponse(RequireRevision(exchange, site)));
  }

  // Rollback: publishes a kept revision again, as the newest one (checked
  // again: the rules may have changed since it was published).
  void AdminRestoreArtifactRevision(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    const ApiKeyRecord admin = RequireAdmin(exchange, site);
    ArtifactRecord old = RequireRevision(exchange, site);
    int64_t base = IfMatchRevision(exchange, store_.GetArtifact(site));
    std::optional<ArtifactRecord> stored =
        Publish(site, ParseStoredArtifact(old), base, admin);
    if (!stored) RefuseLostRace(site);
    AnswerPublished(exchange, admin, *stored, "artifact.restore",
                    {{"restored_from", old.revision}});
  }

  // The CRM part of a data access request for `id` (a visitor or a
  // customer id) within `scope`: customers with their transactions and
  // identity links; emails and names decrypted when the server has the key.
  Json CrmProfile(const std::string& scope, const std::string& id) {
    CrmStore& crm = *options_.crm;
    Json customers = Json::array();
    for (const CustomerRecord& customer : crm.CustomersById(scope, id)) {
      Json entry;
      try {
        entry = CustomerJson(customer, options_.pii);
      } catch (const PiiError& error) {
        Refuse(409, "pii_key_mismatch", error.what());
      }
      Json transactions = Json::array();
      for (const TransactionRecord& t :
           crm.TransactionsOfCustomer(customer.site, customer.customer_id)) {
        transactions.push_back(TransactionJson(t));
      }
      entry["transactions"] = std::move(transactions);
      customers.push_back(std::move(entry));
    }
    Json links = Json::array();
    for (const IdentityLink& link : crm.LinksOf(scope, id)) {
      links.push_back(IdentityLinkJson(link));
    }
    return {{"customers", std::move(customers)},
            {"identity_links", std::move(links)},
            {"pii", options_.pii ? "decrypted"
                                 : "not included: the server has no PII key"}};
  }

  static Json SignalList(const std::vector<SignalRecord>& signals) {
    Json list = Json::array();
    for (const SignalRecord& signal : signals) {
      Json body = Json::parse(signal.body, nullptr, false);
      if (body.is_discarded()) throw UnreadableSignalError(signal);
      list.push_back({{"site", signal.site},
                      {"id", signal.id},
                      {"received_at_ms", signal.received_at_ms},
                      {"signal", std::move(body)}});
    }
    return list;
  }

  // Everything stored for visitor or customer `id` within `scope`.
  Json ProfileOf(const std::string& scope, const std::string& id) {
    std::vector<SignalRecord> signals = store_.SignalsOfVisitor(scope, id);
    Json body = {{"vid", id},
                 {"scope", scope},
                 {"signal_count", signals.size()},
                 {"signals", SignalList(signals)}};
    if (options_.crm) {
      body["crm"] = CrmProfile(scope, id);
      // A customer's data includes what their linked visitors sent.
      Json linked = Json::array();
      for (const IdentityLink& link : options_.crm->LinksOf(scope, id)) {
        if (link.customer_id != id || link.vid == id) continue;
        linked.push_back({{"vid", link.vid},
                          {"signals", SignalList(store_.SignalsOfVisitor(
                                          link.site, link.vid))}});
      }
      body["linked_visitors"] = std::move(linked);
    }
    return body;
  }

  // Erases visitor or customer `id` within `scope`, with the signals of the
  // visitors linked to a customer; the answer's counts, without
  // copies_purged (one purge follows all of a request's erasures). Signals
  // go before the CRM rows: the identity links are what names the linked
  // visitors, so they stay until those signals are gone, and a request
  // repeated after a failure part-way finds them again.
  Json EraseProfile(const std::string& scope, const std::string& id,
                    int64_t now) {
    ErasureRecord erasure = store_.EraseVisitor(scope, id, now);
    int64_t signals_erased = erasure.signals_erased;
    std::set<std::string> erased_vids = {id};
    auto erase_linked = [&](const std::string& vid) {
      if (!erased_vids.insert(vid).second) return;
      signals_erased += store_.EraseVisitor(scope, vid, now).signals_erased;
    };
    std::optional<CrmErasureRecord> crm;
    if (options_.crm) {
      for (const IdentityLink& link : options_.crm->LinksOf(scope, id)) {
        if (link.customer_id == id) erase_linked(link.vid);
      }
      crm = options_.crm->EraseSubject(scope, id, now);
      // A link made in between: its visitor's signals go too.
      for (const std::string& vid : crm->linked_vids) erase_linked(vid);
    }
    Json body = {{"vid", id},
                 {"scope", erasure.site},
                 {"signals_erased", signals_erased},
                 {"erased_at_ms", erasure.erased_at_ms}};
    if (crm) {
      body["customers_erased"] = crm->customers_erased;
      body["transactions_erased"] = crm->transactions_erased;
      body["identity_links_erased"] = crm->links_erased;
      body["linked_visitors_erased"] = crm->linked_vids.size();
    }
    return body;
  }

  // The customers (site and id) an e-mail address in a profile route names,
  // within the key's scope, found through the address's keyed hash: data
  // subjects ask by e-mail, and no id can be one (ids that look like an
  // address are refused everywhere).
  std::vector<CustomerRecord> CustomersByEmail(const ApiKeyRecord& key,
                                               const std::string& email) {
    if (!IsValidEmailAddress(PiiCipher::NormalizeEmail(email))) {
      Refuse(400, "invalid_id",
             "'" + email +
                 "' holds an email address but is not one; give a visitor "
                 "id, a customer id or one email address");
    }
    if (!options_.pii) {
      Refuse(409, "pii_key_missing",
             "finding customers by email needs the server's PII key "
             "(--pii-key-file or TESSERA_PII_KEY)");
    }
    return RequireCrm().FindCustomersByEmailHmac(
        key.site, options_.pii->EmailHmac(email));
  }

  // The {id} of a profile route: a visitor or customer id, or an e-mail
  // address (then `by_email`).
  static const std::string& RequireProfileId(const ExchangePtr& exchange,
                                             bool* by_email) {
    const std::string& id = exchange->params[0];
    *by_email = ContainsEmailAddress(id);
    if (!*by_email && !IsSubjectId(id)) {
      Refuse(400, "invalid_id",
             "a profile id is 1-128 bytes of UTF-8 without control "
             "characters (a visitor id, a customer id or an email address)");
    }
    return id;
  }

  // Whom an access request or erasure was about, for the audit log: the
  // SHA-256 of a visitor or customer id, but of an email address only its
  // keyed hash (the PII key's matching HMAC, as crm_customers keeps it), or
  // nothing without the key: anyone can hash a guessed address and compare
  // it with an unkeyed SHA-256.
  Json AuditSubject(const std::string& id, bool by_email) const {
    if (!by_email)
      return {{"subject_hash", Sha256Hex(id)}, {"by_email", false}};
    Json detail = {{"by_email", true}};
    if (options_.pii) detail["subject_hmac"] = options_.pii->EmailHmac(id);
    return detail;
  }

  void AdminGetProfile(const ExchangePtr& exchange) {
    ApiKeyRecord key = RequireAdmin(exchange, "");
    bool by_email = false;
    const std::string& id = RequireProfileId(exchange, &by_email);
    // An access request reads personal data: recorded, as a hash of whom.
    Audit(key, key.site, "profile.read", AuditSubject(id, by_email));
    if (!by_email) {
      return Finish(exchange, JsonResponse(200, ProfileOf(key.site, id)));
    }
    Json profiles = Json::array();
    for (const CustomerRecord& customer : CustomersByEmail(key, id)) {
      profiles.push_back(ProfileOf(customer.site, customer.customer_id));
    }
    Json body = {{"email", id},
                 {"scope", key.site},
                 {"customers_matched", profiles.size()},
                 {"profiles", std::move(profiles)}};
    Finish(exchange, JsonResponse(200, body));
  }

  void AdminDeleteProfile(const ExchangePtr& exchange) {
    ApiKeyRecord key = RequireAdmin(exchange, "");
    bool by_email = false;
    const std::string& id = RequireProfileId(exchange, &by_email);
    const int64_t now = NowMs();
    Json body;
    if (by_email) {
      Json erasures = Json::array();
      for (const CustomerRecord& customer : CustomersByEmail(key, id)) {
        erasures.push_back(
            EraseProfile(customer.site, customer.customer_id, now));
      }
      body = {{"email", id},
              {"scope", key.site},
              {"customers_matched", erasures.size()},
              {"erasures", std::move(erasures)}};
    } else {
      // A signal acknowledged before the request must not survive it: the
      // store commits pending signals before it erases.
      body = EraseProfile(key.site, id, now);
    }
    // The deleted rows' older copies (SQLite's write-ahead log) go now too,
    // unless a long read holds them: then the next checkpoint takes them.
    const bool purged = store_.PurgeErased();
    if (!purged) {
      std::cerr << "tessera-server: an erasure's older copies stay in the "
                   "write-ahead log until the next checkpoint (a long read "
                   "holds it)"
                << std::endl;
    }
    body["copies_purged"] = purged;
    Audit(key, key.site, "profile.erase", AuditSubject(id, by_email));
    Finish(exchange, JsonResponse(200, body));
  }

  void AdminListErasures(const ExchangePtr& exchange) {
    ApiKeyRecord key = RequireAdmin(exchange, "");
    Json list = Json::array();
    for (const ErasureRecord& record : store_.ListErasures()) {
      if (key.site != kAllSites && record.site != key.site) continue;
      list.push_back({{"erased_at_ms", record.erased_at_ms},
                      {"scope", record.site},
                      {"subject_hash", record.subject_hash},
                      {"signals_erased", record.signals_erased}});
    }
    Json body = {{"erasures", std::move(list)}};
    if (options_.crm) {
      Json crm = Json::array();
      for (const CrmErasureRecord& record : options_.crm->ListErasures()) {
        if (key.site != kAllSites && record.site != key.site) continue;
        crm.push_back({{"erased_at_ms", record.erased_at_ms},
                       {"scope", record.site},
                       {"subject_hash", record.subject_hash},
                       {"customers_erased", record.customers_erased},
                       {"transactions_erased", record.transactions_erased},
                       {"identity_links_erased", record.links_erased}});
      }
      body["crm_erasures"] = std::move(crm);
    }
    Finish(exchange, JsonResponse(200, body));
  }

  // --- CRM routes ----------------------------------------------------------

  // Both engines store CRM data and TesseraServer always passes its
  // CrmStore; only an Api built without one gets here empty-handed.
  CrmStore& RequireCrm() {
    if (!options_.crm) throw std::logic_error("the Api has no CrmStore");
    return *options_.crm;
  }

  // "1764000000000" -> 1764000000000; nullopt for anything but digits (up to
  // 2^53, what JSON numbers hold exactly).
  static std::optional<int64_t> ParseMillis(const std::string& text) {
    if (text.empty() || text.size() > 16) return std::nullopt;
    int64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    if (value > (int64_t{1} << 53)) return std::nullopt;
    return value;
  }

  // Refuses a path naming no site (e.g. "*", which an all-sites key passes):
  // what it stored or read there no site's key would ever reach.
  static void RequireSiteName(const std::string& site) {
    if (!IsSiteName(site)) {
      Refuse(400, "invalid_site", "'" + site + "' is not a site name");
    }
  }

  // A site's signals, customers or transactions as JSON Lines, as the
  // `export` subcommand writes them; emails and names only with
  // ?include_pii=true and the server's PII key, and each such export is
  // logged (accountability).
  void AdminExport(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    const ApiKeyRecord admin = RequireAdmin(exchange, site);
    RequireSiteName(site);
    const std::string& kind = exchange->params[1];
    // First: a mistyped kind is the mistake, whatever the query says.
    if (kind != "signals" && kind != "customers" && kind != "transactions") {
      Refuse(404, "unknown_export",
             "'" + kind +
                 "' is not an export (signals, customers, "
                 "transactions)");
    }
    const std::string include_pii = exchange->request.QueryParam("include_pii");
    if (include_pii != "" && include_pii != "true" && include_pii != "false") {
      Refuse(400, "invalid_parameter",
             "include_pii must be true or false, not '" + include_pii + "'");
    }
    const bool with_pii = include_pii == "true";
    const std::string since_text = exchange->request.QueryParam("since");
    int64_t since_ms = 0;
    if (!since_text.empty()) {
      if (kind != "signals") {
        Refuse(400, "invalid_parameter",
               "since applies to the signals export only");
      }
      std::optional<int64_t> parsed = ParseMillis(since_text);
      if (!parsed) {
        Refuse(400, "invalid_parameter",
               "since must be a time in milliseconds since 1970 (a whole "
               "number), not '" +
                   since_text + "'");
      }
      since_ms = *parsed;
    }
    if (with_pii && kind != "customers") {
      Refuse(400, "invalid_parameter",
             "include_pii applies to the customers export only");
    }
    if (with_pii && !options_.pii) {
      Refuse(409, "pii_key_missing",
             "exporting emails and names needs the server's PII key "
             "(--pii-key-file or TESSERA_PII_KEY)");
    }
    std::string body;
    int64_t count = 0;
    bool too_large = false;
    auto add = [&](auto&& append) {
      ++count;
      if (too_large) return;
      append();
      if (body.size() > options_.export_limit) {
        too_large = true;
        body.clear();
        body.shrink_to_fit();
      }
    };
    if (kind == "signals") {
      store_.ForEachSignalSince(site, since_ms, [&](const SignalRecord& s) {
        add([&] { AppendSignalLine(s, &body); });
      });
    } else if (kind == "customers") {
      const PiiCipher* pii = with_pii ? options_.pii : nullptr;
      try {
        RequireCrm().ForEachCustomer(site, [&](const CustomerRecord& c) {
          add([&] { body += CustomerJson(c, pii).dump() + "\n"; });
        });
      } catch (const PiiError& error) {
        Refuse(409, "pii_key_mismatch", error.what());
      }
    } else {
      RequireCrm().ForEachTransaction(site, [&](const TransactionRecord& t) {
        add([&] { body += TransactionJson(t).dump() + "\n"; });
      });
    }
    if (too_large) {
      Refuse(413, "export_too_large",
             "the " + std::to_string(count) + " " + kind + " of site '" + site +
                 "' exceed the " + std::to_string(options_.export_limit) +
                 " bytes an HTTP export holds (--export-limit); ask for "
                 "less with ?since=MS (signals), or run `tessera-server "
                 "export " +
                 kind + " --site " + site + "` on the server instead");
    }
    if (with_pii) {
      std::cerr << "tessera-server: exported " << count
                << " customer(s) of site " << site
                << " with emails and names over the admin API" << std::endl;
    }
    Audit(admin, site, "export." + kind,
          {{"rows", count}, {"include_pii", with_pii}});
    HttpResponse response;
    response.Set("Content-Type", "application/x-ndjson; charset=utf-8");
    response.Set("Cache-Control", "no-store");
    response.Set("Vary", "Accept-Encoding");
    // JSON Lines shrink several times; level 1 keeps the I/O thread's
    // time near that of building the lines.
    if (body.size() >= 1024 &&
        AcceptsEncoding(exchange->request.Header("Accept-Encoding"), "gzip")) {
      body = Gzip(body, 1);
      response.Set("Content-Encoding", "gzip");
    }
    response.Set("Content-Disposition",
                 "attachment; filename=\"" + site + "-" + kind + ".jsonl\"");
    response.body = std::move(body);
    Finish(exchange, std::move(response));
  }

  void AdminImport(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    const ApiKeyRecord admin = RequireAdmin(exchange, site);
    RequireSiteName(site);
    CrmStore& crm = RequireCrm();
    std::optional<ImportKind> kind = ParseImportKind(exchange->params[1]);
    if (!kind) {
      Refuse(404, "unknown_import",
             "'" + exchange->params[1] +
                 "' is not an import (customers, transactions)");
    }
    std::string media = MediaType(exchange->request.Header("Content-Type"));
    if (media != "text/csv" && media != "text/plain") {
      Refuse(
          415, "unsupported_media_type",
          "Content-Type must be text/csv (or text/plain), not '" + media + "'");
    }
    std::string format_name = exchange->request.QueryParam("format");
    std::optional<ImportFormat> format =
        ParseImportFormat(format_name.empty() ? "csv" : format_name);
    if (!format) {
      Refuse(400, "invalid_format",
             "format must be csv or cdnow, not '" + format_name + "'");
    }
    std::string delimiter_name = exchange->request.QueryParam("delimiter");
    std::optional<char> delimiter = ParseCsvDelimiter(delimiter_name);
    if (!delimiter) {
      Refuse(400, "invalid_delimiter",
             "delimiter must be auto, ',', ';' or tab, not '" + delimiter_name +
                 "'");
    }
    ImportOptions import;
    import.site = site;
    import.kind = *kind;
    import.format = *format;
    import.csv.delimiter = *delimiter;
    import.pii = options_.pii;
    import.max_errors_kept = kMaxImportErrorsListed;
    std::istringstream input(exchange->request.body);
    ImportSummary summary;
    try {
      summary = ImportCrm(crm, input, import, NowMs());
    } catch (const ImportError& error) {
      Refuse(422, "import_refused", error.what());
    } catch (const PiiError& error) {
      Refuse(409, "pii_key_mismatch", error.what());
    }
    Json errors = Json::array();
    for (const ImportRowError& error : summary.errors) {
      errors.push_back({{"line", error.line}, {"message", error.message}});
    }
    Json body = {
        {"site", site},
        {"kind", ImportKindName(*kind)},
        {"inserted", summary.inserted},
        {"updated", summary.updated},
        {"unchanged", summary.unchanged},
        {"rejected", summary.rejected},
        {"changed", summary.changed()},
        {"summary", summary.Describe(*kind)},
        {"errors", std::move(errors)},
        {"errors_truncated",
         summary.rejected > static_cast<int64_t>(summary.errors.size())}};
    if (*kind == ImportKind::kTransactions) {
      body["customers_created"] = summary.customers_created;
    }
    Audit(admin, site, std::string("import.") + ImportKindName(*kind),
          {{"inserted", summary.inserted},
           {"updated", summary.updated},
           {"unchanged", summary.unchanged},
           {"rejected", summary.rejected}});
    Finish(exchange, JsonResponse(200, body));
  }

  // Whether `id` can be a visitor or customer id: 1-128 bytes of UTF-8
  // without control characters, and not an email address.
  static bool IsSubjectId(std::string_view id) {
    if (id.empty() || id.size() > 128 || !IsValidUtf8(id)) return false;
    for (char c : id) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
    }
    return !ContainsEmailAddress(id);
  }

  // A visitor id or customer id given in a request body (IsSubjectId).
  static std::string RequireId(const Value& body, const char* field) {
    const Value* value = body.find(field);
    if (!value || !value->is_string()) {
      Refuse(400, "invalid_identity",
             std::string("'") + field + "' must be a string",
             {ApiProblem{std::string("$.") + field, "expected a string"}});
    }
    const std::string& id = value->as_string();
    if (!IsSubjectId(id)) {
      Refuse(400, "invalid_identity",
             std::string("'") + field +
                 "' must be 1-128 bytes of UTF-8 without control characters "
                 "and not an email address",
             {ApiProblem{std::string("$.") + field, "invalid id"}});
    }
    return id;
  }

  // Links an anonymous visitor to a customer, by customer id or by email
  // (matched through its keyed hash; the email is not stored).
  void AdminLinkIdentity(const ExchangePtr& exchange) {
    const std::string& site = exchange->params[0];
    RequireAdmin(exchange, site);
    RequireSiteName(site);
    CrmStore& crm = RequireCrm();
    Value body = ParseJsonBody(exchange->request.body);
    if (!body.is_object()) {
      Refuse(400, "invalid_identity", "the body must be a JSON object");
    }
    IdentityLink link;
    link.site = site;
    link.vid = RequireId(body, "vid");
    const Value* email = body.find("email");
    if (body.find("customer_id") && email) {
      Refuse(400, "invalid_identity", "send customer_id or email, not both");
    }
    if (email) {
      if (!email->is_string() || email->as_string().empty()) {
        Refuse(400, "invalid_identity", "'email' must be a non-empty string",
               {ApiProblem{"$.email", "expected a string"}});
      }
      // Else a customer id sent as the email would be answered "no customer
      // has this email", as if the data were missing.
      if (!IsValidEmailAddress(PiiCipher::NormalizeEmail(email->as_string()))) {
        Refuse(400, "invalid_identity", "'email' is not an email address",
               {ApiProblem{"$.email", "not an email address"}});
      }
      if (!options_.pii) {
        Refuse(409, "pii_key_missing",
               "matching by email needs the server's PII key "
               "(--pii-key-file or TESSERA_PII_KEY)");
      }
      std::vector<CustomerRecord> matches = crm.FindCustomersByEmailHmac(
          site, options_.pii->EmailHmac(email->as_string()));
      if (matches.empty()) {
        Refuse(404, "customer_not_found",
               "no customer of site '" + site + "' has this email");
      }
      if (matches.size() > 1) {
        Refuse(409, "ambiguous_email",
               std::to_string(matches.size()) +
                   " customers share this email; link by customer_id");
      }
      link.customer_id = matches.front().customer_id;
      link.source = "api:email";
    } else {
      link.customer_id = RequireId(body, "customer_id");
      link.source = "api:customer_id";
    }
    link.linked_at_ms = NowMs();
    bool created = crm.LinkIdentity(link);
    bool known = crm.FindCustomer(site, link.customer_id).has_value();
    Finish(exchange, JsonResponse(created ? 201 : 200,
                                  {{"status", created ? "linked" : "unchanged"},
                                   {"site", site},
                                   {"vid", link.vid},
                                   {"customer_id", link.customer_id},
                                   {"source", link.source},
                                   {"customer_known", known}}));
  }

  static constexpr size_t kMaxImportErrorsListed = 1000;

  struct CachedKey {
    std::optional<ApiKeyRecord> record;
    Clock::time_point expires;
  };

  Store& store_;
  Metrics& metrics_;
  ApiOptions options_;
  StaticFiles static_files_;
  StaticFiles site_files_;
  std::shared_ptr<const AccessPolicy> policy_;  // std::atomic_load/store
  SerialWorker admin_worker_;  // the slow routes, one at a time
  // What browsers fetch, for a second; enough to spare the store when
  // every page asks, short enough that replicas agree soon.
  ArtifactCache artifacts_{std::chrono::seconds(1), 1024};
  std::mutex key_cache_mutex_;
  std::unordered_map<std::string, CachedKey> key_cache_;
};

Api::Api(Store& store, Metrics& metrics, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, metrics, std::move(options))) {}

Api::~Api() = default;

void Api::FinishSlowWork() { impl_->FinishSlowWork(); }

void Api::SetAccessPolicy(std::vector<std::string> allowed_origins,
                          uint32_t signals_per_second_per_site) {
  impl_->SetAccessPolicy(std::move(allowed_origins),
                         signals_per_second_per_site);
}

std::vector<std::string> Api::RouteList() { return Impl::RouteList(); }

void Api::Handle(HttpRequest&& request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

uint64_t Api::BodyLimitFor(std::string_view path) const {
  return impl_->BodyLimitFor(path);
}

std::optional<HttpResponse> Api::RefuseBeforeBody(const HttpRequest& head) {
  return impl_->RefuseBeforeBody(head);
}

HttpResponse Api::TransportError(const RefusedRequest& request, int status,
                                 const std::string& code,
                                 const std::string& message) {
  return impl_->TransportError(request, status, code, message);
}

HttpResponse Api::ErrorResponse(int status, const std::string& code,
                                const std::string& message,
                                const std::vector<ApiProblem>& problems) {
  Json body = {{"code", code}, {"message", message}};
  if (!problems.empty()) {
    Json list = Json::array();
    for (const ApiProblem& problem : problems) {
      list.push_back({{"path", problem.path}, {"message", problem.message}});
    }
    body["problems"] = std::move(list);
  }
  return JsonResponse(status, body);
}

}  // namespace tessera::server
