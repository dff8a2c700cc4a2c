// A per-site ceiling on accepted signals. The write key is public (every
// page of the site carries it), so anyone can post signals for a site; the
// limiter keeps one abuser, or one broken page in a loop, from filling the
// store. A token bucket per site: `rate` signals per second on average,
// bursts of up to `rate` at once (a second's worth). Thread-safe.
#ifndef TESSERA_SERVER_SITE_RATE_LIMITER_H_
#define TESSERA_SERVER_SITE_RATE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tessera::server {

class SiteRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` > 0 signals per second per site.
  explicit SiteRateLimiter(double rate);

  // Takes one signal's token from `site`'s bucket at `now`: 0 when there
  // was one, otherwise the seconds until the next one (nothing taken).
  double Take(std::string_view site, Clock::time_point now);

  double rate() const { return rate_; }

  static constexpr size_t kMaxSites = 10000;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  const double rate_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SITE_RATE_LIMITER_H_
