// CompactSort: std::sort's job in a fraction of the code. libc++'s std::sort
// is an introsort instantiated per element type and comparator (about 1.3 KB
// of WebAssembly each, with its insertion-sort and sorting-network helpers);
// a heap sort built from the standard heap algorithms is a few hundred bytes,
// still O(n log n) in the worst case, and no allocation. The lists the core
// sorts are short (condition value sets, attribute keys, affinities), so the
// constant factor does not matter, while the browser downloads every byte
// (docs/BENCHMARKS.md, "SDK size").
//
// Not stable: every caller orders by a complete key, so equal elements are
// interchangeable (or it adds the original position to the key).
#ifndef TESSERA_SRC_COMPACT_SORT_H_
#define TESSERA_SRC_COMPACT_SORT_H_

#include <algorithm>
#include <functional>

namespace tessera {

template <typename Iterator, typename Less>
void CompactSort(Iterator first, Iterator last, Less less) {
  std::make_heap(first, last, less);
  std::sort_heap(first, last, less);
}

template <typename Iterator>
void CompactSort(Iterator first, Iterator last) {
  CompactSort(first, last, std::less<>());
}

}  // namespace tessera

#endif  // TESSERA_SRC_COMPACT_SORT_H_
