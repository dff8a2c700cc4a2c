#include <cstdint>
#include <cstring>

#include "tessera/signal.h"

namespace tessera {
namespace {

constexpr size_t kMaxEventNameLength = 64;
constexpr size_t kMaxLabelBytes = 128;

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || (c >= '0' && c <= '9'); }

// Characters RFC 5322 allows in a dot-atom local part, minus the rare ones
// that would make ordinary text match (quotes, braces, etc.).
bool IsLocalPartChar(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
         c == '-';
}
bool IsDomainChar(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-'; }

// Whether the text at `domain` starts like "example.com": labels separated
// by dots ending in an alphabetic top-level label of two letters or more.
bool StartsWithDomain(std::string_view domain) {
  size_t end = 0;
  while (end < domain.size() && IsDomainChar(domain[end])) ++end;
  // Sentence punctuation after an address ("mail a@b.com.") is not domain.
  while (end > 0 && (domain[end - 1] == '.' || domain[end - 1] == '-')) --end;
  const std::string_view run = domain.substr(0, end);
  const size_t last_dot = run.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return false;
  if (run[last_dot - 1] == '.') return false;
  const std::string_view top_level = run.substr(last_dot + 1);
  if (top_level.size() < 2) return false;
  for (char c : top_level) {
    if (!IsAsciiAlpha(c)) return false;
  }
  return true;
}

// Whether an address's "@" (or its URL form "%40") sits at `i`, with a
// local part before it and a domain after it.
bool IsEmailAt(std::string_view text, size_t i) {
  size_t at_length;
  if (text[i] == '@') {
    at_length = 1;
  } else if (text.substr(i, 3) == "%40") {
    at_length = 3;
  } else {
    return false;
  }
  if (i == 0 || !IsLocalPartChar(text[i - 1])) return false;
  return StartsWithDomain(text.substr(i + at_length));
}

}  // namespace

namespace {

// Whether `text` may hold an email address: whether it has an '@' or a
// '%' at all. Most signal strings are short and have neither; this decides
// them eight bytes at a time (the last block overlapping the one before).
bool HasEmailMarker(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  auto marked = [](uint64_t block) {
    const uint64_t at = block ^ (kOnes * '@');
    const uint64_t percent = block ^ (kOnes * '%');
    // Non-zero when either has a zero byte, i.e. `block` holds '@' or '%'.
    return (((at - kOnes) & ~at) | ((percent - kOnes) & ~percent)) & kHighBits;
  };
  const size_t n = text.size();
  if (n < 8) {
    for (char c : text) {
      if (c == '@' || c == '%') return true;
    }
    return false;
  }
  uint64_t block;
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&block, text.data() + i, sizeof block);
    if (marked(block)) return true;
  }
  std::memcpy(&block, text.data() + n - 8, sizeof block);
  return marked(block) != 0;
}

}  // namespace

bool ContainsEmailAddress(std::string_view text) {
  if (!HasEmailMarker(text)) return false;
  // memchr (vectorized) skips from one candidate to the next.
  for (const char marker : {'@', '%'}) {
    size_t from = 0;
    while (from < text.size()) {
      const void* hit =
          std::memchr(text.data() + from, marker, text.size() - from);
      if (hit == nullptr) break;
      const auto i =
          static_cast<size_t>(static_cast<const char*>(hit) - text.data());
      if (IsEmailAt(text, i)) return true;
      from = i + 1;
    }
  }
  return false;
}

bool IsSignalEventName(std::string_view name) {
  if (name.empty() || name.size() > kMaxEventNameLength) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

namespace {

// Whether `text` has a control byte (below 0x20, or DEL), eight bytes at a
// time as HasEmailMarker does.
bool HasControlByte(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  auto flagged = [](uint64_t block) {
    const uint64_t del = block ^ (kOnes * 0x7f);
    // Bytes below 0x20, or equal to 0x7f (a zero byte in `del`).
    return (((block - kOnes * 0x20) & ~block) | ((del - kOnes) & ~del)) &
           kHighBits;
  };
  const size_t n = text.size();
  if (n < 8) {
    for (char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7f) return true;
    }
    return false;
  }
  uint64_t block;
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&block, text.data() + i, sizeof block);
    if (flagged(block)) return true;
  }
  std::memcpy(&block, text.data() + n - 8, sizeof block);
  return flagged(block) != 0;
}

}  // namespace

bool IsSignalLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelBytes) return false;
  if (HasControlByte(label)) return false;
  return IsValidUtf8(label) && !ContainsEmailAddress(label);
}

}  // namespace tessera
