// TesseraServer: the store, the routes and the HTTP transport assembled
// into one runnable server — what `tessera-server serve` runs, and what the
// in-process tests start on port 0.
//
// Lifecycle: construct (opens and migrates the store; throws StoreError),
// Start (binds; throws std::runtime_error), Run (blocks, serving, until Stop
// or, with handle_signals, SIGINT/SIGTERM), then the destructor flushes and
// closes the store. Stop is thread-safe and idempotent; in-flight requests
// are answered (signals committed) before Run returns.
#ifndef TESSERA_SERVER_SERVER_H_
#define TESSERA_SERVER_SERVER_H_

#include <cstdint>
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
  std::string sdk_dir;              // served under /sdk/. Default: none
  std::string site_dir;             // a website served at /. Default: none
  unsigned threads = 0;             // I/O threads; 0 = cores. Default 0
  bool durable = true;              // fsync each commit. Default: true
  int header_timeout_ms = 10000;    // to send a request header. Default: 10 s
  bool handle_signals = false;      // stop on SIGINT/SIGTERM. Default: false
                                    // (the CLI turns it on)
  // PII key file (64 hex chars) for CRM imports and data access requests;
  // empty = $TESSERA_PII_KEY, else none (CRM PII routes then refuse).
  std::string pii_key_file;
  // PEM certificate chain and private key: both set = HTTPS (TLS 1.2+);
  // Start throws on an unreadable file or a mismatched pair. Default: none.
  std::string tls_cert;
  std::string tls_key;
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

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SERVER_H_
