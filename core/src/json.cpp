#include "tessera/json.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "decimal_conversion.h"
#include "json_text.h"
#include "text_builder.h"

namespace tessera {

// ---- Value ----------------------------------------------------------------

template <typename Source>
void Value::ConstructFrom(Source&& other) {
  switch (other.type_) {
    case Type::kNull:
      break;
    case Type::kBool:
      bool_ = other.bool_;
      break;
    case Type::kNumber:
      number_ = other.number_;
      break;
    case Type::kString:
      new (&string_) std::string(std::forward<Source>(other).string_);
      break;
    case Type::kArray:
      new (&array_) Array(std::forward<Source>(other).array_);
      break;
    case Type::kObject:
      new (&object_) Object(std::forward<Source>(other).object_);
      break;
  }
  type_ = other.type_;
}

Value::Value(const Value& other) { ConstructFrom(other); }

Value::Value(Value&& other) noexcept { ConstructFrom(std::move(other)); }

Value& Value::operator=(const Value& other) {
  if (this != &other) *this = Value(other);
  return *this;
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    // Moved out first: `other` may be a member or element of this value.
    Value taken(std::move(other));
    Reset();
    ConstructFrom(std::move(taken));
  }
  return *this;
}

Value::~Value() { Reset(); }

void Value::Reset() {
  switch (type_) {
    case Type::kString:
      string_.~basic_string();
      break;
    case Type::kArray:
      array_.~Array();
      break;
    case Type::kObject:
      object_.~Object();
      break;
    default:
      break;
  }
  type_ = Type::kNull;
}

void Value::ThrowWrongType() {
#if defined(__cpp_exceptions)
  throw std::logic_error("tessera::Value read as a type it does not hold");
#else
  std::abort();
#endif
}

bool Value::bool_or(bool fallback) const {
  return is_bool() ? bool_ : fallback;
}

double Value::number_or(double fallback) const {
  return is_number() ? number_ : fallback;
}

std::string Value::string_or(std::string_view fallback) const {
  return is_string() ? string_ : std::string(fallback);
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const Member& m : object_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

namespace {

// A canonical array index ("0", "17"; not "01", "-1", "1.0").
bool ParseIndex(std::string_view part, size_t* index) {
  if (part.empty() || part.size() > 9) return false;
  if (part.size() > 1 && part[0] == '0') return false;
  size_t value = 0;
  for (char c : part) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  *index = value;
  return true;
}

}  // namespace

const Value* Value::find_path(std::string_view dotted_path) const {
  const Value* current = this;
  size_t start = 0;
  while (true) {
    size_t dot = dotted_path.find('.', start);
    std::string_view part = dotted_path.substr(
        start,
        dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (current->is_object()) {
      current = current->find(part);
    } else if (current->is_array()) {
      size_t index;
      const Array& array = current->as_array();
      current = ParseIndex(part, &index) && index < array.size() ? &array[index]
                                                                 : nullptr;
    } else {
      return nullptr;
    }
    if (!current) return nullptr;
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
}

Value& Value::set(std::string key, Value value) {
  if (is_null()) *this = MakeObject();
  if (!is_object()) return *this;
  for (Member& m : object_) {
    if (m.key == key) {
      m.value = std::move(value);
      return m.value;
    }
  }
  object_.push_back(Member{std::move(key), std::move(value)});
  return object_.back().value;
}

Value& Value::set(const char* key, Value value) {
  return set(std::string(key), std::move(value));
}

bool Value::erase(std::string_view key) {
  if (!is_object()) return false;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (it->key == key) {
      object_.erase(it);
      return true;
    }
  }
  return false;
}

Value& Value::push_back(Value value) {
  if (is_null()) *this = MakeArray();
  if (!is_array()) return *this;
  array_.push_back(std::move(value));
  return array_.back();
}

size_t Value::size() const {
  if (is_array()) return array_.size();
  if (is_object()) return object_.size();
  return 0;
}

bool Value::operator==(const Value& other) const {
  if (type() != other.type()) return false;
  switch (type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return as_bool() == other.as_bool();
    case Type::kNumber:
      return as_number() == other.as_number();
    case Type::kString:
      return as_string() == other.as_string();
    case Type::kArray:
      return as_array() == other.as_array();
    case Type::kObject: {
      const Object& a = as_object();
      if (a.size() != other.as_object().size()) return false;
      for (const Member& m : a) {
        const Value* v = other.find(m.key);
        if (!v || *v != m.value) return false;
      }
      return true;
    }
  }
  return false;
}

bool IsJsTruthy(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return false;
    case Value::Type::kBool:
      return value.as_bool();
    case Value::Type::kNumber:
      return value.as_number() != 0 && !std::isnan(value.as_number());
    case Value::Type::kString:
      return !value.as_string().empty();
    case Value::Type::kArray:
    case Value::Type::kObject:
      return true;
  }
  return false;
}

// ---- Writer ---------------------------------------------------------------

void WriteJsonString(std::string_view s, TextBuilder* out) {
  static const char kHex[] = "0123456789abcdef";
  out->Push('"');
  // Copy runs that need no escaping in one append: most text has none, and
  // PlainJsonTextLength finds the end of a run eight bytes at a time.
  size_t i = 0;
  while (true) {
    const size_t plain = PlainJsonTextLength(s.substr(i));
    out->Append(s.data() + i, plain);
    i += plain;
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i++]);
    char escape = 0;
    switch (c) {
      case '"':
        escape = '"';
        break;
      case '\\':
        escape = '\\';
        break;
      case '\b':
        escape = 'b';
        break;
      case '\f':
        escape = 'f';
        break;
      case '\n':
        escape = 'n';
        break;
      case '\r':
        escape = 'r';
        break;
      case '\t':
        escape = 't';
        break;
      default: {
        const char unicode[6] = {'\\', 'u',          '0',
                                 '0',  kHex[c >> 4], kHex[c & 0xF]};
        out->Append(unicode, sizeof unicode);
        continue;
      }
    }
    out->Push('\\');
    out->Push(escape);
  }
  out->Push('"');
}

