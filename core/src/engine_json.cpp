#include "tessera/engine_json.h"

#include <cmath>

#include "json_text.h"
#include "text_builder.h"

namespace tessera {
namespace {

Status FieldError(std::string_view field, std::string_view expectation) {
  return Status::InvalidArgument(std::string(field) + ": " +
                                 std::string(expectation));
}

// Reads an optional string member into *out.
Status ReadString(const Value& object, std::string_view key, std::string* out) {
  const Value* v = object.find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return FieldError(key, "must be a string");
  *out = v->as_string();
  return Status::Ok();
}

Value PurposeNames(const std::vector<Purpose>& purposes) {
  Value names = Value::MakeArray();
  for (Purpose p : purposes) names.push_back(PurposeName(p));
  return names;
}

}  // namespace

Result<EngineOptions> EngineOptionsFromValue(const Value& options) {
  if (!options.is_object()) return FieldError("options", "must be an object");
  EngineOptions out;
  Status s = ReadString(options, "site", &out.site);
  if (!s.ok()) return s;
  if (out.site.empty()) return FieldError("site", "is required");
  s = ReadString(options, "visitorId", &out.visitor_id);
  if (!s.ok()) return s;
  if (const Value* policy = options.find("consentPolicy");
      policy && !policy->is_null()) {
    Result<ConsentPolicy> parsed = ConsentPolicyFromValue(*policy);
    if (!parsed.ok()) {
      return FieldError("consentPolicy", parsed.status().message());
    }
    out.consent_policy = *parsed;
    out.consent_policy_from_page = true;
  }
  if (const Value* gpc = options.find("gpc"); gpc && !gpc->is_null()) {
    if (!gpc->is_bool()) return FieldError("gpc", "must be a boolean");
    out.global_privacy_control = gpc->as_bool();
  }
  if (const Value* preview = options.find("preview");
      preview && !preview->is_null()) {
    bool valid = preview->is_object();
    for (size_t i = 0; valid && i < preview->size(); ++i) {
      valid = preview->as_object()[i].value.is_string();
    }
    if (!valid) {
      return FieldError("preview",
                        "must be an object of slot id -> variant id");
    }
    out.previews = *preview;
  }
  return out;
}

ConsentSource ConsentSourceFromName(std::string_view name) {
  if (name == "tcf") return ConsentSource::kTcf;
  if (name == "gcm") return ConsentSource::kGcm;
  if (name == "gpc") return ConsentSource::kGpc;
  if (name == "default") return ConsentSource::kDefault;
  return ConsentSource::kApi;
}

Result<ConsentUpdate> ConsentUpdateFromValue(const Value& update,
                                             ConsentSource source) {
  if (!update.is_object()) return FieldError("consent", "must be an object");
  if (const Value* tcf = update.find("tcf")) return FromTcf(*tcf);
  if (const Value* gcm = update.find("gcm")) return FromGoogleConsentMode(*gcm);
  ConsentUpdate out;
  out.source = source;
  for (const Member& m : update.as_object()) {
    std::optional<bool>* target = nullptr;
    if (m.key == "analytics")
      target = &out.analytics;
    else if (m.key == "personalization")
      target = &out.personalization;
    else if (m.key == "marketing")
      target = &out.marketing;
    else if (m.key == "necessary") {
      if (!m.value.is_bool() || !m.value.as_bool()) {
        return FieldError("consent.necessary", "is always granted");
      }
      continue;
    } else {
      return FieldError("consent." + m.key,
                        "is not a purpose (analytics, personalization, "
                        "marketing)");
    }
    if (!m.value.is_bool()) {
      return FieldError("consent." + m.key, "must be true or false");
    }
    *target = m.value.as_bool();
  }
  return out;
}

Result<Context> ContextFromValue(const Value& context) {
  if (!context.is_object()) return FieldError("context", "must be an object");
  Context out;
  for (auto [key, field] :
       {std::pair<const char*, std::string*>{"device", &out.device},
        {"url", &out.url},
        {"path", &out.path},
        {"referrer", &out.referrer},
        {"language", &out.language}}) {
    Status s = ReadString(context, key, field);
    if (!s.ok())
      return FieldError(std::string("context.") + key, "must be a string");
  }
  if (const Value* offset = context.find("utcOffsetMinutes");
      offset && !offset->is_null()) {
    double minutes = offset->number_or(NAN);
    if (!std::isfinite(minutes) || std::fabs(minutes) > 18 * 60 ||
        minutes != std::floor(minutes)) {
      return FieldError("context.utcOffsetMinutes",
                        "must be whole minutes within +/-18 hours");
    }
    out.utc_offset_minutes = static_cast<int>(minutes);
  }
  if (const Value* extra = context.find("extra"); extra && !extra->is_null()) {
    if (!extra->is_object())
      return FieldError("context.extra", "must be an object");
    out.extra = *extra;
  }
  return out;
}

Value ConsentToValue(const ConsentState& consent) {
  ConsentSnapshot s = consent.Snapshot();
  Value out = Value::MakeObject();
  out.set("necessary", true);
  out.set("analytics", s.analytics);
  out.set("personalization", s.personalization);
  out.set("marketing", s.marketing);
  out.set("policyVersion", s.policy_version);
  out.set("gpc", consent.global_privacy_control());
  return out;
}

Value ConsentChangeToValue(const ConsentChange& change) {
  Value out = OkValue();
  out.set("changed", change.changed);
  out.set("withdrawn", PurposeNames(change.withdrawn));
  return out;
}

namespace {

// Writes `,"key":` (or `{"key":` for an object's first member).
void WriteKey(std::string_view key, bool first, TextBuilder* out) {
  out->Push(first ? '{' : ',');
  WriteJsonString(key, out);
  out->Push(':');
}

void WriteDecision(const Decision& decision, TextBuilder* out) {
  out->Append("{\"ok\":true");
  WriteKey("slot", false, out);
  WriteJsonString(decision.slot_id, out);
  WriteKey("variant", false, out);
  WriteJsonString(decision.variant_id, out);
  WriteKey("source", false, out);
  WriteJsonString(decision.source, out);
  WriteKey("html", false, out);
  WriteJsonString(decision.html, out);
  if (decision.exposure) {
    const Exposure& e = *decision.exposure;
    WriteKey("exposure", false, out);
    WriteKey("key", true, out);
    WriteJsonString(e.experiment_key, out);
    WriteKey("variation", false, out);
    WriteJsonNumber(e.variation_index, out);
    WriteKey("variant", false, out);
    WriteJsonString(e.variant_id, out);
    WriteKey("inExperiment", false, out);
    out->Append(e.in_experiment ? "true" : "false");
    WriteKey("inHoldout", false, out);
    out->Append(e.in_holdout ? "true" : "false");
    WriteKey("hashAttribute", false, out);
    WriteJsonString(e.hash_attribute, out);
    WriteKey("bucket", false, out);
    WriteJsonNumber(e.bucket, out);
    out->Push('}');
  }
  if (!decision.render_status.ok()) {
    WriteKey("renderError", false, out);
    WriteJsonString(decision.render_status.message(), out);
  }
  out->Push('}');
}

}  // namespace

// Written as text directly: a decision crosses to JavaScript on every page
// view, and building a Value tree only to Dump() it cost more than deciding.
void AppendDecisionJson(const Decision& decision, std::string* out) {
  TextBuilder builder(out);
  WriteDecision(decision, &builder);
}

std::string DecisionJson(const Decision& decision) {
  std::string out;
  {
    TextBuilder builder(&out, decision.html.size() + 112);
    WriteDecision(decision, &builder);
  }
  return out;
}

std::string DecisionsJson(const std::vector<Decision>& decisions) {
  std::vector<const Decision*> all;
  all.reserve(decisions.size());
  for (const Decision& d : decisions) all.push_back(&d);
  return DecisionChangesJson(all);
}

std::string DecisionChangesJson(const std::vector<const Decision*>& changes) {
  // Room for the usual decision (no exposure, text without escapes) from
  // the start, 5 bytes for a "null,"; the builder grows geometrically past
  // that. (The room is zero-filled, so it is not claimed for unchanged
  // slots: most page views change few.)
  size_t expected = 2;
  for (const Decision* d : changes) expected += d ? d->html.size() + 112 : 5;
  std::string out;
  {
    TextBuilder builder(&out, expected);
    builder.Push('[');
    for (size_t i = 0; i < changes.size(); ++i) {
      if (i > 0) builder.Push(',');
      if (changes[i] != nullptr) {
        WriteDecision(*changes[i], &builder);
      } else {
        builder.Append("null");
      }
    }
    builder.Push(']');
  }
  return out;
}

Value OkValue() {
  Value out = Value::MakeObject();
  out.set("ok", true);
  return out;
}

Value ErrorValue(const Status& status) {
  Value error = Value::MakeObject();
  error.set("code", StatusCodeName(status.code()));
  error.set("message", status.message());
  Value out = Value::MakeObject();
  out.set("ok", false);
  out.set("error", std::move(error));
  return out;
}

}  // namespace tessera
