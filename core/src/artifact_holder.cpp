// ArtifactHolder: the last good artifact stays in force.
#include <memory>
#include <utility>

#include "tessera/artifact.h"

namespace tessera {

Status ArtifactHolder::Replace(std::string_view json_text) {
  Result<Artifact> parsed = ParseArtifact(json_text, regex_);
  if (!parsed.ok()) return parsed.status();
  current_ = std::make_unique<const Artifact>(std::move(parsed).value());
  return Status::Ok();
}

}  // namespace tessera
