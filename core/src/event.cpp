// NormalizeEvent: one pass over the properties that checks the limits and
// converts the fields whose meaning is known (numbers, dates, categories,
// currencies), then the per-event rules on the converted result.
#include "tessera/event.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "compact_sort.h"
#include "decimal_conversion.h"
#include "event_date.h"
#include "event_quote.h"
#include "tessera/validation.h"

namespace tessera {
namespace {

enum class EventKind { kCustom, kPageView, kCart, kPurchase, kVideo };

// How the keys of an object are read: the top level of the properties, an
// element of items[], or anywhere else.
enum class Scope { kTop, kItem, kNested };

enum class FieldKind {
  kGeneric,
  kNumeric,
  kDate,
  kCategory,
  kCategoryList,
  kItems,
  kCurrency,
};

EventKind KindOf(std::string_view name) {
  if (name == kPageView) return EventKind::kPageView;
  if (name == kAddToCart || name == kRemoveFromCart) return EventKind::kCart;
  if (name == kPurchaseComplete) return EventKind::kPurchase;
  if (name == kVideoPlayed) return EventKind::kVideo;
  return EventKind::kCustom;
}

bool IsCommerce(EventKind kind) {
  return kind == EventKind::kCart || kind == EventKind::kPurchase;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

FieldKind Classify(Scope scope, std::string_view key, EventKind kind) {
  if (scope == Scope::kTop) {
    if (key == "value" || key == "price" || key == "quantity" ||
        key == "revenue" || key == "total") {
      return FieldKind::kNumeric;
    }
    if (kind == EventKind::kVideo && (key == "duration" || key == "percent")) {
      return FieldKind::kNumeric;
    }
    if (key == "category") return FieldKind::kCategory;
    if (key == "categories") return FieldKind::kCategoryList;
    if (key == "items") return FieldKind::kItems;
    if (key == "currency" && IsCommerce(kind)) return FieldKind::kCurrency;
  } else if (scope == Scope::kItem) {
    if (key == "price" || key == "quantity") return FieldKind::kNumeric;
    if (key == "category") return FieldKind::kCategory;
  }
  if (EndsWith(key, "_at") || EndsWith(key, "_date")) return FieldKind::kDate;
  return FieldKind::kGeneric;
}

const char* Described(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "a boolean";
    case Value::Type::kNumber:
      return "a number";
    case Value::Type::kString:
      return "a string";
    case Value::Type::kArray:
      return "an array";
    case Value::Type::kObject:
      return "an object";
  }
  return "an unknown value";
}

// What a message shows after "got": strings quoted, numbers as JavaScript
// prints them, other types by name.
std::string Shown(const Value& v) {
  if (v.is_string()) return QuoteForMessage(v.as_string());
  if (v.is_number()) return FormatJsNumber(v.as_number());
  return Described(v);
}

std::string_view TrimAscii(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A decimal number in JSON-like syntax (sign, digits, fraction, exponent) and
// nothing else, so hex, "inf", "nan" and "12abc" are refused.
bool ParseDecimal(std::string_view text, double* out) {
  text = TrimAscii(text);
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != text.size()) return false;
  *out = decimal::ParseDecimal(text);
  return true;
}

class Normalizer {
 public:
  Normalizer(std::string_view name, const EventLimits& limits)
      : limits_(limits),
        kind_(KindOf(name)),
        prefix_("event \"" + std::string(name) + "\": ") {}

  Status Fail(const std::string& path, const std::string& message) const {
    return Status::InvalidArgument(prefix_ + path + ": " + message);
  }

  Status TooLarge() const {
    return Fail("properties", "is larger than the limit of " +
                                  IntegerText(limits_.max_total_bytes) +
                                  " bytes when serialized");
  }

  // The root: an object, or null for none.
  Result<Value> NormalizeProperties(const Value& properties) {
    const Value empty = Value::MakeObject();
    const Value& object = properties.is_null() ? empty : properties;
    if (!object.is_object()) {
      return Fail("properties", std::string("must be an object, got ") +
                                    Described(properties));
    }
    if (object.size() > limits_.max_properties) {
      return Fail("properties", "has " + IntegerText(object.size()) +
                                    " keys, more than the limit of " +
                                    IntegerText(limits_.max_properties));
    }
    Result<Value> walked =
        WalkObject(object, "properties", /*depth=*/0, Scope::kTop);
    if (!walked.ok()) return walked;
    Status rules = CheckEventRules(*walked);
    if (!rules.ok()) return rules;
    if (walked->Dump().size() > limits_.max_total_bytes) return TooLarge();
    return walked;
  }

