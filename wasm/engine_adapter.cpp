#include "engine_adapter.h"

#include <cmath>

#include "js_text.h"
#include "tessera/engine_json.h"
#include "tessera/hashing.h"
#include "tessera/mustache.h"

namespace tessera::wasm {
namespace {

int64_t ToMs(double now_ms) { return static_cast<int64_t>(std::floor(now_ms)); }

std::string Error(const Status& status) { return ErrorValue(status).Dump(); }

// {"ok":true} or the error: the answer of the calls that return nothing else.
std::string StatusJson(const Status& status) {
  return status.ok() ? OkValue().Dump() : Error(status);
}

// An error about an argument the wrapper serialized (nested too deeply, a
// lone surrogate) rather than about the template: the wrapper throws these
// as TypeError.
std::string ArgumentError(const Status& status) {
  Value error = ErrorValue(status);
  error.set("argument", true);
  return error.Dump();
}

// Parses JSON handed over by the wrapper; "" counts as null.
Result<Value> ParseArgument(const std::string& text, std::string_view what) {
  if (text.empty()) return Value();
  Result<Value> parsed = ParseJson(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument(std::string(what) + ": " +
                                   parsed.status().message());
  }
  return parsed;
}

// A view of `bytes` for JavaScript, which copies it before calling again.
emscripten::val ViewOf(const std::string& bytes) {
  return emscripten::val(emscripten::typed_memory_view(
      bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())));
}

}  // namespace

std::string EvalConditionJson(const std::string& attributes,
                              const std::string& condition,
                              const std::string& saved_groups) {
  Result<Value> a = ParseArgument(attributes, "attributes");
  if (!a.ok()) return Error(a.status());
  Result<Value> c = ParseArgument(condition, "condition");
  if (!c.ok()) return Error(c.status());
  Result<Value> g = ParseArgument(saved_groups, "savedGroups");
  if (!g.ok()) return Error(g.status());
  static const JsRegexMatcher regex;
  Value out = OkValue();
  out.set("value", EvalCondition(*a, *c, *g, &regex));
  return out.Dump();
}

double HashValue(const std::string& seed, const std::string& value,
                 int version) {
  std::optional<double> h = GrowthBookHash(seed, value, version);
  return h ? *h : -1;
}

std::string RenderTemplateJson(const std::string& text, const std::string& view,
                               const std::string& partials) {
  Result<Value> v = ParseArgument(view, "view");
  if (!v.ok()) return ArgumentError(v.status());
  Result<Value> p = ParseArgument(partials, "partials");
  if (!p.ok()) return ArgumentError(p.status());
  Result<std::string> html = RenderMustache(text, *v, *p);
  if (!html.ok()) return Error(html.status());
  Value out = OkValue();
  out.set("html", *html);
  return out.Dump();
}

EngineAdapter::EngineAdapter(const std::string& options_json) {
  EngineOptions options;
  Result<Value> parsed = ParseArgument(options_json, "options");
  Result<EngineOptions> read =
      parsed.ok() ? EngineOptionsFromValue(*parsed) : parsed.status();
  if (read.ok()) {
    options = *read;
  } else {
    // Fail safe: an opt-in policy grants nothing until the visitor chooses.
    init_error_ = read.status().message();
    options.site = "unknown";
  }
  engine_ = std::make_unique<Engine>(std::move(options), 0, &regex_);
}

std::string EngineAdapter::loadArtifact(const std::string& json,
                                        double now_ms) {
  Status status = engine_->LoadArtifact(json, ToMs(now_ms));
  return StatusJson(status);
}

std::string EngineAdapter::setConsent(const std::string& update_json,
                                      const std::string& source,
                                      double now_ms) {
  Result<Value> update = ParseArgument(update_json, "consent");
  if (!update.ok()) return Error(update.status());
  Result<ConsentUpdate> read =
      ConsentUpdateFromValue(*update, ConsentSourceFromName(source));
  if (!read.ok()) return Error(read.status());
  return ConsentChangeToValue(engine_->SetConsent(*read, ToMs(now_ms))).Dump();
}

