#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "tessera/cbor.h"

namespace tessera {
namespace {

constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorNegative = 1;
constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kMajorTag = 6;
constexpr uint8_t kMajorSimple = 7;

constexpr uint8_t kIndefinite = 31;
constexpr uint8_t kBreakByte = 0xff;
constexpr uint64_t kSelfDescribeTag = 55799;

// Below this many members a pairwise scan beats sorting for duplicate keys.
constexpr size_t kSortDuplicateScanFrom = 16;
// Containers grow as items actually arrive past this many, so a declared
// length (which nested containers could each claim) costs nothing up front.
constexpr size_t kMaxReserve = 256;
// Keys quoted in error messages are cut to this many bytes.
constexpr size_t kMaxQuotedKeyBytes = 40;

double DecodeHalfFloat(uint16_t half) {
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    magnitude = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    magnitude = mantissa == 0 ? HUGE_VAL : NAN;
  }
  return (half & 0x8000) ? -magnitude : magnitude;
}

// The decoded initial byte of a data item and its argument.
struct Head {
  size_t offset = 0;  // of the initial byte
  uint8_t major = 0;
  uint8_t info = 0;       // additional information (low 5 bits)
  uint64_t argument = 0;  // meaningless when info == kIndefinite
};

class CborDecoder {
 public:
  CborDecoder(std::string_view input, const CborDecodeOptions& options)
      : input_(input), options_(options) {}

  Result<Value> DecodeDocument() {
    if (input_.size() > options_.max_bytes) {
      return Status::OutOfRange("cbor: input of " + IntegerText(input_.size()) +
                                " bytes exceeds the limit of " +
                                IntegerText(options_.max_bytes));
    }
    Value root;
    Status status = DecodeItem(0, &root);
    if (!status.ok()) return status;
    if (pos_ != input_.size()) {
      return Error("trailing bytes after the top-level item", pos_);
    }
    return root;
  }

 private:
  size_t remaining() const { return input_.size() - pos_; }

  static Status Error(const std::string& what, size_t offset) {
    return Status::InvalidArgument("cbor: " + what + " at byte offset " +
                                   IntegerText(offset));
  }
  static Status LimitError(const std::string& what, size_t offset) {
    return Status::OutOfRange("cbor: " + what + " at byte offset " +
                              IntegerText(offset));
  }

  Status ReadHead(Head* head) {
    head->offset = pos_;
    if (remaining() == 0) return Error("unexpected end of input", pos_);
    const uint8_t initial = static_cast<uint8_t>(input_[pos_++]);
    head->major = initial >> 5;
    head->info = initial & 0x1f;
    if (head->info < 24) {
      head->argument = head->info;
      return Status::Ok();
    }
    if (head->info == kIndefinite) return Status::Ok();
    if (head->info > 27) {
      return Error(
          "reserved additional information value " + IntegerText(head->info),
          head->offset);
    }
    const size_t width = size_t{1} << (head->info - 24);
    if (remaining() < width) {
      return Error("unexpected end of input inside an item head", head->offset);
    }
    uint64_t argument = 0;
    for (size_t i = 0; i < width; ++i) {
      argument = (argument << 8) | static_cast<uint8_t>(input_[pos_++]);
    }
    head->argument = argument;
    return Status::Ok();
  }

  Status CountItem(size_t offset) {
    if (++items_ > options_.max_items) {
      return LimitError(
          "more than " + IntegerText(options_.max_items) + " data items",
          offset);
    }
    return Status::Ok();
  }

  // Rejects a definite count that cannot possibly fit, before reserving:
  // every entry takes `items_per_entry` data items of at least one byte
  // each, which must fit in what is left of the input and the item budget.
  Status CheckDeclaredCount(uint64_t count, uint64_t items_per_entry,
                            const Head& head) {
    if (count > remaining() / items_per_entry) {
      return Error("declared length " + IntegerText(count) +
                       " exceeds the remaining input",
                   head.offset);
    }
    const uint64_t budget = options_.max_items - items_;
    if (count * items_per_entry > budget) {
      return LimitError(
          "more than " + IntegerText(options_.max_items) + " data items",
          head.offset);
    }
    return Status::Ok();
  }

