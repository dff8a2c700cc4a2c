#include "json_tape.h"

#include <array>
#include <cstring>

#include "json_text.h"

namespace tessera {
namespace {

// The four whitespace bytes JSON allows between tokens.
constexpr std::array<bool, 256> kWhitespace = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {' ', '\t', '\n', '\r'}) table[c] = true;
  return table;
}();

}  // namespace

bool TapeNode::operator==(const TapeNode& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return boolean_ == other.boolean_;
    case Type::kNumber:
      return number_ == other.number_;
    case Type::kString:
      return text_ == other.text_;
    case Type::kArray: {
      if (count_ != other.count_) return false;
      auto theirs = other.as_array().begin();
      for (const TapeNode& item : as_array()) {
        if (item != *theirs) return false;
        ++theirs;
      }
      return true;
    }
    case Type::kObject: {
      if (count_ != other.count_) return false;
      for (const TapeMember member : as_object()) {
        const TapeNode* theirs = other.find(member.key);
        if (theirs == nullptr || *theirs != member.value) return false;
      }
      return true;
    }
  }
  return false;
}

namespace {

// Nesting the tape reads at most; ParseJson's deeper limits are declined.
constexpr size_t kMaxTapeDepth = 64;
// Texts longer than this are declined, so that node sizes fit 32 bits even
// where numbers print longer than they are written ("1e300").
constexpr size_t kMaxTapeText = size_t{1} << 24;
// The compact text is copied in steps of this many bytes (plain loads and
// stores rather than calls); its buffer has this much room to spare.
constexpr size_t kCopyStep = 16;

bool IsWhitespace(char c) { return kWhitespace[static_cast<unsigned char>(c)]; }

// Bytes that would make the digits before them part of a longer number
// (a 16th digit, a fraction, an exponent).
bool IsNumberContinuation(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E';
}

bool IsDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

// One pass over the text, with its cursor in a local (not a member, which
// the compiler would have to keep in memory), the open containers on a
// small stack, and one state per place in the grammar. It makes every
// check ParseJson makes, so that what ParseJson refuses is declined here.
bool JsonTape::Parse(std::string_view text, size_t max_depth) {
  nodes_.clear();
  compact_view_ = std::string_view();
  if (text.size() > kMaxTapeText || !IsValidUtf8(text)) return false;
  if (max_depth >= kMaxTapeDepth) max_depth = kMaxTapeDepth - 1;
  // Every value but the first takes a ',' or ':' and a byte of its own:
  // the nodes never outgrow this, so references to them stay valid.
  nodes_.reserve(text.size() / 2 + 2);
  const bool has_at_or_percent =
      std::memchr(text.data(), '@', text.size()) != nullptr ||
      std::memchr(text.data(), '%', text.size()) != nullptr;

  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;

  // The compact text: the tokens between whitespace runs, copied at each
  // run. `out` stays null while the text has had no whitespace.
  const char* copied = begin;
  char* out = nullptr;
  auto copy_tokens = [&](const char* until) {
    const size_t n = static_cast<size_t>(until - copied);
    if (static_cast<size_t>(end - until) >= kCopyStep) {
      for (size_t i = 0; i < n; i += kCopyStep) {
        std::memcpy(out + i, copied + i, kCopyStep);
      }
    } else {
      std::memcpy(out, copied, n);
    }
    out += n;
  };
  auto skip_whitespace = [&] {
    if (p == end || !IsWhitespace(*p)) return;
    if (out == nullptr) {
      compact_.resize(text.size() + kCopyStep);
      out = &compact_[0];
    }
    copy_tokens(p);
    do {
      ++p;
    } while (p != end && IsWhitespace(*p));
    copied = p;
  };
  // A string without escapes, at its opening quote; false at a backslash
  // (declined) or a control byte or the end (refused).
  auto read_string = [&](std::string_view* contents) {
    ++p;
    const size_t run =
        ScanPlainJsonText(std::string_view(p, static_cast<size_t>(end - p)));
    if (run == static_cast<size_t>(end - p) || p[run] != '"') return false;
    *contents = std::string_view(p, run);
    p += run + 1;
    return true;
  };
  auto read_literal = [&](std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() ||
        std::memcmp(p, word.data(), word.size()) != 0) {
      return false;
    }
    p += word.size();
    return true;
  };

