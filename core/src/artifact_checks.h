// Artifact-wide checks that work on the artifact's JSON as written, so every
// problem names the entry's real index even when other entries were invalid
// (the part parsers keep only what they could read).
#ifndef TESSERA_ARTIFACT_CHECKS_H_
#define TESSERA_ARTIFACT_CHECKS_H_

#include "tessera/json.h"
#include "tessera/validation.h"

namespace tessera {

// Segment ids, cluster (centroid) ids and saved groups named in conditions
// exist; a rule names only segments evaluated before it; a centroid's segment
// is not also a rule segment's id. `root` is the artifact object.
void CheckArtifactReferences(const Value& root, Problems* problems);

// No string, and no object key, anywhere in `root` is an email address.
void CheckNoEmailAddresses(const Value& root, Problems* problems);

}  // namespace tessera

#endif  // TESSERA_ARTIFACT_CHECKS_H_