 private:
  // Adds to a lower bound of the serialized size, so oversized input stops
  // early instead of being copied in full.
  Status Count(size_t bytes) {
    estimated_bytes_ += bytes;
    if (estimated_bytes_ > limits_.max_total_bytes) return TooLarge();
    return Status::Ok();
  }

  Status CheckDepth(const std::string& path, size_t depth) const {
    if (depth > limits_.max_depth) {
      return Fail(path, "nests deeper than the limit of " +
                            IntegerText(limits_.max_depth) + " levels");
    }
    return Status::Ok();
  }

  Status CheckString(const std::string& s, const std::string& path) {
    if (!IsValidUtf8(s)) return Fail(path, "must be valid UTF-8");
    if (s.size() > limits_.max_string_bytes) {
      return Fail(path, "is " + IntegerText(s.size()) +
                            " bytes, longer than the limit of " +
                            IntegerText(limits_.max_string_bytes));
    }
    return Count(s.size() + 2);
  }

  // `depth` is the nesting level `v` has if it is an array or object.
  Result<Value> Walk(const Value& v, const std::string& path, size_t depth) {
    Status st;
    switch (v.type()) {
      case Value::Type::kNull:
      case Value::Type::kBool:
        st = Count(4);
        break;
      case Value::Type::kNumber:
        if (!std::isfinite(v.as_number())) {
          return Fail(path, "must be a finite number, got " +
                                FormatJsNumber(v.as_number()));
        }
        st = Count(1);
        break;
      case Value::Type::kString:
        st = CheckString(v.as_string(), path);
        break;
      case Value::Type::kArray: {
        if (Status d = CheckDepth(path, depth); !d.ok()) return d;
        if (Status c = Count(2); !c.ok()) return c;
        Value out = Value::MakeArray();
        const Array& in = v.as_array();
        for (size_t i = 0; i < in.size(); ++i) {
          Result<Value> element = Walk(in[i], JoinPath(path, i), depth + 1);
          if (!element.ok()) return element;
          out.push_back(std::move(*element));
        }
        return out;
      }
      case Value::Type::kObject:
        return WalkObject(v, path, depth, Scope::kNested);
    }
    if (!st.ok()) return st;
    return v;
  }

  Result<Value> WalkObject(const Value& v, const std::string& path,
                           size_t depth, Scope scope) {
    if (Status d = CheckDepth(path, depth); !d.ok()) return d;
    if (Status c = Count(2); !c.ok()) return c;
    const Object& in = v.as_object();
    std::vector<std::string_view> keys;
    keys.reserve(in.size());
    Value out = Value::MakeObject();
    Object& members = out.as_object();
    members.reserve(in.size());
    for (const Member& member : in) {
      const std::string& key = member.key;
      if (key.empty()) return Fail(path, "keys must not be empty");
      if (!IsValidUtf8(key)) {
        return Fail(path,
                    "key " + QuoteForMessage(key) + " must be valid UTF-8");
      }
      if (key.size() > limits_.max_string_bytes) {
        return Fail(path, "key " + QuoteForMessage(key) + " is " +
                              IntegerText(key.size()) +
                              " bytes, longer than the limit of " +
                              IntegerText(limits_.max_string_bytes));
      }
      if (Status c = Count(key.size() + 3); !c.ok()) return c;
      keys.push_back(key);
      std::string child_path = JoinPath(path, key);
      Result<Value> child = WalkField(Classify(scope, key, kind_), member.value,
                                      child_path, depth + 1);
      if (!child.ok()) return child;
      members.push_back(Member{key, std::move(*child)});
    }
    // A Value built through the API (not parsed) can repeat a key; its text
    // would then mean something else to every JSON reader.
    CompactSort(keys.begin(), keys.end());
    auto repeated = std::adjacent_find(keys.begin(), keys.end());
    if (repeated != keys.end()) {
      return Fail(JoinPath(path, std::string(*repeated)), "duplicate key");
    }
    return out;
  }