  struct Open {
    size_t index;    // the container's node
    uint32_t count;  // its children so far
    uint64_t seen;   // objects: a bit per key length and first byte
    size_t length;   // Dump() bytes of its children, keys included
  };
  Open stack[kMaxTapeDepth];
  size_t depth = 0;
  std::string_view key;  // the member name waiting for its value
  bool has_key = false;
  size_t completed = 0;  // the node of the value just read

value:
  skip_whitespace();
  if (p == end) return false;
  {
    completed = nodes_.size();
    TapeNode& node = nodes_.emplace_back();
    node.text_has_at_or_percent_ = has_at_or_percent;
    if (has_key) {
      node.key_ = key;
      node.is_member_ = true;
      has_key = false;
    }
    switch (*p) {
      case '{':
      case '[': {
        const bool object = *p == '{';
        if (depth + 1 > max_depth) return false;
        node.type_ = object ? Value::Type::kObject : Value::Type::kArray;
        stack[depth++] = Open{completed, 0, 0, 0};
        ++p;
        skip_whitespace();
        if (p != end && *p == (object ? '}' : ']')) {
          ++p;
          goto close;
        }
        if (object) goto member;
        goto value;
      }
      case '"':
        node.type_ = Value::Type::kString;
        if (!read_string(&node.text_)) return false;
        node.dump_length_ = static_cast<uint32_t>(node.text_.size() + 2);
        break;
      case 't':
      case 'f':
        node.type_ = Value::Type::kBool;
        node.boolean_ = *p == 't';
        if (!read_literal(node.boolean_ ? "true" : "false")) return false;
        node.dump_length_ = node.boolean_ ? 4 : 5;
        break;
      case 'n':
        if (!read_literal("null")) return false;
        node.dump_length_ = 4;
        break;
      default: {
        node.type_ = Value::Type::kNumber;
        // Most numbers are small positive integers ("seq": 12): their
        // digits are read here once, giving the value, which is exact
        // below 10^15, and the length Dump() writes (the same digits).
        // Anything else (a sign, a leading zero, a fraction, an exponent,
        // more digits) is left to ScanJsonNumber, from the start.
        const char* digit = p;
        uint64_t magnitude = 0;
        if (*digit >= '1' && *digit <= '9') {
          const char* const limit = end - p > 15 ? p + 15 : end;
          while (digit != limit && *digit >= '0' && *digit <= '9') {
            magnitude = magnitude * 10 + static_cast<uint64_t>(*digit - '0');
            ++digit;
          }
        }
        if (digit != p &&
            (digit == end || !IsNumberContinuation(*digit))) {
          node.number_ = static_cast<double>(magnitude);
          node.dump_length_ = static_cast<uint32_t>(digit - p);
          p = digit;
          break;
        }
        size_t pos = static_cast<size_t>(p - begin);
        double number = 0;
        if (ScanJsonNumber(text, &pos, &number) != nullptr) return false;
        const std::string_view digits(p, pos - static_cast<size_t>(p - begin));
        p = begin + pos;
        node.number_ = number;
        // Dump() writes a non-negative integer of up to 15 digits (exact
        // as a double) as the same digits, which the grammar keeps free of
        // leading zeros; other numbers are measured from their value.
        node.dump_length_ = static_cast<uint32_t>(
            digits.size() <= 15 && IsDigits(digits) ? digits.size()
                                                    : JsonNumberLength(number));
        break;
      }
    }
  }

after_value:
  if (depth == 0) {
    skip_whitespace();
    if (p != end) return false;
    if (out == nullptr) {
      compact_view_ = text;
    } else {
      copy_tokens(end);
      compact_.resize(static_cast<size_t>(out - &compact_[0]));
      compact_view_ = compact_;
    }
    return true;
  }
  {
    Open& top = stack[depth - 1];
    const TapeNode& done = nodes_[completed];
    ++top.count;
    top.length +=
        done.dump_length_ + (done.is_member_ ? done.key_.size() + 3 : 0);
    skip_whitespace();
    if (p == end) return false;
    const bool object = nodes_[top.index].type_ == Value::Type::kObject;
    if (*p == ',') {
      ++p;
      if (object) goto member;
      goto value;
    }
    if (*p != (object ? '}' : ']')) return false;
    ++p;
  }

close : {
  const Open& top = stack[--depth];
  TapeNode& container = nodes_[top.index];
  container.count_ = top.count;
  container.extent_ = static_cast<uint32_t>(nodes_.size() - top.index);
  // Brackets, a ',' between children, and the children (with their keys).
  container.dump_length_ = static_cast<uint32_t>(
      2 + (top.count > 0 ? top.count - 1 : 0) + top.length);
  completed = top.index;
  goto after_value;
}

member:
  skip_whitespace();
  if (p == end || *p != '"') return false;
  if (!read_string(&key)) return false;
  {
    // The earlier members are compared with the key only when its bit was
    // seen before: a repeated key is declined.
    Open& top = stack[depth - 1];
    const uint64_t bit =
        uint64_t{1} << ((key.size() * 7 + (key.empty() ? 0 : key[0])) & 63);
    if ((top.seen & bit) != 0) {
      for (size_t child = top.index + 1; child < nodes_.size();
           child += nodes_[child].extent_) {
        if (SameShortText(nodes_[child].key_, key)) return false;
      }
    }
    top.seen |= bit;
  }
  skip_whitespace();
  if (p == end || *p != ':') return false;
  ++p;
  has_key = true;
  goto value;
}

std::string_view JsonTape::compact_text() const { return compact_view_; }

size_t JsonLength(const TapeNode& node) { return node.dump_length_; }

}  // namespace tessera
