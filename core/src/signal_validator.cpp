#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "json_tape.h"
#include "signal_rules.h"
#include "tessera/signal.h"

// The signal schema and consent rules, written once as templates over the
// read-only Value interface, so that they judge a Value (ValidateSignal and
// CheckSignalConsent) and a TapeNode (the ingest fast path,
// signal_fast_accept.cpp) alike.
namespace tessera {
namespace {

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53
constexpr size_t kMinIdLength = 16;
constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxPurposeLength = 32;
constexpr size_t kMaxLanguageLength = 35;  // BCP 47 tags rarely exceed this
constexpr size_t kMaxPageBytes = 256;
constexpr size_t kMaxProblemsInStatus = 10;

template <typename Json>
bool IsCount(const Json& v) {
  if (!v.is_number()) return false;
  const double d = v.as_number();
  // In that range the conversion to an integer is exact and truncates: it
  // tells whole numbers apart without a call to floor().
  return d >= 0 && d <= kMaxSafeInteger &&
         static_cast<double>(static_cast<int64_t>(d)) == d;
}

// The bytes the id and purpose rules allow, looked up rather than tested
// range by range: ids and purposes are most of a signal's header bytes.
constexpr uint8_t kIdByte = 1;     // [A-Za-z0-9_-]
constexpr uint8_t kSnakeByte = 2;  // [a-z0-9_]
constexpr std::array<uint8_t, 256> kByteClasses = [] {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if (lower || upper || digit || c == '_' || c == '-') classes[c] |= kIdByte;
    if (lower || digit || c == '_') classes[c] |= kSnakeByte;
  }
  return classes;
}();

bool HasByteClass(char c, uint8_t byte_class) {
  return (kByteClasses[static_cast<unsigned char>(c)] & byte_class) != 0;
}

bool IsIdChar(char c) { return HasByteClass(c, kIdByte); }

bool IsIdToken(std::string_view s) {
  if (s.size() < kMinIdLength || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsPurpose(std::string_view s) {
  if (s.empty() || s.size() > kMaxPurposeLength) return false;
  for (char c : s) {
    if (!HasByteClass(c, kSnakeByte)) return false;
  }
  return true;
}

// A path only: no scheme or host ("//host" included), no query string or
// fragment (where PII and tokens tend to live), no whitespace.
bool IsPagePath(std::string_view s) {
  if (s.empty() || s.size() > kMaxPageBytes || s[0] != '/') return false;
  if (s.size() > 1 && s[1] == '/') return false;
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '?' || c == '#' || byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

// "0".."167" written canonically (no sign, no leading zeros).
bool IsHourKey(std::string_view key) {
  if (key.empty() || key.size() > 3) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  int hour = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    hour = hour * 10 + (c - '0');
  }
  return hour < kHoursPerWeek;
}

// A JSON path that is built only when a problem is reported, so that
// validating a clean signal (the usual case) allocates no path strings.
// Refers to its parent and key: use it within the parent's lifetime.
class LazyPath {
 public:
  LazyPath(const char* root) : root_(root) {}  // NOLINT: "$.agg" etc.
  LazyPath(const LazyPath& parent, std::string_view key)
      : parent_(&parent), key_(key), has_key_(true) {}
  LazyPath(const LazyPath& parent, size_t index)
      : parent_(&parent), index_(index) {}

  std::string str() const {
    if (parent_ == nullptr) return root_;
    return has_key_ ? JoinPath(parent_->str(), std::string(key_))
                    : JoinPath(parent_->str(), index_);
  }

 private:
  const char* root_ = nullptr;
  const LazyPath* parent_ = nullptr;
  std::string_view key_;
  bool has_key_ = false;
  size_t index_ = 0;
};

// Whether any string or key in `v` may hold an email address: a Value has
// to be searched; a tape knows whether its text has an '@' or '%' at all.
bool MayHoldEmailAddress(const Value&) { return true; }
bool MayHoldEmailAddress(const TapeNode& v) {
  return v.text_has_at_or_percent();
}

// `Json` is Value or TapeNode: the rules use only what both offer.
template <typename Json>
class SignalValidator {
 public:
  Problems Validate(const Json& signal) {
    if (!signal.is_object()) {
      Add("$", "must be an object");
      return std::move(problems_);
    }
    CheckKnownFields(
        signal, "$",
        {"v", "id", "site", "vid", "seq", "from", "to", "consent", "mkt", "agg",
         "seg", "cl", "exp", "imp", "clk", "hours", "ctx", "drop"});
    CheckVersion(signal);
    CheckRequiredString(signal, "id", IsIdToken,
                        "must be 16-64 chars of [A-Za-z0-9_-]");
    CheckRequiredString(signal, "site", IsSiteName,
                        "must be 1-64 chars of [A-Za-z0-9_.-]");
    CheckRequiredString(signal, "vid", IsIdToken,
                        "must be 16-64 chars of [A-Za-z0-9_-] (the SDK's "
                        "random visitor id)");
    CheckRequiredCount(signal, "seq");
    CheckTimeRange(signal);
    CheckConsentSnapshot(signal);
    if (const Json* mkt = signal.find("mkt"); mkt && !mkt->is_bool()) {
      Add("$.mkt", "must be a boolean");
    }
    if (const Json* agg = signal.find("agg")) CheckAggregates(*agg);
    if (const Json* seg = signal.find("seg")) CheckSegments(*seg);
    if (const Json* cl = signal.find("cl"); cl && !IsLabelValue(*cl)) {
      Add("$.cl", kLabelRule);
    }
    if (const Json* exp = signal.find("exp")) CheckExposures(*exp);
    if (const Json* imp = signal.find("imp")) CheckSlotCounts(*imp, "$.imp");
    if (const Json* clk = signal.find("clk")) CheckSlotCounts(*clk, "$.clk");
    if (const Json* hours = signal.find("hours")) CheckHours(*hours);
    if (const Json* ctx = signal.find("ctx")) CheckContext(*ctx);
    if (const Json* drop = signal.find("drop"); drop && !IsCount(*drop)) {
      Add("$.drop", "must be a non-negative integer");
    }
    CheckNoEmailAddresses(signal, "$");
    const size_t bytes = JsonLength(signal);
    if (bytes > kMaxSignalBytes) {
      Add("$", "is " + IntegerText(bytes) + " bytes as JSON, over the " +
                   IntegerText(kMaxSignalBytes) + "-byte limit");
    }
    return std::move(problems_);
  }

 private:
  static constexpr const char* kLabelRule =
      "must be 1-128 bytes of text without control characters";

  static bool IsLabelValue(const Json& v) {
    // Email-shaped labels are reported once, by the privacy guard.
    return v.is_string() && !v.as_string().empty() &&
           (IsSignalLabel(v.as_string()) ||
            ContainsEmailAddress(v.as_string()));
  }
  static bool IsLabelKey(std::string_view key) {
    return IsSignalLabel(key) || (!key.empty() && ContainsEmailAddress(key));
  }

  void Add(std::string path, std::string message) {
    problems_.push_back(Problem{std::move(path), std::move(message)});
  }

  void CheckKnownFields(const Json& object, const LazyPath& path,
                        std::initializer_list<std::string_view> known) {
    // Members mostly come in the order of `known`: each search starts after
    // the name matched last and wraps around once.
    const std::string_view* const names = known.begin();
    const size_t count = known.size();
    size_t next = 0;
    for (const auto& member : object.as_object()) {
      bool is_known = false;
      for (size_t tried = 0; tried < count; ++tried) {
        const size_t k =
            next + tried < count ? next + tried : next + tried - count;
        if (SameShortText(member.key, names[k])) {
          is_known = true;
          next = k + 1;
          break;
        }
      }
      if (!is_known) Add(LazyPath(path, member.key).str(), "unknown field");
    }
  }

  // The object at `path`, or nullptr after reporting why not.
  const Json* ExpectObject(const Json& v, const LazyPath& path) {
    if (v.is_object()) return &v;
    Add(path.str(), "must be an object");
    return nullptr;
  }

  void CheckMaxSize(const Json& v, size_t max, const LazyPath& path,
                    const char* what) {
    if (v.size() > max) {
      Add(path.str(), "has " + IntegerText(v.size()) + " " + what +
                          ", more than the limit of " + IntegerText(max));
    }
  }

  void CheckVersion(const Json& signal) {
    const Json* v = signal.find("v");
    if (v == nullptr) {
      Add("$.v", "is required (the schema version, 1)");
    } else if (!v->is_number()) {
      Add("$.v", "must be the number 1");
    } else if (v->as_number() != kSignalVersion) {
      Add("$.v", "unsupported schema version " +
                     FormatJsNumber(v->as_number()) + " (expected 1)");
    }
  }

  // The top-level member `name`: "is required" when absent, `rule_text`
  // when `valid` rejects it. Paths are built only for a problem.
  template <typename Valid>
  void CheckRequired(const Json& signal, const char* name, Valid valid,
                     const char* rule_text) {
    const Json* v = signal.find(name);
    if (v == nullptr) {
      Add(JoinPath("$", name), "is required");
    } else if (!valid(*v)) {
      Add(JoinPath("$", name), rule_text);
    }
  }

  void CheckRequiredString(const Json& signal, const char* name,
                           bool (*rule)(std::string_view),
                           const char* rule_text) {
    CheckRequired(
        signal, name,
        [rule](const Json& v) { return v.is_string() && rule(v.as_string()); },
        rule_text);
  }

  void CheckRequiredCount(const Json& signal, const char* name) {
    CheckRequired(signal, name, IsCount<Json>,
                  "must be a non-negative integer");
  }

  void CheckTimeRange(const Json& signal) {
    CheckRequiredCount(signal, "from");
    CheckRequiredCount(signal, "to");
    const Json* from = signal.find("from");
    const Json* to = signal.find("to");
    if (from && to && IsCount(*from) && IsCount(*to) &&
        from->as_number() > to->as_number()) {
      Add("$.from", "must not be later than to");
    }
  }

  void CheckConsentSnapshot(const Json& signal) {
    const Json* consent = signal.find("consent");
    if (consent == nullptr) {
      Add("$.consent", "is required (the visitor's consent snapshot)");
      return;
    }
    if (!ExpectObject(*consent, "$.consent")) return;
    CheckKnownFields(*consent, "$.consent", {"granted", "policy"});
    const Json* granted = consent->find("granted");
    if (granted == nullptr) {
      Add("$.consent.granted", "is required (the granted purposes)");
    } else if (!granted->is_array()) {
      Add("$.consent.granted", "must be an array of purpose names");
    } else {
      CheckMaxSize(*granted, kMaxSignalPurposes, "$.consent.granted",
                   "purposes");
      CheckUniqueStrings(*granted, "$.consent.granted", IsPurpose,
                         "must be 1-32 chars of [a-z0-9_]");
    }
    const Json* policy = consent->find("policy");
    if (policy == nullptr) {
      Add("$.consent.policy", "is required (the consent policy version)");
    } else if (!(IsCount(*policy) ||
                 (policy->is_string() &&
                  policy->as_string().size() <= kMaxSignalPolicyBytes))) {
      // "" is allowed: a site's consent policy need not carry a version.
      Add("$.consent.policy",
          "must be a non-negative integer or a string of at most 64 bytes");
    }
  }

  void CheckUniqueStrings(const Json& array, const LazyPath& path,
                          bool (*rule)(std::string_view),
                          const char* rule_text) {
    const auto& elements = array.as_array();
    size_t i = 0;
    for (auto it = elements.begin(); it != elements.end(); ++it, ++i) {
      const LazyPath element_path(path, i);
      const Json& element = *it;
      if (!element.is_string() || !rule(element.as_string())) {
        // Email-shaped strings are reported once, by the privacy guard.
        if (!element.is_string() || !ContainsEmailAddress(element.as_string()))
          Add(element_path.str(), rule_text);
        continue;
      }
      for (auto earlier = elements.begin(); earlier != it; ++earlier) {
        if (*earlier == element) {
          Add(element_path.str(), "duplicates an earlier entry");
          break;
        }
      }
    }
  }

  void CheckAggregates(const Json& agg) {
    if (!ExpectObject(agg, "$.agg")) return;
    CheckMaxSize(agg, kMaxSignalEventTypes, "$.agg", "event types");
    for (const auto& member : agg.as_object()) {
      const LazyPath agg("$.agg");
      const LazyPath path(agg, member.key);
      if (!IsSignalEventName(member.key)) {
        Add(path.str(), "event type must be 1-64 chars of [a-z0-9_]");
      }
      if (!ExpectObject(member.value, path)) continue;
      CheckKnownFields(member.value, path, {"n", "sum", "n24h", "n7d", "n30d"});
      const Json* n = member.value.find("n");
      if (n == nullptr) {
        Add(path.str() + ".n", "is required (the count since last flush)");
      } else if (!IsCount(*n)) {
        Add(path.str() + ".n", "must be a non-negative integer");
      }
      const Json* sum = member.value.find("sum");
      if (sum && !(sum->is_number() && std::isfinite(sum->as_number()))) {
        Add(path.str() + ".sum", "must be a finite number");
      }
      for (const char* window : {"n24h", "n7d", "n30d"}) {
        const Json* count = member.value.find(window);
        if (count && !IsCount(*count)) {
          Add(path.str() + "." + window, "must be a non-negative integer");
        }
      }
    }
  }

  void CheckSegments(const Json& seg) {
    if (!seg.is_array()) {
      Add("$.seg", "must be an array of segment ids");
      return;
    }
    CheckMaxSize(seg, kMaxSignalSegments, "$.seg", "segments");
    CheckUniqueStrings(seg, "$.seg", IsSignalLabel, kLabelRule);
  }

  void CheckExposures(const Json& exp) {
    if (!exp.is_array()) {
      Add("$.exp", "must be an array of {key, var, variant}");
      return;
    }
    CheckMaxSize(exp, kMaxSignalExposures, "$.exp", "exposures");
    const auto& entries = exp.as_array();
    size_t i = 0;
    for (auto it = entries.begin(); it != entries.end(); ++it, ++i) {
      const LazyPath exp_path("$.exp");
      const LazyPath path(exp_path, i);
      const Json& entry = *it;
      if (!ExpectObject(entry, path)) continue;
      CheckKnownFields(entry, path, {"key", "var", "variant"});
      const Json* key = entry.find("key");
      if (key == nullptr) {
        Add(path.str() + ".key", "is required (the experiment key)");
      } else if (!IsLabelValue(*key)) {
        Add(path.str() + ".key", kLabelRule);
      }
      const Json* var = entry.find("var");
      if (var == nullptr) {
        Add(path.str() + ".var", "is required (the variation index)");
      } else if (!IsCount(*var) || var->as_number() > kMaxSignalVariation) {
        Add(path.str() + ".var",
            "must be an integer from 0 to " + IntegerText(kMaxSignalVariation));
      }
      const Json* variant = entry.find("variant");
      if (variant && !IsLabelValue(*variant)) {
        Add(path.str() + ".variant", kLabelRule);
      }
      for (auto before = entries.begin(); before != it; ++before) {
        const Json& earlier = *before;
        if (key && var && earlier.is_object() && earlier.find("key") &&
            earlier.find("var") && *earlier.find("key") == *key &&
            *earlier.find("var") == *var) {
          Add(path.str(), "duplicates an earlier exposure (same key and var)");
          break;
        }
      }
    }
  }

  void CheckSlotCounts(const Json& slots, const LazyPath& path) {
    if (!ExpectObject(slots, path)) return;
    CheckMaxSize(slots, kMaxSignalSlots, path, "slots");
    for (const auto& slot : slots.as_object()) {
      const LazyPath slot_path(path, slot.key);
      if (!IsLabelKey(slot.key))
        Add(slot_path.str(), "slot " + std::string(kLabelRule));
      if (!ExpectObject(slot.value, slot_path)) continue;
      CheckMaxSize(slot.value, kMaxSignalVariantsPerSlot, slot_path,
                   "variants");
      for (const auto& variant : slot.value.as_object()) {
        const LazyPath variant_path(slot_path, variant.key);
        if (!IsLabelKey(variant.key)) {
          Add(variant_path.str(), "variant " + std::string(kLabelRule));
        }
        if (!IsCount(variant.value)) {
          Add(variant_path.str(), "must be a non-negative integer");
        }
      }
    }
  }

  void CheckHours(const Json& hours) {
    if (!ExpectObject(hours, "$.hours")) return;
    for (const auto& member : hours.as_object()) {
      const LazyPath hours("$.hours");
      const LazyPath path(hours, member.key);
      if (!IsHourKey(member.key)) {
        Add(path.str(), "key must be an hour of the week, \"0\" to \"167\"");
      }
      if (!IsCount(member.value))
        Add(path.str(), "must be a non-negative integer");
    }
  }

  void CheckContext(const Json& ctx) {
    if (!ExpectObject(ctx, "$.ctx")) return;
    CheckKnownFields(ctx, "$.ctx", {"dev", "lang", "page"});
    if (const Json* dev = ctx.find("dev")) {
      if (!(dev->is_string() && IsDeviceClass(dev->as_string()))) {
        Add("$.ctx.dev", "must be one of desktop, mobile, tablet, other");
      }
    }
    if (const Json* lang = ctx.find("lang");
        lang && !(lang->is_string() && IsLanguageTag(lang->as_string()))) {
      Add("$.ctx.lang", "must be a language tag such as \"fr-FR\"");
    }
    if (const Json* page = ctx.find("page");
        page && !(page->is_string() && IsPagePath(page->as_string()))) {
      Add("$.ctx.page",
          "must be a path (\"/products/shoes\") without host, query string "
          "or fragment, at most 256 bytes");
    }
  }

  // The privacy guard: walks everything, unknown fields included.
  // True when any string or key below `v` looks like an email address. A
  // scan without building paths, so a clean signal (the usual case) costs
  // no allocation; paths are built only to report what was found.
  static bool HasEmailAddress(const Json& v) {
    if (v.is_string()) return ContainsEmailAddress(v.as_string());
    if (v.is_array()) {
      for (const Json& element : v.as_array()) {
        if (HasEmailAddress(element)) return true;
      }
    } else if (v.is_object()) {
      for (const auto& member : v.as_object()) {
        if (ContainsEmailAddress(member.key) || HasEmailAddress(member.value)) {
          return true;
        }
      }
    }
    return false;
  }

  void CheckNoEmailAddresses(const Json& v, const std::string& path) {
    static constexpr const char* kPiiMessage =
        "looks like an email address; PII in clear is not allowed in a signal";
    if (!MayHoldEmailAddress(v) || !HasEmailAddress(v)) return;
    if (v.is_string()) {
      if (ContainsEmailAddress(v.as_string())) Add(path, kPiiMessage);
    } else if (v.is_array()) {
      size_t i = 0;
      for (const Json& element : v.as_array()) {
        CheckNoEmailAddresses(element, JoinPath(path, i++));
      }
    } else if (v.is_object()) {
      for (const auto& member : v.as_object()) {
        const std::string member_path = JoinPath(path, std::string(member.key));
        if (ContainsEmailAddress(member.key)) {
          Add(member_path, std::string("key ") + kPiiMessage);
        }
        CheckNoEmailAddresses(member.value, member_path);
      }
    }
  }

  Problems problems_;
};

template <typename Json>
bool HasBehaviouralData(const Json& signal, std::string* sections) {
  for (const char* name : {"agg", "seg", "cl", "exp", "imp", "clk", "hours"}) {
    const Json* section = signal.find(name);
    if (section == nullptr) continue;
    const bool carries = section->is_string() ? !section->as_string().empty()
                                              : section->size() > 0;
    if (!carries) continue;
    if (!sections->empty()) *sections += ", ";
    *sections += name;
  }
  // A page visited, tied to the visitor id, is browsing data too (the
  // device class and language are not).
  const Json* ctx = signal.find("ctx");
  if (ctx != nullptr && ctx->is_object() && ctx->find("page") != nullptr) {
    if (!sections->empty()) *sections += ", ";
    *sections += "ctx.page";
  }
  return !sections->empty();
}

template <typename Json>
bool IsGranted(const Json& granted, std::string_view purpose) {
  for (const Json& entry : granted.as_array()) {
    if (entry.is_string() && entry.as_string() == purpose) return true;
  }
  return false;
}

}  // namespace

bool IsDeviceClass(std::string_view s) {
  return s == "desktop" || s == "mobile" || s == "tablet" || s == "other";
}

bool IsLanguageTag(std::string_view s) {
  if (s.size() < 2 || s.size() > kMaxLanguageLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

template <typename Json>
Problems SignalSchemaProblems(const Json& signal) {
  return SignalValidator<Json>().Validate(signal);
}

template <typename Json>
Status SignalConsentStatus(const Json& signal) {
  const Json* consent = signal.find("consent");
  const Json* granted = consent ? consent->find("granted") : nullptr;
  if (granted == nullptr || !granted->is_array()) {
    return Status::FailedPrecondition(
        "consent: the signal has no consent snapshot (consent.granted)");
  }
  std::string refusals;
  std::string sections;
  // The sections are listed only for a refusal's message.
  if (!IsGranted(*granted, kAnalyticsPurpose) &&
      HasBehaviouralData(signal, &sections)) {
    refusals =
        "the signal carries " + sections + " but \"analytics\" is not granted";
  }
  const Json* mkt = signal.find("mkt");
  if (mkt && mkt->is_bool() && mkt->as_bool() &&
      !IsGranted(*granted, kMarketingPurpose)) {
    if (!refusals.empty()) refusals += "; ";
    refusals +=
        "the signal is flagged for email use (mkt) but \"marketing\" "
        "is not granted";
  }
  if (refusals.empty()) return Status::Ok();
  return Status::FailedPrecondition("consent: " + refusals);
}

template Problems SignalSchemaProblems(const Value& signal);
template Problems SignalSchemaProblems(const TapeNode& signal);
template Status SignalConsentStatus(const Value& signal);
template Status SignalConsentStatus(const TapeNode& signal);

Problems ValidateSignal(const Value& signal) {
  return SignalSchemaProblems(signal);
}

Status CheckSignalConsent(const Value& signal) {
  return SignalConsentStatus(signal);
}

Status CheckSignal(const Value& signal) {
  const Problems problems = ValidateSignal(signal);
  if (problems.empty()) return CheckSignalConsent(signal);
  std::string message = "signal: ";
  for (size_t i = 0; i < problems.size() && i < kMaxProblemsInStatus; ++i) {
    if (i > 0) message += "; ";
    message += problems[i].path + ": " + problems[i].message;
  }
  if (problems.size() > kMaxProblemsInStatus) {
    message += "; and " + IntegerText(problems.size() - kMaxProblemsInStatus) +
               " more";
  }
  return Status::InvalidArgument(message);
}

}  // namespace tessera
