#include "artifact_cache.h"

#include <utility>

#include "gzip.h"

namespace tessera::server {

ArtifactCache::ArtifactCache(Clock::duration ttl, size_t max_sites)
    : ttl_(ttl), max_sites_(max_sites) {}

namespace {

std::shared_ptr<const CachedArtifact> Cached(ArtifactRecord record) {
  std::string gzip = Gzip(record.json, 9);
  return std::make_shared<const CachedArtifact>(
      CachedArtifact{std::move(record), std::move(gzip)});
}

}  // namespace

std::shared_ptr<const CachedArtifact> ArtifactCache::Get(
    const std::string& site, Clock::time_point now, const Loader& load) {
  std::shared_ptr<const CachedArtifact> before;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(site);
    if (it != entries_.end()) {
      if (now - it->second.loaded < ttl_) return it->second.artifact;
      before = it->second.artifact;
    }
  }
  std::optional<ArtifactRecord> loaded = load(site);
  std::shared_ptr<const CachedArtifact> artifact;
  if (loaded && before && before->record.etag == loaded->etag &&
      before->record.revision == loaded->revision) {
    artifact = before;  // unchanged: no need to compress it again
  } else if (loaded) {
    artifact = Cached(std::move(*loaded));
  }
  Store(site, Entry{artifact, now});
  return artifact;
}

void ArtifactCache::Put(ArtifactRecord record, Clock::time_point now) {
  std::string site = record.site;
  Store(site, Entry{Cached(std::move(record)), now});
}

void ArtifactCache::Store(const std::string& site, Entry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(site);
  if (it != entries_.end()) {
    // A load that began before a publication must not put it back.
    const auto& kept = it->second.artifact;
    if (kept && entry.artifact &&
        kept->record.revision > entry.artifact->record.revision) {
      return;
    }
    it->second = std::move(entry);
    return;
  }
  if (entries_.size() >= max_sites_) entries_.clear();
  entries_.emplace(site, std::move(entry));
}

}  // namespace tessera::server
