#include "tessera/hashing.h"

namespace tessera {
namespace {

constexpr uint32_t kFnvOffsetBasis = 0x811c9dc5u;
constexpr uint32_t kFnvPrime = 16777619u;
constexpr uint32_t kReplacementCharacter = 0xFFFD;

uint32_t MixCodeUnit(uint32_t hash, uint32_t code_unit) {
  return (hash ^ code_unit) * kFnvPrime;
}

uint32_t MixCodePoint(uint32_t hash, uint32_t code_point) {
  if (code_point < 0x10000) return MixCodeUnit(hash, code_point);
  const uint32_t offset = code_point - 0x10000;
  hash = MixCodeUnit(hash, 0xD800 + (offset >> 10));
  return MixCodeUnit(hash, 0xDC00 + (offset & 0x3FF));
}

// Continues an FNV-1a hash over the UTF-16 code units of one JavaScript
// string given as UTF-8. Each piece is decoded on its own (a sequence cut at
// the end of `utf8` becomes U+FFFD), because GrowthBook concatenates strings
// that were decoded separately. Malformed input is replaced the way the
// WHATWG UTF-8 decoder (TextDecoder) replaces it.
uint32_t HashUtf8AsUtf16(uint32_t hash, std::string_view utf8) {
  uint32_t code_point = 0;
  int bytes_needed = 0;
  int bytes_seen = 0;
  unsigned lower = 0x80;
  unsigned upper = 0xBF;
  size_t i = 0;
  while (i < utf8.size()) {
    const unsigned byte = static_cast<unsigned char>(utf8[i]);
    if (bytes_needed == 0) {
      ++i;
      if (byte <= 0x7F) {
        hash = MixCodeUnit(hash, byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        bytes_needed = 1;
        code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;  // no UTF-16 surrogates in UTF-8
        bytes_needed = 2;
        code_point = byte & 0x0F;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
        bytes_needed = 3;
        code_point = byte & 0x07;
      } else {
        hash = MixCodeUnit(hash, kReplacementCharacter);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence broke off: replace it and read this byte afresh.
      code_point = 0;
      bytes_needed = 0;
      bytes_seen = 0;
      lower = 0x80;
      upper = 0xBF;
      hash = MixCodeUnit(hash, kReplacementCharacter);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++bytes_seen == bytes_needed) {
      hash = MixCodePoint(hash, code_point);
      code_point = 0;
      bytes_needed = 0;
      bytes_seen = 0;
    }
  }
  if (bytes_needed != 0) hash = MixCodeUnit(hash, kReplacementCharacter);
  return hash;
}

// The decimal text of `n`, as JavaScript's `n + ""` writes an integer.
std::string DecimalText(uint32_t n) {
  char digits[10];
  size_t first = sizeof(digits);
  do {
    digits[--first] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  return std::string(digits + first, sizeof(digits) - first);
}

}  // namespace

uint32_t Fnv1a32(std::string_view utf8) {
  return HashUtf8AsUtf16(kFnvOffsetBasis, utf8);
}

std::optional<double> GrowthBookHash(std::string_view seed,
                                     std::string_view value, int version) {
  if (version == 2) {
    const uint32_t inner =
        HashUtf8AsUtf16(HashUtf8AsUtf16(kFnvOffsetBasis, seed), value);
    return static_cast<double>(Fnv1a32(DecimalText(inner)) % 10000) / 10000;
  }
  if (version == 1) {
    const uint32_t hash =
        HashUtf8AsUtf16(HashUtf8AsUtf16(kFnvOffsetBasis, value), seed);
    return static_cast<double>(hash % 1000) / 1000;
  }
  return std::nullopt;
}

std::vector<double> GetEqualWeights(int n) {
  if (n <= 0) return {};
  return std::vector<double>(static_cast<size_t>(n), 1.0 / n);
}

std::vector<BucketRange> GetBucketRanges(int num_variations, double coverage,
                                         const std::vector<double>& weights) {
  if (coverage < 0) {
    coverage = 0;
  } else if (coverage > 1) {
    coverage = 1;
  }

  std::vector<double> chosen = weights;
  if (num_variations < 0 ||
      chosen.size() != static_cast<size_t>(num_variations)) {
    chosen = GetEqualWeights(num_variations);
  }
  // Summed in order, as Array.prototype.reduce does, so the rounding matches.
  double total = 0;
  for (double w : chosen) total += w;
  // Written as GrowthBook writes it: a NaN total keeps the given weights.
  if (total < 0.99 || total > 1.01) chosen = GetEqualWeights(num_variations);

  std::vector<BucketRange> ranges;
  ranges.reserve(chosen.size());
  double cumulative = 0;
  for (double w : chosen) {
    const double start = cumulative;
    cumulative += w;
    ranges.push_back({start, start + coverage * w});
  }
  return ranges;
}

bool InBucketRange(double n, const BucketRange& range) {
  return n >= range.start && n < range.end;
}

int ChooseVariation(double n, const std::vector<BucketRange>& ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (InBucketRange(n, ranges[i])) return static_cast<int>(i);
  }
  return -1;
}

bool InNamespace(std::string_view hash_value, const NamespaceRange& ns) {
  const std::optional<double> n = GrowthBookHash("__" + ns.id, hash_value, 1);
  return n.has_value() && *n >= ns.start && *n < ns.end;
}

}  // namespace tessera
