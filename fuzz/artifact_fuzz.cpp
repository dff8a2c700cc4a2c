// Arbitrary bytes -> ParseArtifact. Invariants: no crash; ParseArtifact
// succeeds exactly when the JSON parses and ValidateArtifact finds nothing;
// a parsed artifact evaluates segments and decides every slot without
// crashing, and the segments it reports are the ones it wrote into the
// attributes; a failed Replace leaves the holder's artifact in place.
// Seed with docs/examples/artifact.json for deep coverage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tessera/artifact.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void Exercise(const tessera::Artifact& artifact, tessera::Value attributes) {
  tessera::SegmentEvaluator evaluator(artifact.segments, artifact.clusters);
  tessera::SegmentResult result =
      evaluator.Evaluate(&attributes, artifact.saved_groups, nullptr);
  const tessera::Value* written = attributes.find("segments");
  Check(written != nullptr && written->size() == result.segments.size());
  for (size_t i = 0; i < result.segments.size(); ++i) {
    Check(written->as_array()[i].as_string() == result.segments[i]);
  }
  Check((attributes.find("cluster") != nullptr) ==
        (result.cluster() != nullptr));
  for (const tessera::Slot& slot : artifact.slots) {
    const tessera::Experiment* experiment =
        slot.experiment_key.empty()
            ? nullptr
            : artifact.FindExperiment(slot.experiment_key);
    Check(slot.experiment_key.empty() || experiment != nullptr);
    tessera::Decision decision = tessera::ContentSelector::Decide(
        slot, experiment, attributes, artifact.saved_groups, nullptr);
    Check(decision.variant_id.empty() ||
          slot.FindVariant(decision.variant_id) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tessera::Result<tessera::Artifact> artifact =
      tessera::ParseArtifact(text, nullptr);

  tessera::Result<tessera::Value> json = tessera::ParseJson(text);
  if (json.ok() &&
      artifact.status().code() != tessera::StatusCode::kUnsupported) {
    tessera::Problems problems = tessera::ValidateArtifact(*json, nullptr);
    Check(problems.empty() == artifact.ok());
  }
  if (!json.ok()) Check(!artifact.ok());

  if (artifact.ok()) {
    tessera::Value visitor = tessera::Value::MakeObject();
    visitor.set("id", tessera::Value("v_0123456789abcdef"));
    Exercise(*artifact, visitor);
    // The document itself is an odd but legal attributes object.
    Exercise(*artifact, *json);
  }

  tessera::ArtifactHolder holder;
  Check(holder
            .Replace(
                R"({"schema_version": 1, "version": "seed", "site": "demo"})")
            .ok());
  const tessera::Artifact* before = holder.current();
  tessera::Status replaced = holder.Replace(text);
  Check(replaced.ok() == artifact.ok());
  if (!replaced.ok()) Check(holder.current() == before);
  return 0;
}
