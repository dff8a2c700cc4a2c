// Reading and validating a decision artifact (schema_version 1).
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "artifact_checks.h"
#include "tessera/artifact.h"

namespace tessera {
namespace {

// Integers a double holds exactly (and JavaScript's Number.MAX_SAFE_INTEGER).
constexpr double kMaxSafeInteger = 9007199254740991.0;

constexpr std::string_view kUnknownArtifactField =
    "unknown field (an artifact carries only schema fields)";

bool IsInteger(const Value& v) {
  return v.is_number() && std::isfinite(v.as_number()) &&
         std::floor(v.as_number()) == v.as_number() &&
         std::fabs(v.as_number()) <= kMaxSafeInteger;
}

// Reads an optional integer member within [min, max].
void ReadInteger(const Value& object, const std::string& path, const char* key,
                 int64_t min, int64_t max, int64_t* out, Problems* problems) {
  const Value* v = object.find(key);
  if (v == nullptr) return;
  if (!IsInteger(*v) || v->as_number() < static_cast<double>(min) ||
      v->as_number() > static_cast<double>(max)) {
    AddProblem(problems, JoinPath(path, key),
               "must be an integer from " + IntegerText(min) + " to " +
                   IntegerText(max));
    return;
  }
  *out = static_cast<int64_t>(v->as_number());
}

// Reads an optional string member; `required` makes absence a problem.
bool ReadString(const Value& object, const std::string& path, const char* key,
                bool required, std::string* out, Problems* problems) {
  const Value* v = object.find(key);
  if (v == nullptr) {
    if (required) AddProblem(problems, JoinPath(path, key), "is required");
    return !required;
  }
  if (!v->is_string() || v->as_string().empty()) {
    AddProblem(problems, JoinPath(path, key), "must be a non-empty string");
    return false;
  }
  *out = v->as_string();
  return true;
}

bool IsSiteChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

void ReadSite(const Value& root, Artifact* out, Problems* problems) {
  const Value* site = root.find("site");
  if (site == nullptr) {
    AddProblem(problems, "$.site", "is required");
    return;
  }
  bool ok = site->is_string() && !site->as_string().empty() &&
            site->as_string().size() <= 64;
  if (ok) {
    for (char c : site->as_string()) ok = ok && IsSiteChar(c);
  }
  if (!ok) {
    // The same rule as a signal's site, so the two always match.
    AddProblem(problems, "$.site", "must be 1-64 characters of [A-Za-z0-9_.-]");
    return;
  }
  out->site = site->as_string();
}

void ReadVersion(const Value& root, Artifact* out, Problems* problems) {
  const Value* version = root.find("version");
  if (version == nullptr) {
    AddProblem(problems, "$.version", "is required");
  } else if (version->is_string() && !version->as_string().empty() &&
             version->as_string().size() <= 256) {
    out->version = version->as_string();
  } else if (IsInteger(*version) && version->as_number() >= 0) {
    out->version = FormatJsNumber(version->as_number());
  } else {
    AddProblem(
        problems, "$.version",
        "must be a non-empty string (at most 256 bytes) or a non-negative "
        "integer");
  }
}

void ReadConsent(const Value& root, Artifact* out, Problems* problems) {
  const Value* consent = root.find("consent");
  if (consent == nullptr) return;  // the safe defaults: opt-in, honour GPC
  const std::string path = "$.consent";
  if (!consent->is_object()) {
    AddProblem(problems, path, "must be an object");
    return;
  }
  RejectUnknownFields(
      *consent, path,
      {"mode", "policyVersion", "policyId", "honorGpc", "purposes"}, problems,
      kUnknownArtifactField);
  ConsentPolicy& policy = out->consent;
  const Value* mode = consent->find("mode");
  if (mode == nullptr) {
    AddProblem(problems, JoinPath(path, "mode"), "is required");
  } else if (mode->is_string() && mode->as_string() == "opt-in") {
    policy.mode = ConsentMode::kOptIn;
  } else if (mode->is_string() && mode->as_string() == "opt-out") {
    policy.mode = ConsentMode::kOptOut;
  } else {
    AddProblem(problems, JoinPath(path, "mode"),
               "must be \"opt-in\" or \"opt-out\"");
  }
  const bool has_version = ReadString(*consent, path, "policyVersion",
                                      /*required=*/true, &policy.version,
                                      problems);
  if (has_version && policy.version.size() > kMaxSignalPolicyBytes) {
    // Every signal carries it (consent.policy), up to this size.
    AddProblem(problems, JoinPath(path, "policyVersion"),
               "must be at most 64 bytes");
  }
#if TESSERA_CLIENT_RECHECKS
  // Nor may it mention an email address, which a signal's privacy guard
  // refuses anywhere; checked where the artifact's email guard is.
  if (has_version && ContainsEmailAddress(policy.version)) {
    AddProblem(problems, JoinPath(path, "policyVersion"),
               "must not mention an email address (every signal carries it)");
  }
#endif
  ReadString(*consent, path, "policyId", /*required=*/false, &policy.id,
             problems);
  if (const Value* gpc = consent->find("honorGpc")) {
    if (gpc->is_bool()) {
      policy.honor_gpc = gpc->as_bool();
    } else {
      AddProblem(problems, JoinPath(path, "honorGpc"), "must be true or false");
    }
  }
  const Value* purposes = consent->find("purposes");
  if (purposes == nullptr) return;
  const std::string purposes_path = JoinPath(path, "purposes");
  if (!purposes->is_object()) {
    AddProblem(problems, purposes_path,
               "must be an object of purpose -> default (true or false)");
    return;
  }
  out->consent_defaults.source = ConsentSource::kDefault;
  for (const Member& m : purposes->as_object()) {
    const std::string purpose_path = JoinPath(purposes_path, m.key);
    std::optional<bool>* slot = nullptr;
    if (m.key == "analytics") slot = &out->consent_defaults.analytics;
    if (m.key == "personalization") {
      slot = &out->consent_defaults.personalization;
    }
    if (m.key == "marketing") slot = &out->consent_defaults.marketing;
    if (m.key == "necessary") {
      AddProblem(problems, purpose_path,
                 "\"necessary\" is always granted and cannot be configured");
      continue;
    }
    if (slot == nullptr) {
      AddProblem(
          problems, purpose_path,
          "unknown purpose (known: analytics, personalization, marketing)");
      continue;
    }
    if (!m.value.is_bool()) {
      AddProblem(problems, purpose_path, "must be true or false");
      continue;
    }
    if (m.value.as_bool() && policy.mode == ConsentMode::kOptIn) {
      AddProblem(problems, purpose_path,
                 "cannot default to granted in opt-in mode (nothing is granted "
                 "before the visitor agrees)");
      continue;
    }
    *slot = m.value.as_bool();
  }
}

bool IsValidEndpoint(const std::string& endpoint) {
  if (endpoint.empty() || endpoint.size() > 2048) return false;
  for (char c : endpoint) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  // "//host" would send signals to another origin without saying so.
  if (endpoint[0] == '/') return endpoint.size() == 1 || endpoint[1] != '/';
  const std::string_view scheme = std::string_view(endpoint).substr(0, 8);
  return scheme == "https://" || scheme.substr(0, 7) == "http://";
}

void ReadSignals(const Value& root, Artifact* out, Problems* problems) {
  const Value* signals = root.find("signals");
  if (signals == nullptr) return;
  const std::string path = "$.signals";
  if (!signals->is_object()) {
    AddProblem(problems, path, "must be an object");
    return;
  }
  RejectUnknownFields(
      *signals, path,
      {"endpoint", "flushIntervalMs", "maxBatchBytes", "format"}, problems,
      kUnknownArtifactField);
  SignalsConfig& config = out->signals;
  if (const Value* endpoint = signals->find("endpoint")) {
    if (endpoint->is_string() && IsValidEndpoint(endpoint->as_string())) {
      config.endpoint = endpoint->as_string();
    } else {
      AddProblem(problems, JoinPath(path, "endpoint"),
                 "must be a path (\"/v1/signals\") or an http(s) URL, without "
                 "spaces");
    }
  }
  ReadInteger(*signals, path, "flushIntervalMs", 1000, 3600000,
              &config.flush_interval_ms, problems);
  ReadInteger(*signals, path, "maxBatchBytes", 1024,
              static_cast<int64_t>(kMaxSignalBytes), &config.max_batch_bytes,
              problems);
  if (const Value* format = signals->find("format")) {
    if (format->is_string() && format->as_string() == "cbor") {
      config.format = SignalFormat::kCbor;
    } else if (format->is_string() && format->as_string() == "json") {
      config.format = SignalFormat::kJson;
    } else {
      AddProblem(problems, JoinPath(path, "format"),
                 "must be \"cbor\" or \"json\"");
    }
  }
}

void ReadSavedGroups(const Value& root, Artifact* out, Problems* problems) {
  const Value* groups = root.find("savedGroups");
  if (groups == nullptr) return;
  const std::string path = "$.savedGroups";
  if (!groups->is_object()) {
    AddProblem(problems, path,
               "must be an object of group id -> array of values");
    return;
  }
  bool ok = true;
  for (const Member& m : groups->as_object()) {
    const std::string group_path = JoinPath(path, m.key);
    if (m.key.empty()) {
      AddProblem(problems, group_path, "a group id must not be empty");
      ok = false;
    }
    if (!m.value.is_array()) {
      AddProblem(problems, group_path,
                 "must be an array of strings or numbers");
      ok = false;
      continue;
    }
    const Array& values = m.value.as_array();
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_string() && !values[i].is_number()) {
        AddProblem(problems, JoinPath(group_path, i),
                   "must be a string or a number");
        ok = false;
      }
    }
  }
  if (ok) out->saved_groups = *groups;
}

