// Consent as JSON: the policy section of the artifact, the compact snapshot a
// signal carries, and the full state kept in browser storage.
#include <cmath>
#include <string>
#include <utility>

#include "consent_message.h"
#include "tessera/consent.h"
#include "tessera/signal.h"
#include "tessera/validation.h"

namespace tessera {
namespace {

constexpr int kStateFormat = 1;
constexpr const char* kStoredPrefix = "stored consent state: ";

// Failures below carry a path relative to the document being read; the
// public entry points add the prefix and the status code.
struct Failure {
  std::string path;
  std::string message;
};

std::optional<Failure> ReadFlag(const Value& object, const std::string& path,
                                const char* key, bool* out) {
  const Value* v = object.find(key);
  if (!v) return Failure{JoinPath(path, key), "is missing"};
  if (!v->is_number() || (v->as_number() != 0 && v->as_number() != 1)) {
    return Failure{JoinPath(path, key),
                   "must be 0 or 1, got " + ShownInConsentMessage(*v)};
  }
  *out = v->as_number() == 1;
  return std::nullopt;
}

std::optional<Failure> ReadString(const Value& object, const std::string& path,
                                  const char* key, bool required,
                                  std::string* out) {
  const Value* v = object.find(key);
  if (!v) {
    if (required) return Failure{JoinPath(path, key), "is missing"};
    return std::nullopt;
  }
  if (!v->is_string()) {
    return Failure{JoinPath(path, key),
                   "must be a string, got " + ShownInConsentMessage(*v)};
  }
  *out = v->as_string();
  return std::nullopt;
}

std::optional<Failure> ReadObject(const Value& v, const std::string& path) {
  if (v.is_object()) return std::nullopt;
  return Failure{path, "must be an object, got " + ShownInConsentMessage(v)};
}

// The purposes whose bit is set, by name, in enum order.
Value PurposeNames(unsigned bits) {
  Value names = Value::MakeArray();
  for (Purpose purpose :
       {Purpose::kAnalytics, Purpose::kPersonalization, Purpose::kMarketing}) {
    if (bits & (1u << static_cast<unsigned>(purpose))) {
      names.push_back(Value(PurposeName(purpose)));
    }
  }
  return names;
}

// Reads what PurposeNames wrote, setting each named purpose's bit.
std::optional<Failure> ReadPurposeNames(const Value& names, const char* key,
                                        unsigned* bits) {
  if (!names.is_array()) {
    return Failure{key, "must be an array of purpose names, got " +
                            ShownInConsentMessage(names)};
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const Value& name = names.as_array()[i];
    bool known = false;
    for (Purpose purpose :
         {Purpose::kAnalytics, Purpose::kPersonalization, Purpose::kMarketing}) {
      if (name.is_string() && name.as_string() == PurposeName(purpose)) {
        *bits |= 1u << static_cast<unsigned>(purpose);
        known = true;
      }
    }
    if (!known) {
      return Failure{JoinPath(key, i),
                     "must be \"analytics\", \"personalization\" or "
                     "\"marketing\", got " +
                         ShownInConsentMessage(name)};
    }
  }
  return std::nullopt;
}

// `path` is "" at the root of a document, so JoinPath("", "a") gives ".a";
// drop that leading dot when a message is built.
std::string Joined(const Failure& f) {
  std::string path = f.path;
  if (!path.empty() && path[0] == '.') path.erase(0, 1);
  return path.empty() ? f.message : path + ": " + f.message;
}

std::optional<Failure> ReadPolicy(const Value& v, const std::string& path,
                                  ConsentPolicy* out) {
  if (v.is_null()) return std::nullopt;
  if (auto f = ReadObject(v, path)) return f;
  if (auto f = ReadString(v, path, "policyId", false, &out->id)) return f;
  if (auto f = ReadString(v, path, "policyVersion", false, &out->version))
    return f;
  // Every signal carries it (consent.policy), up to this size.
  if (out->version.size() > kMaxSignalPolicyBytes) {
    return Failure{JoinPath(path, "policyVersion"), "must be at most 64 bytes"};
  }
  if (const Value* mode = v.find("mode")) {
    if (mode->is_string() && mode->as_string() == "opt-in") {
      out->mode = ConsentMode::kOptIn;
    } else if (mode->is_string() && mode->as_string() == "opt-out") {
      out->mode = ConsentMode::kOptOut;
    } else {
      return Failure{JoinPath(path, "mode"),
                     "must be \"opt-in\" or \"opt-out\", got " +
                         ShownInConsentMessage(*mode)};
    }
  }
  if (const Value* gpc = v.find("honorGpc")) {
    if (!gpc->is_bool()) {
      return Failure{JoinPath(path, "honorGpc"),
                     "must be a boolean, got " + ShownInConsentMessage(*gpc)};
    }
    out->honor_gpc = gpc->as_bool();
  }
  return std::nullopt;
}

Value PolicyToValue(const ConsentPolicy& policy) {
  Value v = Value::MakeObject();
  v.set("policyId", Value(policy.id));
  v.set("policyVersion", Value(policy.version));
  v.set("mode",
        Value(policy.mode == ConsentMode::kOptOut ? "opt-out" : "opt-in"));
  v.set("honorGpc", Value(policy.honor_gpc));
  return v;
}

std::optional<Failure> ReadSource(const Value& object, const std::string& path,
                                  ConsentSource* out) {
  std::string name;
  if (auto f = ReadString(object, path, "s", true, &name)) return f;
  for (ConsentSource source :
       {ConsentSource::kApi, ConsentSource::kTcf, ConsentSource::kGcm,
        ConsentSource::kGpc, ConsentSource::kDefault}) {
    if (name == ConsentSourceName(source)) {
      *out = source;
      return std::nullopt;
    }
  }
  return Failure{JoinPath(path, "s"),
                 "must be one of \"api\", \"tcf\", \"gcm\", \"gpc\", "
                 "\"default\", got " +
                     ShownInConsentMessage(*object.find("s"))};
}

std::optional<Failure> ReadRecord(const Value& v, const std::string& path,
                                  ConsentRecord* out) {
  if (auto f = ReadObject(v, path)) return f;
  const Value* t = v.find("t");
  if (!t) return Failure{JoinPath(path, "t"), "is missing"};
  // Whole milliseconds within the range a double holds exactly.
  if (!t->is_number() || std::trunc(t->as_number()) != t->as_number() ||
      std::fabs(t->as_number()) > 9007199254740991.0) {
    return Failure{
        JoinPath(path, "t"),
        "must be a time in whole epoch ms, got " + ShownInConsentMessage(*t)};
  }
  out->time_ms = static_cast<int64_t>(t->as_number());
  if (auto f = ReadSource(v, path, &out->source)) return f;
  if (auto f = ReadString(v, path, "v", true, &out->policy_version)) return f;
  if (auto f = ReadFlag(v, path, "a", &out->analytics)) return f;
  if (auto f = ReadFlag(v, path, "p", &out->personalization)) return f;
  if (auto f = ReadFlag(v, path, "m", &out->marketing)) return f;
  return std::nullopt;
}

Value FlagValue(bool granted) { return Value(granted ? 1 : 0); }

}  // namespace

Result<ConsentPolicy> ConsentPolicyFromValue(const Value& value) {
  ConsentPolicy policy;
  if (auto f = ReadPolicy(value, "", &policy)) {
    return Status::InvalidArgument("consent policy: " + Joined(*f));
  }
  return policy;
}

Result<ConsentSnapshot> ConsentSnapshotFromValue(const Value& value) {
  ConsentSnapshot snapshot;
  std::optional<Failure> f = ReadObject(value, "");
  if (!f) f = ReadFlag(value, "", "a", &snapshot.analytics);
  if (!f) f = ReadFlag(value, "", "p", &snapshot.personalization);
  if (!f) f = ReadFlag(value, "", "m", &snapshot.marketing);
  if (!f) f = ReadString(value, "", "v", true, &snapshot.policy_version);
  if (f) return Status::InvalidArgument("consent snapshot: " + Joined(*f));
  return snapshot;
}

Value ConsentState::ToSnapshotValue() const {
  ConsentSnapshot snapshot = Snapshot();
  Value v = Value::MakeObject();
  v.set("a", FlagValue(snapshot.analytics));
  v.set("p", FlagValue(snapshot.personalization));
  v.set("m", FlagValue(snapshot.marketing));
  v.set("v", Value(snapshot.policy_version));
  return v;
}

Value ConsentState::ToValue() const {
  Value v = Value::MakeObject();
  v.set("format", Value(kStateFormat));
  v.set("policy", PolicyToValue(policy_));
  v.set("a", FlagValue(Grants(Purpose::kAnalytics)));
  v.set("p", FlagValue(Grants(Purpose::kPersonalization)));
  v.set("m", FlagValue(Grants(Purpose::kMarketing)));
  v.set("explicit", PurposeNames(explicit_));
  // Only when there is one: most stored states keep their earlier form.
  if (api_refused_) v.set("refused", PurposeNames(api_refused_));
  v.set("gpc", Value(gpc_));
  Value history = Value::MakeArray();
  for (const ConsentRecord& record : history_) {
    Value r = Value::MakeObject();
    r.set("t", Value(record.time_ms));
    r.set("s", Value(ConsentSourceName(record.source)));
    r.set("v", Value(record.policy_version));
    r.set("a", FlagValue(record.analytics));
    r.set("p", FlagValue(record.personalization));
    r.set("m", FlagValue(record.marketing));
    history.push_back(std::move(r));
  }
  v.set("history", std::move(history));
  return v;
}

Result<ConsentState> ConsentState::FromValue(const Value& stored) {
  auto data_loss = [](const Failure& f) {
    return Status::DataLoss(kStoredPrefix + Joined(f));
  };
  if (auto f = ReadObject(stored, "")) return data_loss(*f);
  const Value* format = stored.find("format");
  if (!format) return data_loss({"format", "is missing"});
  if (!format->is_number() || format->as_number() < 1 ||
      std::trunc(format->as_number()) != format->as_number()) {
    return data_loss({"format", "must be a positive integer, got " +
                                    ShownInConsentMessage(*format)});
  }
  if (format->as_number() > kStateFormat) {
    return Status::Unsupported(std::string(kStoredPrefix) + "format " +
                               FormatJsNumber(format->as_number()) +
                               " is newer than this build reads (" +
                               IntegerText(kStateFormat) + ")");
  }

  ConsentState state;
  const Value* policy = stored.find("policy");
  if (!policy) return data_loss({"policy", "is missing"});
  if (auto f = ReadObject(*policy, ".policy")) return data_loss(*f);
  if (auto f = ReadPolicy(*policy, ".policy", &state.policy_)) {
    return data_loss(*f);
  }

  bool granted[3] = {};
  const char* flag_keys[] = {"a", "p", "m"};
  const Purpose purposes[] = {Purpose::kAnalytics, Purpose::kPersonalization,
                              Purpose::kMarketing};
  for (int i = 0; i < 3; ++i) {
    if (auto f = ReadFlag(stored, "", flag_keys[i], &granted[i])) {
      return data_loss(*f);
    }
    if (granted[i]) state.granted_ |= 1u << static_cast<unsigned>(purposes[i]);
  }

  const Value* chosen = stored.find("explicit");
  if (!chosen) return data_loss({"explicit", "is missing"});
  if (auto f = ReadPurposeNames(*chosen, "explicit", &state.explicit_)) {
    return data_loss(*f);
  }
  // Optional: states stored before it was kept have none.
  if (const Value* refused = stored.find("refused")) {
    if (auto f = ReadPurposeNames(*refused, "refused", &state.api_refused_)) {
      return data_loss(*f);
    }
  }

  const Value* gpc = stored.find("gpc");
  if (!gpc) return data_loss({"gpc", "is missing"});
  if (!gpc->is_bool()) {
    return data_loss(
        {"gpc", "must be a boolean, got " + ShownInConsentMessage(*gpc)});
  }
  state.gpc_ = gpc->as_bool();

  const Value* history = stored.find("history");
  if (!history) return data_loss({"history", "is missing"});
  if (!history->is_array()) {
    return data_loss({"history", "must be an array, got " +
                                     ShownInConsentMessage(*history)});
  }
  if (history->size() > kMaxConsentHistory) {
    return data_loss({"history", "has " + IntegerText(history->size()) +
                                     " records, more than the " +
                                     IntegerText(kMaxConsentHistory) +
                                     " kept"});
  }
  for (size_t i = 0; i < history->size(); ++i) {
    ConsentRecord record;
    if (auto f = ReadRecord(history->as_array()[i], JoinPath("history", i),
                            &record)) {
      return data_loss(*f);
    }
    state.history_.push_back(std::move(record));
  }
  return state;
}

}  // namespace tessera