  Result<Value> WalkField(FieldKind field, const Value& v,
                          const std::string& path, size_t depth) {
    switch (field) {
      case FieldKind::kGeneric:
        return Walk(v, path, depth);
      case FieldKind::kNumeric:
        return Numeric(v, path);
      case FieldKind::kDate: {
        Result<int64_t> ms = ParseEventDate(v);
        if (!ms.ok()) return Fail(path, ms.status().message());
        if (Status c = Count(1); !c.ok()) return c;
        return Value(*ms);
      }
      case FieldKind::kCategory:
        return CategoryLabel(v, path);
      case FieldKind::kCategoryList: {
        if (!v.is_array()) {
          return Fail(path, std::string("must be an array of category "
                                        "labels, got ") +
                                Described(v));
        }
        if (Status d = CheckDepth(path, depth); !d.ok()) return d;
        if (Status c = Count(2); !c.ok()) return c;
        Value out = Value::MakeArray();
        const Array& in = v.as_array();
        for (size_t i = 0; i < in.size(); ++i) {
          Result<Value> label = CategoryLabel(in[i], JoinPath(path, i));
          if (!label.ok()) return label;
          out.push_back(std::move(*label));
        }
        return out;
      }
      case FieldKind::kItems:
        return Items(v, path, depth);
      case FieldKind::kCurrency:
        return Currency(v, path);
    }
    return Walk(v, path, depth);
  }

  Result<Value> Numeric(const Value& v, const std::string& path) {
    double number = 0;
    if (v.is_number()) {
      number = v.as_number();
    } else if (!v.is_string() || !ParseDecimal(v.as_string(), &number)) {
      return Fail(path, "must be a number, got " + Shown(v));
    }
    if (!std::isfinite(number)) {
      return Fail(path, "must be a finite number, got " + Shown(v));
    }
    if (Status c = Count(1); !c.ok()) return c;
    return Value(number);
  }

  Result<Value> CategoryLabel(const Value& v, const std::string& path) {
    if (!v.is_string()) {
      return Fail(path, std::string("must be a category label (a string), "
                                    "got ") +
                            Described(v));
    }
    if (!IsValidUtf8(v.as_string())) return Fail(path, "must be valid UTF-8");
    if (v.as_string().size() > limits_.max_string_bytes) {
      return CheckString(v.as_string(), path);
    }
    std::string label(TrimAscii(v.as_string()));
    if (label.empty()) return Fail(path, "must not be blank");
    for (char& c : label) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (Status c = Count(label.size() + 2); !c.ok()) return c;
    return Value(std::move(label));
  }

  Result<Value> Currency(const Value& v, const std::string& path) {
    std::string code;
    if (v.is_string()) code = std::string(TrimAscii(v.as_string()));
    bool letters = code.size() == 3;
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c < 'A' || c > 'Z') letters = false;
    }
    if (!letters) {
      return Fail(path, "must be a 3-letter ISO 4217 code, got " + Shown(v));
    }
    if (Status c = Count(5); !c.ok()) return c;
    return Value(std::move(code));
  }

  // items[]: objects whose price, quantity and category are normalized. Only
  // the commerce events insist on that shape; elsewhere other shapes pass as
  // generic values.
  Result<Value> Items(const Value& v, const std::string& path, size_t depth) {
    if (!v.is_array()) {
      if (IsCommerce(kind_)) {
        return Fail(path, std::string("must be an array of objects, got ") +
                              Described(v));
      }
      return Walk(v, path, depth);
    }
    if (Status d = CheckDepth(path, depth); !d.ok()) return d;
    if (Status c = Count(2); !c.ok()) return c;
    Value out = Value::MakeArray();
    const Array& in = v.as_array();
    for (size_t i = 0; i < in.size(); ++i) {
      std::string item_path = JoinPath(path, i);
      if (!in[i].is_object() && IsCommerce(kind_)) {
        return Fail(item_path,
                    std::string("must be an object, got ") + Described(in[i]));
      }
      Result<Value> item =
          in[i].is_object()
              ? WalkObject(in[i], item_path, depth + 1, Scope::kItem)
              : Walk(in[i], item_path, depth + 1);
      if (!item.ok()) return item;
      out.push_back(std::move(*item));
    }
    return out;
  }