const Array* ReadArray(const Value& root, const char* key, Problems* problems) {
  const Value* v = root.find(key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    AddProblem(problems, JoinPath("$", key), "must be an array");
    return nullptr;
  }
  return &v->as_array();
}

// Parses slots and experiments keeping one entry per JSON entry (valid or
// not) so indices line up for the cross-checks; `ok` says which are valid.
void ReadContent(const Value& root, const RegexMatcher* regex, Artifact* out,
                 Problems* problems) {
  std::vector<uint8_t> slot_ok;  // bytes: vector<bool> costs the browser ~2 KB
  std::vector<uint8_t> experiment_ok;
  if (const Array* slots = ReadArray(root, "slots", problems)) {
    for (size_t i = 0; i < slots->size(); ++i) {
      std::string path = JoinPath("$.slots", i);
      Slot slot;
      bool ok = ParseSlot((*slots)[i], path, regex, &slot, problems);
      for (size_t j = 0; j < out->slots.size() && !slot.id.empty(); ++j) {
        if (out->slots[j].id == slot.id) {
          AddProblem(problems, JoinPath(path, "id"),
                     "duplicate slot id \"" + slot.id + "\" (also at " +
                         JoinPath("$.slots", j) + ")");
          ok = false;
          break;
        }
      }
      out->slots.push_back(std::move(slot));
      slot_ok.push_back(ok);
    }
  }
  if (const Array* experiments = ReadArray(root, "experiments", problems)) {
    for (size_t i = 0; i < experiments->size(); ++i) {
      std::string path = JoinPath("$.experiments", i);
      Experiment experiment;
      bool ok = ParseExperiment((*experiments)[i], path, &experiment, problems);
      for (size_t j = 0; j < out->experiments.size() && !experiment.key.empty();
           ++j) {
        if (out->experiments[j].key == experiment.key) {
          AddProblem(problems, JoinPath(path, "key"),
                     "duplicate experiment key \"" + experiment.key +
                         "\" (also at " + JoinPath("$.experiments", j) + ")");
          ok = false;
          break;
        }
      }
      out->experiments.push_back(std::move(experiment));
      experiment_ok.push_back(ok);
    }
  }
  for (size_t i = 0; i < out->slots.size(); ++i) {
    const Slot& slot = out->slots[i];
    if (slot.experiment_key.empty()) continue;
    size_t e = 0;
    while (e < out->experiments.size() &&
           out->experiments[e].key != slot.experiment_key) {
      ++e;
    }
    if (e == out->experiments.size()) {
      AddProblem(problems, JoinPath(JoinPath("$.slots", i), "experiment"),
                 "names experiment \"" + slot.experiment_key +
                     "\", which $.experiments does not define");
    } else if (slot_ok[i] && experiment_ok[e]) {
      CheckSlotExperiment(slot, out->experiments[e],
                          JoinPath("$.experiments", e), problems);
    }
  }
}

