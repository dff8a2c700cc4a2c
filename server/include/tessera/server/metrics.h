// Metrics: the counters and histograms /metrics exposes in the Prometheus
// text format (version 0.0.4).
//
// Labels are bounded by construction: routes are route templates
// ("/v1/artifact/{site}"), never raw paths; methods other than the standard
// seven are counted as "other"; and the per-site signal counts are labelled
// with the site of a valid write key, which only an operator creates (any
// other signal under kUnknownSite), so a client cannot grow the series
// count. Thread-safe: every method
// may be called concurrently; the cost per observation is one short mutex hold.
#ifndef TESSERA_SERVER_METRICS_H_
#define TESSERA_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "tessera/server/store.h"

namespace tessera::server {

// kRateLimited: refused by --rate-limit (429), apart from other refusals.
// kStoreUnavailable: refused (503) because the store failed, checking the
// key or committing: the server's fault, where kRejected is the sender's.
enum class SignalOutcome {
  kAccepted,
  kDuplicate,
  kRejected,
  kRateLimited,
  kStoreUnavailable,
};
constexpr size_t kSignalOutcomes = 5;

class Metrics {
 public:
  // The site label of signals without a valid write key.
  static constexpr std::string_view kUnknownSite = "(unknown)";

  // One finished HTTP request.
  void ObserveRequest(const std::string& route, const std::string& method,
                      int status, double seconds);
  // `site`: the write key's site once the key was valid ("" before, then
  // counted under kUnknownSite): also counted per site, so one site's broken
  // deploy shows on its own.
  void CountSignal(SignalOutcome outcome, std::string_view site);
  // One group commit of the store (a failed one only counts as failed).
  void ObserveCommit(const CommitReport& commit);

  // The whole exposition, ready to serve as text/plain; version=0.0.4.
  std::string RenderPrometheus() const;

 private:
  static constexpr size_t kBuckets = 12;
  struct Histogram {
    std::array<uint64_t, kBuckets> counts{};  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };

  mutable std::mutex mutex_;
  // (route, method, status) -> requests
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_by_route_;
  std::array<uint64_t, kSignalOutcomes> signals_{};
  // site -> signals by outcome; std::less<> finds a site without a copy.
  std::map<std::string, std::array<uint64_t, kSignalOutcomes>, std::less<>>
      site_signals_;
  Histogram commit_latency_;
  uint64_t commit_signals_ = 0;
  uint64_t commit_failures_ = 0;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_METRICS_H_