  Status RequireNonNegative(const Value& properties, const char* key,
                            const std::string& path) const {
    const Value* v = properties.find(key);
    if (v && v->is_number() && v->as_number() < 0) {
      return Fail(JoinPath(path, key),
                  "must not be negative, got " + Shown(*v));
    }
    return Status::Ok();
  }

  Status CheckEventRules(const Value& p) const {
    switch (kind_) {
      case EventKind::kPurchase:
        if (!p.find("value")) {
          return Fail("properties.value", "is required for purchase_complete");
        }
        if (!p.find("currency")) {
          return Fail("properties.currency",
                      "is required for purchase_complete");
        }
        return CheckCommerce(p);
      case EventKind::kCart:
        return CheckCommerce(p);
      case EventKind::kPageView:
        for (const char* key : {"url", "path", "title", "referrer"}) {
          const Value* v = p.find(key);
          if (v && !v->is_string()) {
            return Fail(JoinPath("properties", key),
                        std::string("must be a string, got ") + Described(*v));
          }
        }
        return Status::Ok();
      case EventKind::kVideo:
        return CheckVideo(p);
      case EventKind::kCustom:
        return Status::Ok();
    }
    return Status::Ok();
  }

  Status CheckCommerce(const Value& p) const {
    for (const char* key : {"value", "quantity"}) {
      if (Status s = RequireNonNegative(p, key, "properties"); !s.ok()) {
        return s;
      }
    }
    const Value* items = p.find("items");
    if (!items) return Status::Ok();
    const Array& list = items->as_array();  // Items() enforced the shape
    for (size_t i = 0; i < list.size(); ++i) {
      std::string item_path = JoinPath("properties.items", i);
      for (const char* key : {"price", "quantity"}) {
        if (Status s = RequireNonNegative(list[i], key, item_path); !s.ok()) {
          return s;
        }
      }
    }
    return Status::Ok();
  }

  Status CheckVideo(const Value& p) const {
    if (const Value* id = p.find("video_id");
        id && (!id->is_string() || id->as_string().empty())) {
      return Fail("properties.video_id",
                  "must be a non-empty string, got " + Shown(*id));
    }
    if (Status s = RequireNonNegative(p, "duration", "properties"); !s.ok()) {
      return s;
    }
    if (const Value* percent = p.find("percent");
        percent && (percent->as_number() < 0 || percent->as_number() > 100)) {
      return Fail("properties.percent",
                  "must be between 0 and 100, got " + Shown(*percent));
    }
    return Status::Ok();
  }

  const EventLimits& limits_;
  EventKind kind_;
  std::string prefix_;
  size_t estimated_bytes_ = 0;
};

}  // namespace

double Event::value() const {
  const Value* v = properties.find("value");
  return v && v->is_number() ? v->as_number() : 0;
}

Result<Event> NormalizeEvent(std::string_view name, const Value& properties,
                             const Value& timestamp, int64_t now_ms,
                             const EventLimits& limits) {
  Result<std::string> normalized_name = NormalizeEventName(name, limits);
  if (!normalized_name.ok()) return normalized_name.status();
  Normalizer normalizer(*normalized_name, limits);
  Event event;
  event.name = std::move(*normalized_name);
  if (timestamp.is_null()) {
    event.timestamp_ms = now_ms;
  } else {
    Result<int64_t> ms = ParseEventDate(timestamp);
    if (!ms.ok()) return normalizer.Fail("timestamp", ms.status().message());
    if (*ms - now_ms > limits.max_future_ms) {
      return normalizer.Fail(
          "timestamp", "is " + IntegerText((*ms - now_ms) / 60000) +
                           " minutes after the current time; at most " +
                           IntegerText(limits.max_future_ms / 60000) +
                           " minutes ahead is taken as now");
    }
    event.timestamp_ms = std::min(*ms, now_ms);
  }
  Result<Value> props = normalizer.NormalizeProperties(properties);
  if (!props.ok()) return props.status();
  event.properties = std::move(*props);
  return event;
}

}  // namespace tessera
