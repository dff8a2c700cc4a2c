// TesseraServer: the store, the routes and the HTTP transport assembled
// into one runnable server — what `tessera-server serve` runs, and what the
// in-process tests start on port 0.
//
// Lifecycle: construct (opens and migrates the store; throws StoreError),
// Start (binds; throws std::runtime_error), Run (blocks, serving, until Stop
// or, with handle_signals, SIGINT/SIGTERM), then the destructor flushes and
// closes the store. Start also starts the retention thread (see
// ServeOptions::retention_days), which Run and the destructor stop. Stop is
// thread-safe and idempotent; in-flight requests are answered (signals
// committed) before Run returns.
#ifndef TESSERA_SERVER_SERVER_H_
#define TESSERA_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/server/store.h"

namespace tessera::server {

struct ServeOptions {
  std::string db = "./data/tessera.db";  // store URI. Default ./data/tessera.db
  std::string host = "127.0.0.1";        // Default: loopback only
  uint16_t port = 8080;                  // 0 picks a free port. Default: 8080
  std::vector<std::string> allowed_origins;  // see ApiOptions. Default: none
  uint64_t body_limit = 64 * 1024;  // signal body bytes. Default: 64 KB
  uint64_t export_limit = 64 * 1024 * 1024;  // admin export bytes. 64 MB
  uint32_t artifact_max_age = 60;  // seconds; see ApiOptions. Default: 60
  // Signals per second per site (bursts up to as many); over it 429 with
  // Retry-After. 0: no limit. Default: 0 (see ApiOptions).
  uint32_t rate_limit = 0;
  // Access log: a file appended to, "-" for stderr; one line per answered
  // request, without client addresses, query strings, ids or emails.
  // Default: none.
  std::string access_log;
  std::string sdk_dir;            // served under /sdk/. Default: none
  std::string site_dir;           // a website served at /. Default: none
  unsigned threads = 0;           // I/O threads; 0 = cores. Default 0
  bool durable = true;            // fsync each commit. Default: true
  int header_timeout_ms = 10000;  // to send a request header. Default: 10 s
  int body_timeout_ms = 30000;    // to send a whole body. Default: 30 s
  bool handle_signals = false;    // stop on SIGINT/SIGTERM. Default: false
                                  // (the CLI turns it on)
  // PII key file (64 hex chars) for CRM imports and data access requests;
  // empty = $TESSERA_PII_KEY, else none (CRM PII routes then refuse).
  std::string pii_key_file;
  // PEM certificate chain and private key: both set = HTTPS (TLS 1.2+);
  // Start throws on an unreadable file or a mismatched pair. Default: none.
  std::string tls_cert;
  std::string tls_key;
  // Retention: signals received more than this many days ago are deleted
  // when the server starts and then every retention_interval_ms, on a
  // background thread (requests are not held up); each deletion is logged
  // on stderr. 0 keeps signals forever. Default: 90 (docs/privacy.md).
  int64_t retention_days = 90;
  int64_t retention_interval_ms = 60 * 60 * 1000;  // Default: 1 hour
  // SIGHUP (with handle_signals): the options read again, e.g. from the
  // --config file; the allowed origins and the rate limit take effect at
  // once, other changes at the next start. Throws on a bad file or value
  // (the running options then stay). Default: none (nothing is reread).
  std::function<ServeOptions()> reload;
};

class TesseraServer {
 public:
  explicit TesseraServer(const ServeOptions& options);
  ~TesseraServer();
  TesseraServer(const TesseraServer&) = delete;
  TesseraServer& operator=(const TesseraServer&) = delete;

  void Start();
  uint16_t port() const;  // the bound port, after Start
  bool tls() const;       // whether it serves HTTPS, after Start
  void Run();
  void Stop();
  Store& store();
  // Deletes the signals older than retention_days now and returns how many
  // (0 when retention_days is 0). The retention thread calls it; it is
  // public so operators' tools and tests can run a pass on demand.
  int64_t ApplyRetention();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SERVER_H_
