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
    case Type::kNull: return true;
    case Type::kBool: return boolean_ == other.boolean_;
    case Type::kNumber: return number_ == other.number_;
    case Type::kString: return text_ == other.text_;
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

// One pass over the text: every check ParseJson makes, in its order of
// reading, so that what it refuses is declined here too.
class JsonTape::Reader {
 public:
  static constexpr size_t kCopyStep = 16;

  Reader(std::string_view text, size_t max_depth, JsonTape* tape)
      : text_(text), max_depth_(max_depth), tape_(*tape), nodes_(tape->nodes_) {}

  bool Read() {
    nodes_.clear();
    // Every value but the first takes a ',' or ':' and a byte of its own:
    // the nodes never outgrow this, so they are never moved.
    nodes_.reserve(text_.size() / 2 + 2);
    if (!IsValidUtf8(text_)) return false;
    text_has_at_or_percent_ =
        std::memchr(text_.data(), '@', text_.size()) != nullptr ||
        std::memchr(text_.data(), '%', text_.size()) != nullptr;
    SkipWhitespace();
    if (!ReadValue(0, nullptr)) return false;
    SkipWhitespace();
    if (pos_ != text_.size()) return false;
    if (compact_end_ != nullptr) {
      CopyTokens(text_.size());
      tape_.compact_.resize(
          static_cast<size_t>(compact_end_ - tape_.compact_.data()));
      tape_.compact_view_ = tape_.compact_;
    } else {
      tape_.compact_view_ = text_;
    }
    return true;
  }

 private:
  static bool IsWhitespace(char c) {
    return kWhitespace[static_cast<unsigned char>(c)];
  }

  // Skips whitespace; the check is inline, the skipping (rarer) is not.
  void SkipWhitespace() {
    if (pos_ < text_.size() && IsWhitespace(text_[pos_])) SkipWhitespaceRun();
  }

  // Copies the tokens read since the last whitespace to the compact text,
  // then skips this run of whitespace.
  void SkipWhitespaceRun() {
    if (compact_end_ == nullptr) {  // the first whitespace: make room
      tape_.compact_.resize(text_.size() + kCopyStep);
      compact_end_ = tape_.compact_.data();
    }
    CopyTokens(pos_);
    do {
      ++pos_;
    } while (pos_ < text_.size() && IsWhitespace(text_[pos_]));
    copied_ = pos_;
  }

  // Copies text_[copied_, end) to the compact text. The runs between
  // whitespace are short: while the text has the bytes to read, they go in
  // fixed steps (plain loads and stores, no call), the last one writing
  // into the kCopyStep bytes of room past the text's size.
  void CopyTokens(size_t end) {
    const char* const from = text_.data() + copied_;
    const size_t n = end - copied_;
    if (end + kCopyStep <= text_.size()) {
      for (size_t i = 0; i < n; i += kCopyStep) {
        std::memcpy(compact_end_ + i, from + i, kCopyStep);
      }
    } else {
      std::memcpy(compact_end_, from, n);
    }
    compact_end_ += n;
  }

  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  // `key`: the member name when the value is an object member, else null.
  bool ReadValue(size_t depth, const std::string_view* key) {
    if (pos_ >= text_.size()) return false;
    const size_t index = nodes_.size();
    nodes_.emplace_back();
    nodes_[index].text_has_at_or_percent_ = text_has_at_or_percent_;
    if (key != nullptr) {
      nodes_[index].key_ = *key;
      nodes_[index].is_member_ = true;
    }
    switch (text_[pos_]) {
      case '{': return ReadObject(depth + 1, index);
      case '[': return ReadArray(depth + 1, index);
      case '"':
        nodes_[index].type_ = Value::Type::kString;
        return ReadString(&nodes_[index].text_);
      case 't': return ReadBool("true", true, index);
      case 'f': return ReadBool("false", false, index);
      case 'n': return ReadLiteral("null");
      default: return ReadNumber(index);
    }
  }

  bool ReadLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool ReadBool(std::string_view word, bool value, size_t index) {
    nodes_[index].type_ = Value::Type::kBool;
    nodes_[index].boolean_ = value;
    return ReadLiteral(word);
  }

  bool ReadNumber(size_t index) {
    const size_t start = pos_;
    double value = 0;
    if (ScanJsonNumber(text_, &pos_, &value) != nullptr) return false;
    TapeNode& node = nodes_[index];
    node.type_ = Value::Type::kNumber;
    node.number_ = value;
    // Dump() writes a non-negative integer of up to 15 digits (exact as a
    // double) as the same digits, which the grammar keeps free of leading
    // zeros; other numbers are measured from their value.
    const std::string_view text = text_.substr(start, pos_ - start);
    bool plain = text.size() <= 15;
    for (size_t i = 0; plain && i < text.size(); ++i) {
      plain = text[i] >= '0' && text[i] <= '9';
    }
    node.dump_length_ = static_cast<uint32_t>(
        plain ? text.size() : JsonNumberLength(value));
    return true;
  }