void WriteJsonNumber(double d, TextBuilder* out) {
  // JSON.stringify writes non-finite numbers as null.
  if (std::isfinite(d)) {
    out->Append(FormatJsNumber(d));
  } else {
    out->Append("null");
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  TextBuilder builder(out);
  WriteJsonString(s, &builder);
}

void AppendJsonNumber(double d, std::string* out) {
  TextBuilder builder(out);
  WriteJsonNumber(d, &builder);
}

namespace {

void WriteJson(const Value& v, TextBuilder* out) {
  switch (v.type()) {
    case Value::Type::kNull:
      out->Append("null");
      break;
    case Value::Type::kBool:
      out->Append(v.as_bool() ? "true" : "false");
      break;
    case Value::Type::kNumber:
      WriteJsonNumber(v.as_number(), out);
      break;
    case Value::Type::kString:
      WriteJsonString(v.as_string(), out);
      break;
    case Value::Type::kArray: {
      out->Push('[');
      bool first = true;
      for (const Value& item : v.as_array()) {
        if (!first) out->Push(',');
        first = false;
        WriteJson(item, out);
      }
      out->Push(']');
      break;
    }
    case Value::Type::kObject: {
      out->Push('{');
      bool first = true;
      for (const Member& m : v.as_object()) {
        if (!first) out->Push(',');
        first = false;
        WriteJsonString(m.key, out);
        out->Push(':');
        WriteJson(m.value, out);
      }
      out->Push('}');
      break;
    }
  }
}

// Bytes AppendJsonString writes for `s`.
size_t QuotedLength(const std::string& s) {
  size_t length = s.size() + 2;  // the quotes
  for (size_t i = PlainJsonTextLength(s); i < s.size();
       i += 1 + PlainJsonTextLength(std::string_view(s).substr(i + 1))) {
    switch (static_cast<unsigned char>(s[i])) {
      case '"':
      case '\\':
      case '\b':
      case '\f':
      case '\n':
      case '\r':
      case '\t':
        length += 1;  // a backslash before one letter
        break;
      default:
        length += 5;  // \u00XX in place of one byte
    }
  }
  return length;
}

}  // namespace

size_t JsonNumberLength(double d) {
  if (!std::isfinite(d)) return 4;  // null
  const double magnitude = std::fabs(d);
  // Whole numbers below 2^53 print as their plain digits (-0 as "0").
  if (magnitude < 9007199254740992.0 && magnitude == std::floor(magnitude)) {
    size_t digits = 1;
    for (double power = 10; power <= magnitude; power *= 10) ++digits;
    return digits + (d < 0 ? 1 : 0);
  }
  // A few decimals ("74.5", "0.25"): the fewest fractional digits k whose
  // nearest multiple m of 10^-k reads back as exactly d. While m < 2^50 the
  // spacing of doubles near d is under a quarter of 10^-k, so that m is the
  // only k-digit candidate, and the shortest round-trip form is m's digits
  // with k of them after the point.
  if (magnitude >= 1e-3) {
    double scale = 1;
    for (int k = 1; k <= 8; ++k) {
      scale *= 10;
      const double m = std::nearbyint(magnitude * scale);
      if (m >= 1125899906842624.0) break;  // 2^50
      if (m / scale != magnitude) continue;
      size_t length = static_cast<size_t>(k) + (d < 0 ? 1 : 0);
      if (magnitude >= 1) {
        size_t digits = 1;
        for (double power = 10; power <= m; power *= 10) ++digits;
        return length + digits - static_cast<size_t>(k) + 1;  // and a '.'
      }
      return length + 2;  // "0."
    }
  }
  return FormatJsNumber(d).size();
}

namespace {

size_t ValueLength(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return 4;
    case Value::Type::kBool:
      return v.as_bool() ? 4 : 5;
    case Value::Type::kNumber:
      return JsonNumberLength(v.as_number());
    case Value::Type::kString:
      return QuotedLength(v.as_string());
    case Value::Type::kArray: {
      const Array& items = v.as_array();
      size_t length = 2 + (items.empty() ? 0 : items.size() - 1);
      for (const Value& item : items) length += ValueLength(item);
      return length;
    }
    case Value::Type::kObject: {
      const Object& members = v.as_object();
      // Braces, a ':' per member and a ',' between members.
      size_t length =
          2 + members.size() + (members.empty() ? 0 : members.size() - 1);
      for (const Member& m : members) {
        length += QuotedLength(m.key) + ValueLength(m.value);
      }
      return length;
    }
  }
  return 0;
}

}  // namespace

