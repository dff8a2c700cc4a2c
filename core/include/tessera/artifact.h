// The decision artifact: one versioned JSON document per site that tells the
// browser everything it decides with — rule segments, cluster models, content
// slots and their variants, experiments, saved groups, the consent policy and
// how to send signals. The schema is documented field by field in
// docs/artifact.md; docs/examples/artifact.json is a complete valid example.
//
// Artifacts are public (every visitor downloads them), so they carry no
// personal data: unknown fields are rejected at every level the artifact
// module owns (a typo or a stray export column fails loudly instead of being
// shipped), and any string that looks like an email address is rejected.
//
// Validation collects every problem with its JSON path. Beyond each part's
// own rules, references are cross-checked: a slot's experiment exists and
// every variation of it is a variant of the slot; segment ids, cluster ids and
// saved groups named in conditions exist; a rule does not depend on a segment
// evaluated after it; a cluster's segment does not reuse a rule's id. The
// browser build (CMake option TESSERA_CLIENT_RECHECKS off) leaves out these
// cross-reference checks and the email guard for size: the server's artifact
// check runs them before it publishes, and every other rule still applies.
//
// Parsing never throws or crashes on any input. An Artifact is a plain
// immutable value after parsing (thread-safe to read). ArtifactHolder is not
// thread-safe; the RegexMatcher it is given is borrowed and must outlive it.
#ifndef TESSERA_ARTIFACT_H_
#define TESSERA_ARTIFACT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/condition.h"
#include "tessera/consent.h"
#include "tessera/content.h"
#include "tessera/experiment.h"
#include "tessera/json.h"
#include "tessera/segments.h"
#include "tessera/signal.h"
#include "tessera/status.h"
#include "tessera/validation.h"

namespace tessera {

// The only schema_version this build reads; others give Unsupported.
inline constexpr int kArtifactSchemaVersion = 1;

// How and where the browser sends signals (the artifact's "signals").
struct SignalsConfig {
  std::string endpoint = "/v1/signals";  // a path, or an http(s) URL
  int64_t flush_interval_ms = 300000;    // [1000, 3600000]
  // [1024, kMaxSignalBytes]: keepalive fetch and sendBeacon refuse bodies
  // past 64 KiB.
  int64_t max_batch_bytes = 60000;
  SignalFormat format = SignalFormat::kCbor;
};

struct Artifact {
  int schema_version = kArtifactSchemaVersion;
  // Opaque; compared for equality only. An integer version is kept as its
  // decimal text ("42").
  std::string version;
  std::string site;          // 1-64 chars of [A-Za-z0-9_.-]
  std::string generated_at;  // informational; may be empty

  std::vector<RuleSegment> segments;  // artifact order
  std::vector<ClusterModel> clusters;
  std::vector<Slot> slots;
  std::vector<Experiment> experiments;
  Value saved_groups = Value::MakeObject();  // group id -> array of values

  // mode, version, id and GPC handling (defaults: opt-in, honours GPC).
  ConsentPolicy consent;
  // consent.purposes: per-purpose defaults on top of the mode's (source
  // kDefault); unset purposes follow the mode. In opt-in mode no purpose may
  // default to granted, so this only ever refuses there.
  ConsentUpdate consent_defaults;
  SignalsConfig signals;

  // nullptr when absent.
  const Slot* FindSlot(std::string_view slot_id) const;
  const Experiment* FindExperiment(std::string_view key) const;
};

// Every problem in `json` (an artifact's parsed JSON), each with its JSON
// path; empty when it is a valid artifact. `regex`, when given, rejects
// invalid $regex patterns.
Problems ValidateArtifact(const Value& json, const RegexMatcher* regex);

// Parses and validates an artifact. Failures: the JSON parser's status for
// malformed text; Unsupported naming an unknown schema_version;
// InvalidArgument whose message lists every problem, one per line
// ("$.slots[0].experiment: ...").
Result<Artifact> ParseArtifact(std::string_view json_text,
                               const RegexMatcher* regex);

// Keeps the artifact in force: the last one that parsed.
class ArtifactHolder {
 public:
  explicit ArtifactHolder(const RegexMatcher* regex = nullptr)
      : regex_(regex) {}

  // Parses `json_text`; on success it becomes current(). On failure the
  // previous artifact stays current and the status says why.
  Status Replace(std::string_view json_text);
  // nullptr until a Replace succeeds. Valid until the next successful
  // Replace.
  const Artifact* current() const { return current_.get(); }

 private:
  const RegexMatcher* regex_;
  std::unique_ptr<const Artifact> current_;
};

}  // namespace tessera

#endif  // TESSERA_ARTIFACT_H_
