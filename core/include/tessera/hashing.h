// Deterministic hashing and bucketing, bit-for-bit compatible with the
// GrowthBook SDKs (hash versions 1 and 2, FNV-1a 32), so that an experiment
// moved from GrowthBook keeps every visitor in the variation they had.
//
// GrowthBook hashes JavaScript strings, which are sequences of UTF-16 code
// units (String.prototype.charCodeAt). The functions here take UTF-8 and hash
// the UTF-16 code units of the same text, so non-ASCII seeds and values give
// GrowthBook's answers. Bytes that are not valid UTF-8 are hashed as U+FFFD,
// as a browser's TextDecoder would decode them.
//
// Everything here is a pure function: no state, thread-safe, never fails.
// Out-of-range inputs are handled exactly as GrowthBook handles them
// (coverage is clamped into [0, 1], bad weights fall back to equal weights,
// an unknown hash version gives std::nullopt).
#ifndef TESSERA_HASHING_H_
#define TESSERA_HASHING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

// 32-bit FNV-1a over the UTF-16 code units of `utf8` (GrowthBook's
// hashFnv32a).
uint32_t Fnv1a32(std::string_view utf8);

// GrowthBook's hash(seed, value, version), a number in [0, 1):
//   version 1: (fnv(value + seed) % 1000) / 1000   (the original, biased one)
//   version 2: (fnv(decimal(fnv(seed + value))) % 10000) / 10000
// Any other version gives std::nullopt.
std::optional<double> GrowthBookHash(std::string_view seed,
                                     std::string_view value, int version);

// A half-open interval [start, end) of hash values assigned to a variation.
struct BucketRange {
  double start = 0;
  double end = 0;
};

// `n` weights of 1/n each; empty when n <= 0.
std::vector<double> GetEqualWeights(int n);

// GrowthBook's getBucketRanges: variation i owns
// [sum(w[0..i)), sum(w[0..i)) + coverage * w[i]). Coverage is clamped into
// [0, 1]. `weights` falls back to equal weights when it is empty, has a
// length other than `num_variations`, or sums outside [0.99, 1.01].
std::vector<BucketRange> GetBucketRanges(int num_variations, double coverage,
                                         const std::vector<double>& weights);

// Whether start <= n < end.
bool InBucketRange(double n, const BucketRange& range);

// Index of the first range containing `n`, or -1 when none does (the visitor
// falls outside the experiment's coverage).
int ChooseVariation(double n, const std::vector<BucketRange>& ranges);

// A GrowthBook namespace: experiments sharing `id` with disjoint
// [start, end) ranges never share a visitor.
struct NamespaceRange {
  std::string id;
  double start = 0;
  double end = 1;
};

// GrowthBook's inNamespace: hash("__" + id, hash_value, 1) in [start, end).
bool InNamespace(std::string_view hash_value, const NamespaceRange& ns);

}  // namespace tessera

#endif  // TESSERA_HASHING_H_