size_t JsonLength(const Value& value) { return ValueLength(value); }

std::string Value::Dump() const {
  std::string out;
  {
    TextBuilder builder(&out);
    WriteJson(*this, &builder);
  }
  return out;
}

// ---- Parser ---------------------------------------------------------------

const char* ScanJsonNumber(std::string_view text, size_t* pos, double* value) {
  // Validate the RFC 8259 grammar first; ParseDecimal is more permissive.
  const size_t start = *pos;
  auto digit = [&](size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  };
  size_t i = start;
  if (i < text.size() && text[i] == '-') ++i;
  if (!digit(i)) return "invalid value";
  const size_t integer_start = i;
  // The integer part's value, used only when it has at most 15 digits (and
  // so cannot wrap around).
  uint64_t magnitude = 0;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) {
      magnitude = magnitude * 10 + static_cast<uint64_t>(text[i] - '0');
      ++i;
    }
  }
  const bool more =
      i < text.size() && (text[i] == '.' || text[i] == 'e' || text[i] == 'E');
  if (!more && i - integer_start <= 15) {
    // A plain integer below 10^15 is exact as a double: skip ParseDecimal.
    const double d = static_cast<double>(magnitude);
    *pos = i;
    *value = integer_start > start ? -d : d;  // "-0" stays -0
    return nullptr;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) {
      *pos = i;
      return "expected a digit after the decimal point";
    }
    while (digit(i)) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digit(i)) {
      *pos = i;
      return "expected a digit in the exponent";
    }
    while (digit(i)) ++i;
  }
  const double d = decimal::ParseDecimal(text.substr(start, i - start));
  if (!std::isfinite(d)) return "number out of range";
  *pos = i;
  *value = d;
  return nullptr;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const JsonParseOptions& options)
      : text_(text), options_(options) {}

  Result<Value> ParseDocument() {
    SkipWhitespace();
    Value root;
    if (!ParseValue(0, &root)) return error_;
    SkipWhitespace();
    if (pos_ != text_.size()) {
      Fail("unexpected text after the JSON value");
      return error_;
    }
    return root;
  }

 private:
  bool Fail(const std::string& what) {
    if (error_.ok()) {
      error_ = Status::InvalidArgument("JSON at byte " + IntegerText(pos_) +
                                       ": " + what);
    }
    return false;
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Fail("invalid literal");
    }
    pos_ += word.size();
    return true;
  }

  bool ParseValue(size_t depth, Value* out) {
    if (pos_ >= text_.size()) return Fail("unexpected end of input");
    switch (text_[pos_]) {
      case '{':
        return ParseObject(depth + 1, out);
      case '[':
        return ParseArray(depth + 1, out);
      case '"': {
        std::string s;
        if (!ParseString(&s)) return false;
        *out = Value(std::move(s));
        return true;
      }
      case 't':
        *out = Value(true);
        return Literal("true");
      case 'f':
        *out = Value(false);
        return Literal("false");
      case 'n':
        *out = Value();
        return Literal("null");
      default:
        return ParseNumber(out);
    }
  }

  // Whether the value at the cursor is an object or an array.
  bool OpensContainer() const {
    return pos_ < text_.size() && (text_[pos_] == '{' || text_[pos_] == '[');
  }

  bool CheckDepth(size_t depth) {
    if (depth > options_.max_depth) {
      error_ = Status::OutOfRange("JSON at byte " + IntegerText(pos_) +
                                  ": nesting deeper than " +
                                  IntegerText(options_.max_depth));
      return false;
    }
    return true;
  }

  bool ParseObject(size_t depth, Value* out) {
    if (!CheckDepth(depth)) return false;
    ++pos_;  // '{'
    *out = Value::MakeObject();
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    // One allocation per document for the usual small ones, not a regrowth.
    if (member_stack_.capacity() == 0) member_stack_.reserve(32);
    const size_t first = member_stack_.size();
    KeyIndex index;  // used once the object outgrows a scan
    while (true) {
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail("expected a string key");
      }
      std::string key;
      if (!ParseString(&key)) return false;
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        return Fail("expected ':' after an object key");
      }
      ++pos_;
      SkipWhitespace();
      // Last duplicate wins, in the first one's place (as Value::set does).
      const size_t slot = FindMember(first, key, &index);
      if (slot == member_stack_.size() && !OpensContainer()) {
        // A scalar cannot grow the stacks while it is parsed: parse it in
        // place rather than into a temporary that is then moved.
        member_stack_.push_back(Member{std::move(key), Value()});
        index.Add(member_stack_, first, slot);
        if (!ParseValue(depth, &member_stack_.back().value)) return false;
      } else {
        Value member;
        if (!ParseValue(depth, &member)) return false;
        if (slot < member_stack_.size()) {
          member_stack_[slot].value = std::move(member);
        } else {
          member_stack_.push_back(Member{std::move(key), std::move(member)});
          index.Add(member_stack_, first, slot);
        }
      }
      SkipWhitespace();
      if (pos_ >= text_.size()) return Fail("unterminated object");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        MoveFromStack(&member_stack_, first, &out->as_object());
        return true;
      }
      return Fail("expected ',' or '}' in an object");
    }
  }

  // The positions of an object's members by key hash (open addressing, 0 =
  // empty, else position + 1), built once the object has kScanLimit members:
  // looking each new key up by a scan made an object of n keys cost n^2 / 2
  // string comparisons (100,000 keys: 20 s in a browser).
  static constexpr size_t kScanLimit = 32;
  struct KeyIndex {
    std::vector<uint32_t> slots;

    static size_t Hash(const std::string& key) {
      uint32_t h = 2166136261u;  // FNV-1a
      for (unsigned char c : key) h = (h ^ c) * 16777619u;
      return h;
    }
    // Records member `at` of the object starting at `first`, once indexing.
    void Add(const std::vector<Member>& stack, size_t first, size_t at) {
      if (slots.empty()) return;
      if ((at - first + 1) * 2 > slots.size()) {
        Build(stack, first, stack.size());
        return;
      }
      Insert(stack[at].key, at - first);
    }
    void Insert(const std::string& key, size_t position) {
      const size_t mask = slots.size() - 1;
      size_t i = Hash(key) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = static_cast<uint32_t>(position + 1);
    }
    void Build(const std::vector<Member>& stack, size_t first, size_t end) {
      size_t size = 64;
      while (size < (end - first) * 4) size *= 2;
      slots.assign(size, 0);
      for (size_t i = first; i < end; ++i) Insert(stack[i].key, i - first);
    }
  };

  // Where `key` already is among the members from `first`, or the end.
  size_t FindMember(size_t first, const std::string& key, KeyIndex* index) {
    const size_t end = member_stack_.size();
    if (end - first < kScanLimit) {
      for (size_t i = first; i < end; ++i) {
        if (member_stack_[i].key == key) return i;
      }
      return end;
    }
    if (index->slots.empty()) index->Build(member_stack_, first, end);
    const size_t mask = index->slots.size() - 1;
    for (size_t i = KeyIndex::Hash(key) & mask; index->slots[i] != 0; i = (i + 1) & mask) {
      const size_t at = first + index->slots[i] - 1;
      if (member_stack_[at].key == key) return at;
    }
    return end;
  }

  // Moves stack[first..] into `out` (one allocation of the exact size) and
  // pops them. Members and items collect on one stack per parser so that an
  // object or array is allocated once, not regrown member by member.
  template <typename T>
  static void MoveFromStack(std::vector<T>* stack, size_t first,
                            std::vector<T>* out) {
    out->reserve(stack->size() - first);
    for (size_t i = first; i < stack->size(); ++i) {
      out->push_back(std::move((*stack)[i]));
    }
    stack->resize(first);
  }

  bool ParseArray(size_t depth, Value* out) {
    if (!CheckDepth(depth)) return false;
    ++pos_;  // '['
    *out = Value::MakeArray();
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    if (item_stack_.capacity() == 0) item_stack_.reserve(16);
    const size_t first = item_stack_.size();
    while (true) {
      SkipWhitespace();
      if (OpensContainer()) {
        Value item;
        if (!ParseValue(depth, &item)) return false;
        item_stack_.push_back(std::move(item));
      } else {  // in place, as for object members
        item_stack_.emplace_back();
        if (!ParseValue(depth, &item_stack_.back())) return false;
      }
      SkipWhitespace();
      if (pos_ >= text_.size()) return Fail("unterminated array");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        MoveFromStack(&item_stack_, first, &out->as_array());
        return true;
      }
      return Fail("expected ',' or ']' in an array");
    }
  }

  bool ParseHex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + static_cast<size_t>(i)];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return Fail("invalid hex digit in \\u escape");
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  bool ParseEscape(std::string* out) {
    if (pos_ >= text_.size()) return Fail("unterminated string");
    char c = text_[pos_++];
    switch (c) {
      case '"':
        out->push_back('"');
        return true;
      case '\\':
        out->push_back('\\');
        return true;
      case '/':
        out->push_back('/');
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u': {
        uint32_t cp = 0;
        if (!ParseHex4(&cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return Fail("lone low surrogate in \\u escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u") {
            return Fail("high surrogate not followed by a low surrogate");
          }
          pos_ += 2;
          uint32_t low = 0;
          if (!ParseHex4(&low)) return false;
          if (low < 0xDC00 || low > 0xDFFF) {
            return Fail("high surrogate not followed by a low surrogate");
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, out);
        return true;
      }
      default:
        --pos_;
        return Fail("invalid escape character");
    }
  }

  bool ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      const size_t run = PlainJsonTextLength(text_.substr(pos_));
      out->append(text_.data() + pos_, run);
      pos_ += run;
      if (pos_ >= text_.size()) return Fail("unterminated string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!ParseEscape(out)) return false;
        continue;
      }
      return Fail("control character in string (escape it)");
    }
  }

  bool ParseNumber(Value* out) {
    double d = 0;
    if (const char* error = ScanJsonNumber(text_, &pos_, &d)) {
      return Fail(error);
    }
    *out = Value(d);
    return true;
  }

  std::string_view text_;
  const JsonParseOptions& options_;
  size_t pos_ = 0;
  Status error_;
  std::vector<Member> member_stack_;  // members of the open objects
  Array item_stack_;                  // items of the open arrays
};

}  // namespace

Result<Value> ParseJson(std::string_view text,
                        const JsonParseOptions& options) {
  if (text.size() > options.max_bytes) {
    return Status::OutOfRange("JSON of " + IntegerText(text.size()) +
                              " bytes exceeds the limit of " +
                              IntegerText(options.max_bytes));
  }
  if (!IsValidUtf8(text)) {
    return Status::InvalidArgument("JSON is not valid UTF-8");
  }
  return Parser(text, options).ParseDocument();
}

}  // namespace tessera
