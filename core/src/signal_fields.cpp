#include <cstdint>
#include <cstring>

#include "tessera/byte_blocks.h"
#include "tessera/signal.h"

namespace tessera {
namespace {

constexpr size_t kMaxSiteLength = 64;
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

using byte_blocks::AnyBlock;

// Non-zero when `block` holds '@' or '%': it may hold an email address.
uint64_t HasEmailMarker(uint64_t block) {
  return byte_blocks::Equal(block, '@') | byte_blocks::Equal(block, '%');
}
// Non-zero when `block` holds a control byte (below 0x20, or DEL).
uint64_t HasControlByte(uint64_t block) {
  return byte_blocks::Below(block, 0x20) | byte_blocks::Equal(block, 0x7f);
}

// Non-zero when `block` holds a byte that makes a label need a closer look:
// a control byte, a non-ASCII byte (UTF-8 to check) or an email marker.
uint64_t HasLabelSuspect(uint64_t block) {
  return HasControlByte(block) | (block & byte_blocks::kHighBits) |
         HasEmailMarker(block);
}

}  // namespace

bool ContainsEmailAddress(std::string_view text) {
  if (!AnyBlock(text, HasEmailMarker)) return false;
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

bool IsSiteName(std::string_view site) {
  if (site.empty() || site.size() > kMaxSiteLength) return false;
  for (char c : site) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
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

bool IsSignalLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelBytes) return false;
  // Most labels are plain ASCII words: one pass decides them.
  if (!AnyBlock(label, HasLabelSuspect)) return true;
  if (AnyBlock(label, HasControlByte)) return false;
  return IsValidUtf8(label) && !ContainsEmailAddress(label);
}

}  // namespace tessera
