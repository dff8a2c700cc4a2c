// The published artifacts as browsers fetch them (GET /v1/artifact/{site}),
// kept in memory for a short time: every visitor's page may ask for its
// site's artifact, and a store lookup per request halved the route's rate.
// A publication through this server replaces its entry at once; replicas
// sharing a PostgreSQL database see another's publication within `ttl`.
// Each version is gzipped once, for clients that accept it. Thread-safe.
#ifndef TESSERA_SERVER_ARTIFACT_CACHE_H_
#define TESSERA_SERVER_ARTIFACT_CACHE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tessera/server/store.h"

namespace tessera::server {

// A published artifact and its JSON gzipped (level 9).
struct CachedArtifact {
  ArtifactRecord record;
  std::string gzip;
};

class ArtifactCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Loader =
      std::function<std::optional<ArtifactRecord>(const std::string& site)>;

  // Entries live `ttl`; at most `max_sites` are kept (requests for made-up
  // sites cannot grow it without bound: when full it starts afresh).
  ArtifactCache(Clock::duration ttl, size_t max_sites);

  // The site's artifact, or null when none is published: from memory when
  // loaded less than `ttl` before `now`, else from `load` (outside the lock;
  // an unchanged ETag keeps the gzip made before).
  std::shared_ptr<const CachedArtifact> Get(const std::string& site,
                                            Clock::time_point now,
                                            const Loader& load);

  // What this server just published for `record.site`.
  void Put(ArtifactRecord record, Clock::time_point now);

 private:
  struct Entry {
    std::shared_ptr<const CachedArtifact> artifact;  // null: none published
    Clock::time_point loaded;
  };
  void Store(const std::string& site, Entry entry);

  const Clock::duration ttl_;
  const size_t max_sites_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ARTIFACT_CACHE_H_
