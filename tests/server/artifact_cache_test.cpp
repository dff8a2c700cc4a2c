// The in-memory artifact cache behind GET /v1/artifact/{site}.
#include "artifact_cache.h"

#include <gtest/gtest.h>

#include <map>

#include "test_http_client.h"

namespace tessera::server {
namespace {

using std::chrono::milliseconds;

ArtifactRecord Record(const std::string& site, int64_t revision) {
  ArtifactRecord record;
  record.site = site;
  record.revision = revision;
  record.json = "{\"revision\":" + std::to_string(revision) + "}";
  record.etag = "\"" + std::to_string(revision) + "\"";
  return record;
}

// A store with one artifact per site, counting lookups.
struct FakeStore {
  std::map<std::string, ArtifactRecord> artifacts;
  int lookups = 0;
  ArtifactCache::Loader loader() {
    return [this](const std::string& site) -> std::optional<ArtifactRecord> {
      ++lookups;
      auto it = artifacts.find(site);
      if (it == artifacts.end()) return std::nullopt;
      return it->second;
    };
  }
};

TEST(ArtifactCacheTest, AsksTheStoreOncePerTtl) {
  FakeStore store;
  store.artifacts["shop"] = Record("shop", 1);
  ArtifactCache cache(milliseconds(1000), 16);
  const ArtifactCache::Clock::time_point start{};
  EXPECT_EQ(cache.Get("shop", start, store.loader())->record.revision, 1);
  store.artifacts["shop"] = Record("shop", 2);  // another replica published
  EXPECT_EQ(cache.Get("shop", start + milliseconds(999), store.loader())
                ->record.revision,
            1);
  EXPECT_EQ(store.lookups, 1);
  EXPECT_EQ(cache.Get("shop", start + milliseconds(1000), store.loader())
                ->record.revision,
            2);
  EXPECT_EQ(store.lookups, 2);
}

TEST(ArtifactCacheTest, AnUnchangedArtifactIsNotCompressedAgain) {
  FakeStore store;
  store.artifacts["shop"] = Record("shop", 1);
  ArtifactCache cache(milliseconds(1000), 16);
  const ArtifactCache::Clock::time_point start{};
  auto first = cache.Get("shop", start, store.loader());
  EXPECT_EQ(testing::Gunzip(first->gzip), first->record.json);
  auto reloaded = cache.Get("shop", start + milliseconds(1500), store.loader());
  EXPECT_EQ(store.lookups, 2);
  EXPECT_EQ(reloaded, first) << "the same entry, gzip and all";
  store.artifacts["shop"] = Record("shop", 2);
  auto changed = cache.Get("shop", start + milliseconds(3000), store.loader());
  EXPECT_NE(changed, first);
  EXPECT_EQ(testing::Gunzip(changed->gzip), "{\"revision\":2}");
}

TEST(ArtifactCacheTest, APublicationHereIsServedAtOnce) {
  FakeStore store;
  store.artifacts["shop"] = Record("shop", 1);
  ArtifactCache cache(milliseconds(1000), 16);
  const ArtifactCache::Clock::time_point start{};
  cache.Get("shop", start, store.loader());
  cache.Put(Record("shop", 2), start + milliseconds(10));
  EXPECT_EQ(
      cache.Get("shop", start + milliseconds(20), store.loader())->record.json,
      "{\"revision\":2}");
  EXPECT_EQ(store.lookups, 1);
}

TEST(ArtifactCacheTest, ALoadFinishingAfterAPublicationDoesNotUndoIt) {
  FakeStore store;
  store.artifacts["shop"] = Record("shop", 4);
  ArtifactCache cache(milliseconds(1000), 16);
  const ArtifactCache::Clock::time_point start{};
  cache.Get("shop", start, store.loader());
  // The entry has expired; while a request reads revision 4 from the store,
  // an admin request publishes revision 5 through this server.
  const auto later = start + milliseconds(1500);
  auto racing = [&](const std::string& site) -> std::optional<ArtifactRecord> {
    cache.Put(Record("shop", 5), later);
    return store.loader()(site);
  };
  EXPECT_EQ(cache.Get("shop", later, racing)->record.revision, 4);
  EXPECT_EQ(cache.Get("shop", later + milliseconds(1), store.loader())
                ->record.revision,
            5);
  EXPECT_EQ(store.lookups, 2);
}

TEST(ArtifactCacheTest, NoArtifactIsRememberedToo) {
  FakeStore store;
  ArtifactCache cache(milliseconds(1000), 16);
  const ArtifactCache::Clock::time_point start{};
  EXPECT_EQ(cache.Get("nowhere", start, store.loader()), nullptr);
  EXPECT_EQ(cache.Get("nowhere", start + milliseconds(500), store.loader()),
            nullptr);
  EXPECT_EQ(store.lookups, 1);
}

TEST(ArtifactCacheTest, MadeUpSitesCannotGrowItBeyondItsCap) {
  FakeStore store;
  store.artifacts["shop"] = Record("shop", 1);
  ArtifactCache cache(milliseconds(1000), 3);
  const ArtifactCache::Clock::time_point start{};
  cache.Get("shop", start, store.loader());
  for (int i = 0; i < 3; ++i) {
    cache.Get("fake" + std::to_string(i), start, store.loader());
  }
  // The fourth site started it afresh: "shop" is looked up again.
  const int before = store.lookups;
  EXPECT_EQ(cache.Get("shop", start, store.loader())->record.revision, 1);
  EXPECT_EQ(store.lookups, before + 1);
}

}  // namespace
}  // namespace tessera::server
