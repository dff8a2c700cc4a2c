#include "tessera/server/metrics.h"

#include <cstdio>
#include <tuple>

namespace tessera::server {
namespace {

// Upper bounds in seconds; the last bucket is +Inf implicitly.
constexpr double kBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                              0.05,   0.1,   0.25,   0.5,   1.0};

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void AppendHistogram(std::string& out, const std::string& name,
                     const std::string& labels,
                     const std::array<uint64_t, 12>& counts, uint64_t count,
                     double sum) {
  std::string prefix = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < sizeof kBounds / sizeof kBounds[0]; ++i) {
    cumulative += counts[i];
    out += name + "_bucket{" + prefix + "le=\"" + Number(kBounds[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(count) +
         "\n";
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + Number(sum) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count) + "\n";
}

// A client can send any token as its method; only the standard ones get a
// series of their own, so invented ones cannot grow /metrics.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

void Metrics::Histogram::Observe(double seconds) {
  size_t bucket = 0;
  constexpr size_t kBounded = sizeof kBounds / sizeof kBounds[0];
  while (bucket < kBounded && seconds > kBounds[bucket]) ++bucket;
  ++counts[bucket];
  ++count;
  sum += seconds;
}

void Metrics::ObserveRequest(const std::string& route,
                             const std::string& method, int status,
                             double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[std::make_tuple(route, std::string(MethodLabel(method)), status)];
  latency_by_route_[route].Observe(seconds);
}

void Metrics::CountSignal(SignalOutcome outcome, std::string_view site) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++signals_[static_cast<size_t>(outcome)];
  if (site.empty()) site = kUnknownSite;
  auto found = site_signals_.find(site);
  if (found == site_signals_.end()) {
    found =
        site_signals_
            .emplace(std::string(site), std::array<uint64_t, kSignalOutcomes>{})
            .first;
  }
  ++found->second[static_cast<size_t>(outcome)];
}

void Metrics::ObserveCommit(const CommitReport& commit) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!commit.failure.empty()) {
    ++commit_failures_;
    return;
  }
  commit_latency_.Observe(commit.seconds);
  commit_signals_ += commit.batch_size;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out +=
      "# HELP tessera_http_requests_total HTTP requests answered, by route "
      "template, method and status.\n"
      "# TYPE tessera_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "tessera_http_requests_total{route=\"" + route + "\",method=\"" +
           method + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(count) + "\n";
  }
  out +=
      "# HELP tessera_http_request_duration_seconds Time from a complete "
      "request to its response, by route template.\n"
      "# TYPE tessera_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_by_route_) {
    AppendHistogram(out, "tessera_http_request_duration_seconds",
                    "route=\"" + route + "\"", histogram.counts,
                    histogram.count, histogram.sum);
  }
  static const char* const kOutcomes[kSignalOutcomes] = {
      "accepted", "duplicate", "rejected", "rate_limited", "store_unavailable"};
  out +=
      "# HELP tessera_signals_total Signals received, by outcome.\n"
      "# TYPE tessera_signals_total counter\n";
  for (size_t i = 0; i < signals_.size(); ++i) {
    out += std::string("tessera_signals_total{outcome=\"") + kOutcomes[i] +
           "\"} " + std::to_string(signals_[i]) + "\n";
  }
  out +=
      "# HELP tessera_site_signals_total Signals received, by the site of "
      "their valid write key (\"(unknown)\" without one) and outcome.\n"
      "# TYPE tessera_site_signals_total counter\n";
  // Site names are [A-Za-z0-9_.-] (or kUnknownSite): nothing to escape.
  for (const auto& [site, counts] : site_signals_) {
    for (size_t i = 0; i < counts.size(); ++i) {
      out += "tessera_site_signals_total{site=\"" + site + "\",outcome=\"" +
             kOutcomes[i] + "\"} " + std::to_string(counts[i]) + "\n";
    }
  }
  out +=
      "# HELP tessera_store_commit_duration_seconds Duration of each group "
      "commit of signals.\n"
      "# TYPE tessera_store_commit_duration_seconds histogram\n";
  AppendHistogram(out, "tessera_store_commit_duration_seconds", "",
                  commit_latency_.counts, commit_latency_.count,
                  commit_latency_.sum);
  out +=
      "# HELP tessera_store_committed_signals_total Signals written by group "
      "commits (duplicates included).\n"
      "# TYPE tessera_store_committed_signals_total counter\n"
      "tessera_store_committed_signals_total " +
      std::to_string(commit_signals_) + "\n";
  out +=
      "# HELP tessera_store_commit_failures_total Group commits that failed "
      "(disk full, database unreachable); their signals were answered 503.\n"
      "# TYPE tessera_store_commit_failures_total counter\n"
      "tessera_store_commit_failures_total " +
      std::to_string(commit_failures_) + "\n";
  return out;
}

}  // namespace tessera::server
