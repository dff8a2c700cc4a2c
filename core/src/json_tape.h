// JsonTape: a JSON document read into one flat array of nodes whose strings
// point into the text, for hot paths that only inspect a document (the
// server's signal ingest) and cannot afford a Value tree's allocations.
// Private to core/.
//
// A TapeNode offers the read-only part of Value's interface (type tests,
// as_*, find, size, iteration over members and items, ==), so code written
// as a template over that interface (the signal rules, signal_rules.h) runs
// unchanged over either.
//
// The tape is deliberately partial. Parse() accepts exactly what ParseJson
// accepts, minus what the tape does not represent: strings with backslash
// escapes, objects that repeat a key (ParseJson keeps the last value in the
// first one's place) and nesting deeper than the depth given. On those, and
// on anything ParseJson refuses, Parse() returns false and the caller uses
// ParseJson, which decides and explains. When it returns true, each node
// holds what the Value from ParseJson holds at the same place (numbers
// through the same ScanJsonNumber).
//
// Ownership: nodes refer to the parsed text, which must outlive the tape and
// its nodes. Parse() again invalidates every node. Not thread-safe, not
// even for reading: find() updates a search cache in the node.
#ifndef TESSERA_SRC_JSON_TAPE_H_
#define TESSERA_SRC_JSON_TAPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"

namespace tessera {

class TapeNode;

// Whether two short texts (keys, field names) are equal, decided inline:
// they mostly differ in length or in their first byte, where a call to
// memcmp would cost more than the comparison.
inline bool SameShortText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// One object member as the iteration over TapeNode::as_object() yields it.
struct TapeMember {
  std::string_view key;
  const TapeNode& value;
};

// The children of an array or object node: each child's subtree follows
// its own node, so the next sibling is `extent` nodes further on.
template <typename Item>
class TapeChildren {
 public:
  class iterator {
   public:
    explicit iterator(const TapeNode* node) : node_(node) {}
    Item operator*() const;
    iterator& operator++();
    bool operator==(const iterator& other) const {
      return node_ == other.node_;
    }
    bool operator!=(const iterator& other) const {
      return node_ != other.node_;
    }

   private:
    const TapeNode* node_;
  };

  TapeChildren(const TapeNode* first, const TapeNode* end)
      : first_(first), end_(end) {}
  iterator begin() const { return iterator(first_); }
  iterator end() const { return iterator(end_); }

 private:
  const TapeNode* first_;
  const TapeNode* end_;
};

class TapeNode {
 public:
  using Type = Value::Type;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // As for Value, the typed accessors require the matching type.
  bool as_bool() const { return boolean_; }
  double as_number() const { return number_; }
  std::string_view as_string() const { return text_; }
  TapeChildren<TapeMember> as_object() const { return Children<TapeMember>(); }
  TapeChildren<const TapeNode&> as_array() const {
    return Children<const TapeNode&>();
  }

  // The member named `key`; nullptr when absent or not an object. Remembers
  // where it found it (a cache, invisible but for speed; see the
  // thread-safety note above).
  const TapeNode* find(std::string_view key) const;
  // Array items or object members; 0 otherwise.
  size_t size() const { return count_; }
  // Value's structural equality (objects as key sets, numbers by value).
  bool operator==(const TapeNode& other) const;
  bool operator!=(const TapeNode& other) const { return !(*this == other); }

  // The key under which this node is an object member ("" otherwise).
  std::string_view key() const { return key_; }
  // Nodes in this subtree, this one included: the next sibling's distance.
  size_t extent() const { return extent_; }
  // Whether the whole parsed text has an '@' or a '%' anywhere. When not,
  // none of its strings or keys can hold an email address (an address
  // needs one of them), and the privacy guard need not look.
  bool text_has_at_or_percent() const { return text_has_at_or_percent_; }

 private:
  friend class JsonTape;
  friend size_t JsonLength(const TapeNode& node);
  template <typename Item>
  TapeChildren<Item> Children() const {
    return TapeChildren<Item>(this + 1, this + extent_);
  }
  const TapeNode* Found(const TapeNode* member) const {
    find_from_ = static_cast<uint32_t>(member + member->extent_ - this);
    if (find_from_ == extent_) find_from_ = 1;
    return member;
  }

  Type type_ = Type::kNull;
  bool boolean_ = false;
  bool is_member_ = false;  // an object member (its key may be "")
  bool text_has_at_or_percent_ = false;
  uint32_t count_ = 0;
  uint32_t extent_ = 1;
  // Where find() starts, as an offset from this node (1: the first member).
  mutable uint32_t find_from_ = 1;
  // Bytes Value::Dump() writes for this value (its key not included),
  // summed while parsing, where the text makes most lengths obvious.
  uint32_t dump_length_ = 0;
  double number_ = 0;
  std::string_view key_;
  std::string_view text_;  // string contents (no escapes, by construction)
};

// Inline: the callers' keys are mostly literals, whose comparison the
// compiler then specializes.
inline const TapeNode* TapeNode::find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  // Readers mostly ask for members in document order: the search starts
  // after the member found last and wraps around once.
  const TapeNode* const end = this + extent_;
  const TapeNode* const start = this + find_from_;
  for (const TapeNode* member = start; member != end;
       member += member->extent_) {
    if (SameShortText(member->key_, key)) return Found(member);
  }
  for (const TapeNode* member = this + 1; member != start;
       member += member->extent_) {
    if (SameShortText(member->key_, key)) return Found(member);
  }
  return nullptr;
}

template <>
inline TapeMember TapeChildren<TapeMember>::iterator::operator*() const {
  return TapeMember{node_->key(), *node_};
}
template <>
inline const TapeNode& TapeChildren<const TapeNode&>::iterator::operator*()
    const {
  return *node_;
}
template <typename Item>
typename TapeChildren<Item>::iterator&
TapeChildren<Item>::iterator::operator++() {
  node_ += node_->extent();
  return *this;
}

class JsonTape {
 public:
  // Reads `text` (see above for what is declined; also texts over 16 MiB
  // and nesting past 63). `max_depth` counts nested arrays and objects as
  // ParseJson's option does. `text` must outlive the nodes.
  bool Parse(std::string_view text, size_t max_depth);

  // The document's root; valid after Parse() returned true.
  const TapeNode& root() const { return nodes_.front(); }
  // The text without whitespace between tokens (the text itself when it
  // has none); valid after Parse() returned true.
  std::string_view compact_text() const;
  // The nodes, in document order (a node's subtree follows it).
  const std::vector<TapeNode>& nodes() const { return nodes_; }

 private:
  std::vector<TapeNode> nodes_;
  std::string compact_;  // filled only when the text has whitespace
  std::string_view compact_view_;
};

// What JsonLength(value) gives for the Value ParseJson reads at `node`:
// the bytes Dump() would write, without writing them.
size_t JsonLength(const TapeNode& node);

}  // namespace tessera

#endif  // TESSERA_SRC_JSON_TAPE_H_