void ReadSchemaVersion(const Value& root, Artifact* out, Problems* problems) {
  const Value* v = root.find("schema_version");
  if (v == nullptr) {
    AddProblem(problems, "$.schema_version", "is required");
  } else if (!IsInteger(*v)) {
    AddProblem(problems, "$.schema_version", "must be an integer");
  } else {
    out->schema_version = static_cast<int>(v->as_number());
  }
}

std::string UnsupportedVersionMessage(const Value& version) {
  return "schema_version " + version.Dump() +
         " is not supported (this build reads " +
         IntegerText(kArtifactSchemaVersion) + ")";
}

// The schema_version value when it is a well-formed integer this build does
// not read; nullptr otherwise.
const Value* UnsupportedSchemaVersion(const Value& root) {
  const Value* v = root.is_object() ? root.find("schema_version") : nullptr;
  if (v == nullptr || !IsInteger(*v)) return nullptr;
  return v->as_number() == kArtifactSchemaVersion ? nullptr : v;
}

// Fills `out` from `root`, adding every problem found.
void ReadArtifact(const Value& root, const RegexMatcher* regex, Artifact* out,
                  Problems* problems) {
  if (!root.is_object()) {
    AddProblem(problems, "$", "must be an object (the artifact)");
    return;
  }
  if (const Value* unsupported = UnsupportedSchemaVersion(root)) {
    // Nothing else can be judged without knowing the schema.
    AddProblem(problems, "$.schema_version",
               UnsupportedVersionMessage(*unsupported));
    return;
  }
  RejectUnknownFields(
      root, "$",
      {"schema_version", "version", "site", "generated_at", "segments",
       "clusters", "slots", "experiments", "savedGroups", "consent", "signals"},
      problems, kUnknownArtifactField);
  ReadSchemaVersion(root, out, problems);
  ReadVersion(root, out, problems);
  ReadSite(root, out, problems);
  if (const Value* generated_at = root.find("generated_at")) {
    if (generated_at->is_string()) {
      out->generated_at = generated_at->as_string();
    } else {
      AddProblem(problems, "$.generated_at",
                 "must be a string (an RFC 3339 timestamp)");
    }
  }
  if (const Value* segments = root.find("segments")) {
    ParseSegments(*segments, "$.segments", regex, &out->segments, problems);
  }
  if (const Value* clusters = root.find("clusters")) {
    ParseClusters(*clusters, "$.clusters", &out->clusters, problems);
  }
  ReadContent(root, regex, out, problems);
  ReadSavedGroups(root, out, problems);
  ReadConsent(root, out, problems);
  ReadSignals(root, out, problems);
#if TESSERA_CLIENT_RECHECKS
  // Left out of the browser build: the server runs both before publishing.
  CheckArtifactReferences(root, problems);
  CheckNoEmailAddresses(root, problems);
#endif
}

}  // namespace

