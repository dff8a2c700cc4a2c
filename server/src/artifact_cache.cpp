#include "artifact_cache.h"

#include <utility>

namespace tessera::server {

ArtifactCache::ArtifactCache(Clock::duration ttl, size_t max_sites)
    : ttl_(ttl), max_sites_(max_sites) {}

std::shared_ptr<const ArtifactRecord> ArtifactCache::Get(
    const std::string& site, Clock::time_point now, const Loader& load) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(site);
    if (it != entries_.end() && now - it->second.loaded < ttl_) {
      return it->second.record;
    }
  }
  std::optional<ArtifactRecord> loaded = load(site);
  std::shared_ptr<const ArtifactRecord> record =
      loaded ? std::make_shared<const ArtifactRecord>(std::move(*loaded))
             : nullptr;
  Store(site, Entry{record, now});
  return record;
}

void ArtifactCache::Put(ArtifactRecord record, Clock::time_point now) {
  std::string site = record.site;
  Store(site,
        Entry{std::make_shared<const ArtifactRecord>(std::move(record)), now});
}

void ArtifactCache::Store(const std::string& site, Entry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(site);
  if (it != entries_.end()) {
    // A load that began before a publication must not put it back.
    const auto& kept = it->second.record;
    if (kept && entry.record && kept->revision > entry.record->revision) return;
    it->second = std::move(entry);
    return;
  }
  if (entries_.size() >= max_sites_) entries_.clear();
  entries_.emplace(site, std::move(entry));
}

}  // namespace tessera::server
