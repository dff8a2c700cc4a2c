#include "tessera/server/server.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "access_log.h"
#include "commit_failure_log.h"
#include "tessera/server/api.h"
#include "tessera/server/crm_import.h"
#include "tessera/server/crm_store.h"
#include "tessera/server/http_server.h"
#include "tessera/server/metrics.h"
#include "tessera/server/pii_cipher.h"
#include "utc_text.h"

namespace tessera::server {

// Declaration order is destruction order reversed: the HTTP server goes
// first, then the routes, then the store (flushed), then the metrics the
// store reports to.
struct TesseraServer::Parts {
  Metrics metrics;
  // Before the store: its writer thread reports here until it is closed.
  CommitFailureLog commit_failures{[](const std::string& line) {
    std::cerr << "tessera-server: " << line << std::endl;
  }};
  std::unique_ptr<Store> store;
  std::unique_ptr<CrmStore> crm;
  std::optional<PiiCipher> pii;           // the PII key, when one is configured
  std::unique_ptr<AccessLog> access_log;  // when --access-log is given
  std::unique_ptr<Api> api;
  std::unique_ptr<HttpServer> http;
  bool handle_signals = false;
  // As started, with the options a reload applies as last reloaded.
  ServeOptions options;

  // SIGHUP: reads the options again (ServeOptions::reload) and applies the
  // ones that can change while serving; says on stderr what changed and
  // what waits for the next start.
  void ReloadOptions() {
    if (!options.reload) return;
    ServeOptions next;
    try {
      next = options.reload();
    } catch (const std::exception& error) {
      std::cerr << "tessera-server: the configuration was not reloaded ("
                << error.what() << "); serving on with the previous one"
                << std::endl;
      return;
    }
    api->SetAccessPolicy(next.allowed_origins, next.rate_limit);
    std::string waiting;
    for (const auto& [flag, changed] : {
             std::pair{"db", next.db != options.db},
             {"host", next.host != options.host},
             {"port", next.port != options.port},
             {"threads", next.threads != options.threads},
             {"body-limit", next.body_limit != options.body_limit},
             {"export-limit", next.export_limit != options.export_limit},
             {"artifact-max-age",
              next.artifact_max_age != options.artifact_max_age},
             {"access-log", next.access_log != options.access_log},
             {"sdk-dir", next.sdk_dir != options.sdk_dir},
             {"site-dir", next.site_dir != options.site_dir},
             {"pii-key-file", next.pii_key_file != options.pii_key_file},
             {"tls-cert", next.tls_cert != options.tls_cert},
             {"tls-key", next.tls_key != options.tls_key},
             {"retention-days", next.retention_days != options.retention_days},
             {"no-fsync", next.durable != options.durable},
         }) {
      if (changed) waiting += std::string(waiting.empty() ? "" : ", ") + flag;
    }
    std::cerr << "tessera-server: reloaded the configuration: "
              << next.allowed_origins.size()
              << " allowed origin(s), rate limit "
              << (next.rate_limit ? std::to_string(next.rate_limit) + "/s"
                                  : std::string("off"))
              << (waiting.empty()
                      ? ""
                      : "; changed, from the next start: " + waiting)
              << std::endl;
    // Only what was applied: the rest is still compared with what the
    // server started with, which is what it still runs with.
    options.allowed_origins = std::move(next.allowed_origins);
    options.rate_limit = next.rate_limit;
  }

  // The retention thread: a pass at Start, then one per interval, until
  // StopRetention. Its own thread, so a long DELETE never holds up an I/O
  // thread.
  int64_t retention_days = 0;
  int64_t retention_interval_ms = 0;
  std::thread retention;
  std::mutex retention_mutex;  // guards retention_stopping
  std::condition_variable retention_wake;
  bool retention_stopping = false;
  std::mutex retention_join_mutex;  // Run and the destructor may both join