  Status DecodeItem(size_t depth, Value* out) {
    Head head;
    Status status = ReadHead(&head);
    if (!status.ok()) return status;
    // Self-describe tags carry no meaning; skipping them iteratively keeps
    // a long chain of them from recursing.
    while (head.major == kMajorTag && head.info != kIndefinite &&
           head.argument == kSelfDescribeTag) {
      status = ReadHead(&head);
      if (!status.ok()) return status;
    }
    status = CountItem(head.offset);
    if (!status.ok()) return status;

    if (head.info == kIndefinite &&
        (head.major == kMajorUnsigned || head.major == kMajorNegative ||
         head.major == kMajorTag)) {
      return Error("indefinite length is not allowed for major type " +
                       IntegerText(head.major),
                   head.offset);
    }
    switch (head.major) {
      case kMajorUnsigned:
        *out = Value(static_cast<double>(head.argument));
        return Status::Ok();
      case kMajorNegative:
        // -1 - n, computed in double: n may be 2^64 - 1.
        *out = Value(-1.0 - static_cast<double>(head.argument));
        return Status::Ok();
      case kMajorBytes:
        return Error("byte strings are not supported (JSON has no binary type)",
                     head.offset);
      case kMajorText:
        return DecodeText(head, out);
      case kMajorArray:
        return DecodeArray(head, depth, out);
      case kMajorMap:
        return DecodeMap(head, depth, out);
      case kMajorTag:
        return Error("unsupported tag " + IntegerText(head.argument) +
                         " (only the self-describe tag 55799 is accepted)",
                     head.offset);
      case kMajorSimple:
      default:  // the major type has 3 bits: nothing else remains
        return DecodeSimple(head, out);
    }
  }

  Status DecodeSimple(const Head& head, Value* out) {
    switch (head.info) {
      case 20:
        *out = Value(false);
        return Status::Ok();
      case 21:
        *out = Value(true);
        return Status::Ok();
      case 22:
      case 23:  // undefined: JSON's nearest is null
        *out = Value();
        return Status::Ok();
      case 25:
      case 26:
      case 27: {
        double d;
        if (head.info == 25) {
          d = DecodeHalfFloat(static_cast<uint16_t>(head.argument));
        } else if (head.info == 26) {
          const uint32_t bits = static_cast<uint32_t>(head.argument);
          float single;
          std::memcpy(&single, &bits, sizeof single);
          d = single;
        } else {
          std::memcpy(&d, &head.argument, sizeof d);
        }
        if (!std::isfinite(d)) {
          return Error("NaN and infinities are not representable in JSON",
                       head.offset);
        }
        *out = Value(d);
        return Status::Ok();
      }
      case kIndefinite:
        return Error("unexpected break", head.offset);
      default:
        return Error(
            "unsupported simple value " +
                IntegerText(head.info == 24 ? head.argument : head.info),
            head.offset);
    }
  }

  // Appends one definite-length text string's bytes after checking them.
  Status AppendTextChunk(const Head& head, std::string* text) {
    if (head.argument > remaining()) {
      return Error("declared length " + IntegerText(head.argument) +
                       " exceeds the remaining input",
                   head.offset);
    }
    const std::string_view chunk = input_.substr(pos_, head.argument);
    if (!IsValidUtf8(chunk)) {
      return Error("text string is not valid UTF-8", head.offset);
    }
    text->append(chunk.data(), chunk.size());
    pos_ += chunk.size();
    return Status::Ok();
  }

  Status DecodeText(const Head& head, Value* out) {
    std::string text;
    if (head.info != kIndefinite) {
      Status status = AppendTextChunk(head, &text);
      if (!status.ok()) return status;
      *out = Value(std::move(text));
      return Status::Ok();
    }
    // Indefinite: definite-length text chunks up to a break. Each chunk must
    // be valid UTF-8 on its own (RFC 8949 §3.2.3).
    for (;;) {
      if (remaining() == 0) {
        return Error("unexpected end of input in an indefinite text string",
                     head.offset);
      }
      if (static_cast<uint8_t>(input_[pos_]) == kBreakByte) {
        ++pos_;
        break;
      }
      Head chunk;
      Status status = ReadHead(&chunk);
      if (!status.ok()) return status;
      if (chunk.major != kMajorText || chunk.info == kIndefinite) {
        return Error(
            "indefinite text string chunk is not a definite text string",
            chunk.offset);
      }
      status = AppendTextChunk(chunk, &text);
      if (!status.ok()) return status;
    }
    *out = Value(std::move(text));
    return Status::Ok();
  }

  Status CheckDepth(const Head& head, size_t depth) {
    if (depth + 1 > options_.max_depth) {
      return LimitError(
          "nesting deeper than " + IntegerText(options_.max_depth),
          head.offset);
    }
    return Status::Ok();
  }

