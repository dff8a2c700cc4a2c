// Full validation of a decision artifact before the server publishes it:
// the core's ValidateArtifact with the std::regex matcher, so invalid $regex
// patterns in conditions are reported too, plus the checks that the artifact
// names the site it is published for and that no template writes a visitor
// attribute where escaping does not keep it from becoming markup or code
// (docs/artifact.md). Thread-safe.
#ifndef TESSERA_SERVER_ARTIFACT_CHECK_H_
#define TESSERA_SERVER_ARTIFACT_CHECK_H_

#include <string>

#include "tessera/json.h"
#include "tessera/validation.h"

namespace tessera::server {

// Every problem found in `artifact`, each with its JSON path; empty if valid.
Problems CheckArtifact(const Value& artifact, const std::string& site);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ARTIFACT_CHECK_H_