  // A string without escapes; its contents stay in the text.
  bool ReadString(std::string_view* out) {
    ++pos_;  // the opening quote
    const size_t run = ScanPlainJsonText(
        std::string_view(text_.data() + pos_, text_.size() - pos_));
    const size_t close = pos_ + run;
    // A backslash is declined, a control byte or the end refused.
    if (close >= text_.size() || text_[close] != '"') return false;
    *out = text_.substr(pos_, run);
    pos_ = close + 1;
    return true;
  }

  // Whether the object at `index` already has a member named `key`.
  bool RepeatsKey(size_t index, std::string_view key) const {
    for (size_t child = index + 1; child < nodes_.size();
         child += nodes_[child].extent_) {
      if (SameShortText(nodes_[child].key_, key)) return true;
    }
    return false;
  }

  void Close(size_t index, Value::Type type, uint32_t count) {
    TapeNode& node = nodes_[index];
    node.type_ = type;
    node.count_ = count;
    node.extent_ = static_cast<uint32_t>(nodes_.size() - index);
  }

  bool ReadObject(size_t depth, size_t index) {
    if (depth > max_depth_) return false;
    ++pos_;  // '{'
    SkipWhitespace();
    uint32_t count = 0;
    if (Peek('}')) {
      ++pos_;
      Close(index, Value::Type::kObject, count);
      return true;
    }
    // One bit per key length and first byte seen: the members are compared
    // with a new key only when its bit was seen before.
    uint64_t seen = 0;
    while (true) {
      SkipWhitespace();
      if (!Peek('"')) return false;
      std::string_view key;
      if (!ReadString(&key)) return false;
      const uint64_t bit = uint64_t{1}
                           << ((key.size() * 7 + (key.empty() ? 0 : key[0])) & 63);
      if ((seen & bit) != 0 && RepeatsKey(index, key)) return false;
      seen |= bit;
      SkipWhitespace();
      if (!Peek(':')) return false;
      ++pos_;
      SkipWhitespace();
      if (!ReadValue(depth, &key)) return false;
      ++count;
      SkipWhitespace();
      if (Peek(',')) {
        ++pos_;
        continue;
      }
      if (!Peek('}')) return false;
      ++pos_;
      Close(index, Value::Type::kObject, count);
      return true;
    }
  }

  bool ReadArray(size_t depth, size_t index) {
    if (depth > max_depth_) return false;
    ++pos_;  // '['
    SkipWhitespace();
    uint32_t count = 0;
    if (Peek(']')) {
      ++pos_;
      Close(index, Value::Type::kArray, count);
      return true;
    }
    while (true) {
      SkipWhitespace();
      if (!ReadValue(depth, nullptr)) return false;
      ++count;
      SkipWhitespace();
      if (Peek(',')) {
        ++pos_;
        continue;
      }
      if (!Peek(']')) return false;
      ++pos_;
      Close(index, Value::Type::kArray, count);
      return true;
    }
  }

  const std::string_view text_;
  const size_t max_depth_;
  JsonTape& tape_;
  std::vector<TapeNode>& nodes_;
  size_t pos_ = 0;
  bool text_has_at_or_percent_ = false;
  size_t copied_ = 0;  // text before this is in the compact text
  // The end of the compact text; null until the first whitespace.
  char* compact_end_ = nullptr;
};

bool JsonTape::Parse(std::string_view text, size_t max_depth) {
  return Reader(text, max_depth, this).Read();
}

std::string_view JsonTape::compact_text() const { return compact_view_; }

size_t JsonLength(const TapeNode& node) {
  size_t length = 0;
  const TapeNode* const end = &node + node.extent();
  for (const TapeNode* n = &node; n != end; ++n) {
    switch (n->type()) {
      case Value::Type::kNull: length += 4; break;
      case Value::Type::kBool: length += n->as_bool() ? 4 : 5; break;
      case Value::Type::kNumber: length += n->dump_length_; break;
      // No escapes, no quotes, no control bytes: written as they are.
      case Value::Type::kString: length += n->as_string().size() + 2; break;
      case Value::Type::kArray:
      case Value::Type::kObject:
        // Brackets and a ',' between children.
        length += 2 + (n->size() > 0 ? n->size() - 1 : 0);
        break;
    }
    // A member's quoted key and ':'.
    if (n != &node && n->is_member_) length += n->key().size() + 3;
  }
  return length;
}

}  // namespace tessera
