#include "site_rate_limiter.h"

#include <algorithm>

namespace tessera::server {

SiteRateLimiter::SiteRateLimiter(double rate) : rate_(rate) {}

double SiteRateLimiter::Take(std::string_view site, Clock::time_point now) {
  const double capacity = std::max(1.0, rate_);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(std::string(site));
  if (it == buckets_.end()) {
    // Sites are checked against the write key first, but a key for every
    // site could name ever new ones: past the cap, counting starts afresh.
    if (buckets_.size() >= kMaxSites) buckets_.clear();
    it = buckets_.emplace(std::string(site), Bucket{capacity, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed =
      std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0.0;
  }
  return (1.0 - bucket.tokens) / rate_;
}

}  // namespace tessera::server