std::string EngineAdapter::consent() const {
  return ConsentToValue(engine_->consent()).Dump();
}

std::string EngineAdapter::consentRecord() const {
  return engine_->ConsentRecord();
}

std::string EngineAdapter::restoreConsent(const std::string& stored,
                                          double now_ms) {
  Status status = engine_->RestoreConsent(stored, ToMs(now_ms));
  return StatusJson(status);
}

std::string EngineAdapter::track(const std::string& name,
                                 const std::string& properties,
                                 const std::string& timestamp, double now_ms) {
  Result<Value> props = ParseArgument(properties, "properties");
  if (!props.ok()) return Error(props.status());
  Result<Value> ts = ParseArgument(timestamp, "timestamp");
  if (!ts.ok()) return Error(ts.status());
  Value cleaned = *props;
  cleaned.erase("timestamp");  // carried separately
  Result<Event> event = engine_->Track(name, cleaned, *ts, ToMs(now_ms));
  if (!event.ok()) return Error(event.status());
  Value out = OkValue();
  Value e = Value::MakeObject();
  e.set("name", event->name);
  e.set("timestamp", static_cast<double>(event->timestamp_ms));
  e.set("properties", event->properties);
  out.set("event", std::move(e));
  return out.Dump();
}

std::string EngineAdapter::identify(const std::string& user_id,
                                    const std::string& traits, double now_ms) {
  Result<Value> t = ParseArgument(traits, "traits");
  if (!t.ok()) return Error(t.status());
  Status status = engine_->Identify(user_id, *t, ToMs(now_ms));
  return StatusJson(status);
}

std::string EngineAdapter::setContext(const std::string& context_json) {
  Result<Value> c = ParseArgument(context_json, "context");
  if (!c.ok()) return Error(c.status());
  Result<Context> context = ContextFromValue(*c);
  if (!context.ok()) return Error(context.status());
  engine_->SetContext(std::move(context).value());
  return StatusJson(Status::Ok());
}

std::string EngineAdapter::attributes(double now_ms) {
  return engine_->Attributes(ToMs(now_ms)).Dump();
}

std::string EngineAdapter::segments(double now_ms) {
  Value out = Value::MakeArray();
  for (std::string& id : engine_->Segments(ToMs(now_ms))) out.push_back(id);
  return out.Dump();
}

emscripten::val EngineAdapter::decide(const std::string& slot_id,
                                      double now_ms) {
  Result<Decision> decision = engine_->Decide(slot_id, ToMs(now_ms));
  if (!decision.ok()) return TextToJs(Error(decision.status()));
  return TextToJs(DecisionJson(*decision));
}

emscripten::val EngineAdapter::decideAll(double now_ms) {
  return TextToJs(DecisionChangesJson(engine_->DecideAllChanges(ToMs(now_ms))));
}

void EngineAdapter::forgetDecisionMemo() { engine_->ForgetDecisionMemo(); }

void EngineAdapter::recordImpression(const std::string& slot,
                                     const std::string& variant) {
  engine_->RecordImpression(slot, variant);
}

void EngineAdapter::recordClick(const std::string& slot,
                                const std::string& variant) {
  engine_->RecordClick(slot, variant);
}

emscripten::val EngineAdapter::flush(const std::string& id, double seq,
                                     const std::string& format, double now_ms) {
  SignalFormat f = format == "json" ? SignalFormat::kJson : SignalFormat::kCbor;
  Result<std::string> bytes =
      engine_->Flush(id, static_cast<int64_t>(seq), f, ToMs(now_ms));
  bytes_out_ = bytes.ok() ? std::move(bytes).value() : std::string();
  return ViewOf(bytes_out_);
}

emscripten::val EngineAdapter::saveProfile() {
  bytes_out_ = engine_->SaveProfile();
  return ViewOf(bytes_out_);
}

std::string EngineAdapter::restoreProfile(const std::string& bytes) {
  Status status = engine_->RestoreProfile(bytes);
  return StatusJson(status);
}

void EngineAdapter::forget(const std::string& new_visitor_id) {
  engine_->Forget(new_visitor_id);
}

}  // namespace tessera::wasm