const Slot* Artifact::FindSlot(std::string_view slot_id) const {
  for (const Slot& slot : slots) {
    if (slot.id == slot_id) return &slot;
  }
  return nullptr;
}

const Experiment* Artifact::FindExperiment(std::string_view key) const {
  for (const Experiment& experiment : experiments) {
    if (experiment.key == key) return &experiment;
  }
  return nullptr;
}

Problems ValidateArtifact(const Value& json, const RegexMatcher* regex) {
  Problems problems;
  Artifact scratch;
  ReadArtifact(json, regex, &scratch, &problems);
  return problems;
}

Result<Artifact> ParseArtifact(std::string_view json_text,
                               const RegexMatcher* regex) {
  Result<Value> json = ParseJson(json_text);
  if (!json.ok()) {
    return Status(json.status().code(),
                  "artifact is not valid JSON: " + json.status().message());
  }
  if (const Value* unsupported = UnsupportedSchemaVersion(*json)) {
    return Status::Unsupported("artifact " +
                               UnsupportedVersionMessage(*unsupported));
  }
  Artifact artifact;
  Problems problems;
  ReadArtifact(*json, regex, &artifact, &problems);
  if (!problems.empty()) {
    std::string message =
        "artifact has " + IntegerText(problems.size()) +
        (problems.size() == 1 ? " problem:\n" : " problems:\n");
    message += FormatProblems(problems);
    if (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::InvalidArgument(std::move(message));
  }
  return artifact;
}

}  // namespace tessera