  // Consumes a break byte if one is next; used by indefinite containers.
  bool ConsumeBreak(const Head& container, Status* status) {
    if (remaining() == 0) {
      *status = Error("unexpected end of input in an indefinite container",
                      container.offset);
      return false;
    }
    if (static_cast<uint8_t>(input_[pos_]) != kBreakByte) return false;
    ++pos_;
    return true;
  }

  Status DecodeArray(const Head& head, size_t depth, Value* out) {
    Status status = CheckDepth(head, depth);
    if (!status.ok()) return status;
    Array elements;
    if (head.info != kIndefinite) {
      status = CheckDeclaredCount(head.argument, 1, head);
      if (!status.ok()) return status;
      elements.reserve(std::min<uint64_t>(head.argument, kMaxReserve));
      for (uint64_t i = 0; i < head.argument; ++i) {
        elements.emplace_back();
        status = DecodeItem(depth + 1, &elements.back());
        if (!status.ok()) return status;
      }
    } else {
      while (!ConsumeBreak(head, &status)) {
        if (!status.ok()) return status;
        elements.emplace_back();
        status = DecodeItem(depth + 1, &elements.back());
        if (!status.ok()) return status;
      }
    }
    *out = Value(std::move(elements));
    return Status::Ok();
  }

  Status DecodeMember(size_t depth, Object* members,
                      std::vector<size_t>* key_offsets) {
    const size_t key_offset = pos_;
    Value key;
    Status status = DecodeItem(depth + 1, &key);
    if (!status.ok()) return status;
    if (!key.is_string()) {
      return Error("map key is not a text string", key_offset);
    }
    members->push_back(Member{key.as_string(), Value()});
    key_offsets->push_back(key_offset);
    return DecodeItem(depth + 1, &members->back().value);
  }

  Status DecodeMap(const Head& head, size_t depth, Value* out) {
    Status status = CheckDepth(head, depth);
    if (!status.ok()) return status;
    Object members;
    std::vector<size_t> key_offsets;
    if (head.info != kIndefinite) {
      status = CheckDeclaredCount(head.argument, 2, head);
      if (!status.ok()) return status;
      members.reserve(std::min<uint64_t>(head.argument, kMaxReserve));
      key_offsets.reserve(std::min<uint64_t>(head.argument, kMaxReserve));
      for (uint64_t i = 0; i < head.argument; ++i) {
        status = DecodeMember(depth, &members, &key_offsets);
        if (!status.ok()) return status;
      }
    } else {
      while (!ConsumeBreak(head, &status)) {
        if (!status.ok()) return status;
        status = DecodeMember(depth, &members, &key_offsets);
        if (!status.ok()) return status;
      }
    }
    status = CheckUniqueKeys(members, key_offsets);
    if (!status.ok()) return status;
    *out = Value(std::move(members));
    return Status::Ok();
  }

  // RFC 8949 §5.6: a map with duplicate keys is not valid, and JSON parsers
  // disagree on which duplicate wins, so refuse rather than pick one.
  static Status CheckUniqueKeys(const Object& members,
                                const std::vector<size_t>& key_offsets) {
    const size_t n = members.size();
    if (n < kSortDuplicateScanFrom) {
      for (size_t i = 1; i < n; ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (members[i].key == members[j].key) {
            return DuplicateKey(members[i].key, key_offsets[i]);
          }
        }
      }
      return Status::Ok();
    }
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return members[a].key != members[b].key ? members[a].key < members[b].key
                                              : a < b;
    });
    for (size_t i = 1; i < n; ++i) {
      if (members[order[i]].key == members[order[i - 1]].key) {
        return DuplicateKey(members[order[i]].key, key_offsets[order[i]]);
      }
    }
    return Status::Ok();
  }

  static Status DuplicateKey(const std::string& key, size_t offset) {
    if (key.size() <= kMaxQuotedKeyBytes) {
      return Error("duplicate map key \"" + key + "\"", offset);
    }
    // Cut on a character boundary so the message stays valid UTF-8.
    size_t cut = kMaxQuotedKeyBytes;
    while (cut > 0 && (static_cast<uint8_t>(key[cut]) & 0xc0) == 0x80) --cut;
    return Error("duplicate map key \"" + key.substr(0, cut) + "...\"", offset);
  }

  std::string_view input_;
  const CborDecodeOptions& options_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

}  // namespace

Result<Value> DecodeCbor(std::string_view bytes,
                         const CborDecodeOptions& options) {
  return CborDecoder(bytes, options).DecodeDocument();
}

}  // namespace tessera