  void StopRetention() {
    {
      std::lock_guard<std::mutex> lock(retention_mutex);
      retention_stopping = true;
    }
    retention_wake.notify_all();
    std::lock_guard<std::mutex> lock(retention_join_mutex);
    if (retention.joinable()) retention.join();
  }
};

namespace {

constexpr int64_t kMsPerDay = 24 * 60 * 60 * 1000LL;

}  // namespace

TesseraServer::TesseraServer(const ServeOptions& options)
    : parts_(std::make_unique<Parts>()) {
  // Until Start handles it: a reload (logrotate's postrotate) while the
  // store opens or migrates, which can wait on another replica, must not
  // end the server, SIGHUP's default action.
  if (options.handle_signals) std::signal(SIGHUP, SIG_IGN);
  Parts& p = *parts_;
  p.options = options;
  StoreOptions store_options;
  store_options.durable = options.durable;
  Metrics* metrics = &p.metrics;
  CommitFailureLog* failures = &p.commit_failures;
  store_options.on_commit = [metrics, failures](const CommitReport& commit) {
    metrics->ObserveCommit(commit);
    failures->Observe(commit, CommitFailureLog::Clock::now());
  };
  p.store = OpenStore(options.db, store_options);
  p.store->Migrate();
  p.crm = OpenCrmStore(options.db);
  p.crm->Migrate();
  p.pii = PiiCipher::Load(options.pii_key_file);
  // A key other than the one the stored PII was sealed with is refused now,
  // not at the first data access request.
  if (p.pii) VerifyPiiKey(*p.crm, *p.pii, false);

  if (!options.access_log.empty()) {
    p.access_log = std::make_unique<AccessLog>(options.access_log);
  }
  ApiOptions api_options;
  api_options.access_log = p.access_log.get();
  api_options.allowed_origins = options.allowed_origins;
  api_options.sdk_dir = options.sdk_dir;
  api_options.site_dir = options.site_dir;
  api_options.signal_body_limit = options.body_limit;
  api_options.signals_per_second_per_site = options.rate_limit;
  api_options.export_limit = options.export_limit;
  api_options.artifact_max_age_seconds = options.artifact_max_age;
  api_options.crm = p.crm.get();
  api_options.pii = p.pii ? &*p.pii : nullptr;
  p.api = std::make_unique<Api>(*p.store, p.metrics, api_options);

  HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.threads = options.threads;
  http_options.body_limit = options.body_limit;
  http_options.header_timeout_ms = options.header_timeout_ms;
  http_options.body_timeout_ms = options.body_timeout_ms;
  http_options.tls_cert_file = options.tls_cert;
  http_options.tls_key_file = options.tls_key;
  Api* api = p.api.get();
  http_options.body_limit_for = [api](std::string_view path) {
    return api->BodyLimitFor(path);
  };
  http_options.refuse_before_body = [api](const HttpRequest& head) {
    return api->RefuseBeforeBody(head);
  };
  p.http = std::make_unique<HttpServer>(
      http_options,
      [api](HttpRequest&& request, Responder respond) {
        api->Handle(std::move(request), std::move(respond));
      },
      [api](const RefusedRequest& request, int status, const std::string& code,
            const std::string& message) {
        return api->TransportError(request, status, code, message);
      });
  p.handle_signals = options.handle_signals;
  p.retention_days = options.retention_days;
  // At least a second between passes, so a zero cannot spin.
  p.retention_interval_ms =
      std::max<int64_t>(options.retention_interval_ms, 1000);
}

TesseraServer::~TesseraServer() {
  parts_->StopRetention();
  parts_->api->FinishSlowWork();
  parts_->http.reset();
  parts_->api.reset();
  if (parts_->store) {
    parts_->store->Flush();
    parts_->store->Close();
  }
}

void TesseraServer::Start() {
  parts_->http->Start();
  if (parts_->handle_signals) {
    parts_->http->StopOnSignals();
    AccessLog* log = parts_->access_log.get();
    HttpServer* http = parts_->http.get();
    Parts* parts = parts_.get();
    // SIGHUP: logrotate's postrotate, or a renewed certificate (certbot's
    // deploy hook): write to the new log file, serve the new certificate.
    // Handled even with neither, so that a `systemctl reload` never stops
    // the server (SIGHUP's default action).
    http->OnHangup([log, http, parts] {
      parts->ReloadOptions();
      std::string log_problem = log ? log->Reopen() : "";
      if (!log_problem.empty()) {
        std::cerr << "tessera-server: " << log_problem
                  << "; writing on to the old file" << std::endl;
      }
      if (!http->tls()) return;
      std::string problem = http->ReloadTls();
      std::cerr << "tessera-server: "
                << (problem.empty()
                        ? std::string("reloaded the TLS certificate and key")
                        : problem +
                              "; serving on with the previous "
                              "certificate and key")
                << std::endl;
    });
  }
  if (parts_->retention_days <= 0) return;
  Parts* p = parts_.get();
  p->retention = std::thread([this, p] {
    std::unique_lock<std::mutex> lock(p->retention_mutex);
    while (!p->retention_stopping) {
      lock.unlock();
      try {
        ApplyRetention();
      } catch (const std::exception& error) {
        // A busy or broken database: log it and try again next interval.
        std::cerr << "tessera-server: retention failed: " << error.what()
                  << std::endl;
      }
      lock.lock();
      p->retention_wake.wait_for(
          lock, std::chrono::milliseconds(p->retention_interval_ms),
          [p] { return p->retention_stopping; });
    }
  });
}

int64_t TesseraServer::ApplyRetention() {
  Parts& p = *parts_;
  if (p.retention_days <= 0) return 0;
  int64_t cutoff_ms = NowMs() - p.retention_days * kMsPerDay;
  // A first pass may have millions of rows: a shutdown ends it early
  // rather than wait (systemd kills a server that takes too long).
  bool stopped = false;
  int64_t deleted = p.store->DeleteSignalsBefore(cutoff_ms, [&p, &stopped] {
    std::lock_guard<std::mutex> lock(p.retention_mutex);
    return stopped = p.retention_stopping;
  });
  if (deleted > 0 || stopped) {
    std::cerr << "tessera-server: retention "
              << (stopped ? "stopped for the shutdown after deleting "
                          : "deleted ")
              << deleted << " signal(s) received before "
              << UtcText(cutoff_ms, "%Y-%m-%d %H:%M:%S UTC") << " ("
              << p.retention_days << " day(s))"
              << (stopped ? "; the next pass deletes the rest" : "")
              << std::endl;
  }
  return deleted;
}

uint16_t TesseraServer::port() const { return parts_->http->port(); }

bool TesseraServer::tls() const { return parts_->http->tls(); }

void TesseraServer::Run() {
  parts_->http->Run();
  parts_->StopRetention();
  parts_->store->Flush();
}

void TesseraServer::Stop() { parts_->http->Stop(); }

Store& TesseraServer::store() { return *parts_->store; }

}  // namespace tessera::server
