// The per-site token bucket behind `serve --rate-limit`.
#include "site_rate_limiter.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

using std::chrono::milliseconds;

TEST(SiteRateLimiterTest, ABurstOfRateThenOneTokenPerInterval) {
  SiteRateLimiter limiter(4);
  const SiteRateLimiter::Clock::time_point start{};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Take("shop", start), 0.0) << i;
  EXPECT_DOUBLE_EQ(limiter.Take("shop", start), 0.25);
  EXPECT_DOUBLE_EQ(limiter.Take("shop", start + milliseconds(100)), 0.15);
  EXPECT_EQ(limiter.Take("shop", start + milliseconds(250)), 0.0);
  EXPECT_GT(limiter.Take("shop", start + milliseconds(250)), 0.0);
}

TEST(SiteRateLimiterTest, SitesHaveTheirOwnBuckets) {
  SiteRateLimiter limiter(1);
  const SiteRateLimiter::Clock::time_point start{};
  EXPECT_EQ(limiter.Take("a", start), 0.0);
  EXPECT_GT(limiter.Take("a", start), 0.0);
  EXPECT_EQ(limiter.Take("b", start), 0.0);
}

TEST(SiteRateLimiterTest, AnIdleSiteSavesUpOneBurstOnly) {
  SiteRateLimiter limiter(3);
  const SiteRateLimiter::Clock::time_point start{};
  EXPECT_EQ(limiter.Take("shop", start), 0.0);
  const auto later = start + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("shop", later), 0.0) << i;
  EXPECT_GT(limiter.Take("shop", later), 0.0);
}

TEST(SiteRateLimiterTest, EverNewSiteNamesCannotGrowItWithoutBound) {
  SiteRateLimiter limiter(1);
  const SiteRateLimiter::Clock::time_point start{};
  EXPECT_EQ(limiter.Take("shop", start), 0.0);
  EXPECT_GT(limiter.Take("shop", start), 0.0);
  for (size_t i = 1; i < SiteRateLimiter::kMaxSites; ++i) {
    limiter.Take("site" + std::to_string(i), start);
  }
  // The next new name starts the count afresh, "shop" included.
  EXPECT_EQ(limiter.Take("one-more", start), 0.0);
  EXPECT_EQ(limiter.Take("shop", start), 0.0);
}

TEST(SiteRateLimiterTest, BelowOnePerSecondStillAllowsOneSignal) {
  SiteRateLimiter limiter(0.5);
  const SiteRateLimiter::Clock::time_point start{};
  EXPECT_EQ(limiter.Take("shop", start), 0.0);
  EXPECT_DOUBLE_EQ(limiter.Take("shop", start), 2.0);
}

}  // namespace
}  // namespace tessera::server
