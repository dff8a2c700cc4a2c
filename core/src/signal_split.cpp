// Splitting a signal that is over its size cap into signals that fit.
//
// Every record of a signal (an event's aggregate, an exposure, a slot's
// impression or click counts, an hour's engagement count) is additive on the
// server, so records may travel in different signals. The identity and
// consent fields go in every part; the visitor's state at flush time
// (segment memberships, cluster, context) and the dropped count go in the
// first part only, so nothing is counted twice.
#include <utility>

#include "tessera/signal.h"

namespace tessera {
namespace {

// The sections whose entries are records, in the order they are packed.
constexpr const char* kRecordSections[] = {"agg", "exp", "imp", "clk", "hours"};
// Fields describing the visitor at flush time: first part only.
constexpr const char* kFirstPartOnly[] = {"seg", "cl", "ctx", "drop"};

// Adds entry `i` of `from` (an array or object section) to `part`'s section
// `name`, creating it.
void AddEntry(Value* part, const char* name, const Value& from, size_t i) {
  Value* section = part->find(name);
  if (section == nullptr) {
    section = &part->set(
        name, from.is_array() ? Value::MakeArray() : Value::MakeObject());
  }
  if (from.is_array()) {
    section->push_back(from.as_array()[i]);
  } else {
    const Member& member = from.as_object()[i];
    section->set(member.key, member.value);
  }
}

}  // namespace

std::vector<Value> SplitSignal(const Value& signal, SignalFormat format,
                               size_t max_bytes) {
  if (EncodeSignal(signal, format).size() <= max_bytes) return {signal};
  Value first = signal;
  for (const char* name : kRecordSections) first.erase(name);
  Value rest = first;
  for (const char* name : kFirstPartOnly) rest.erase(name);

  // A record's cost is what it adds to a part holding only it, plus room for
  // a separator or a larger container header: exact enough to pack greedily
  // without encoding every candidate part.
  const size_t rest_bytes = EncodeSignal(rest, format).size();
  std::vector<Value> parts{first};
  size_t used = EncodeSignal(first, format).size();
  bool part_has_records = false;
  for (const char* name : kRecordSections) {
    const Value* section = signal.find(name);
    if (section == nullptr) continue;
    for (size_t i = 0; i < section->size(); ++i) {
      Value alone = rest;
      AddEntry(&alone, name, *section, i);
      const size_t cost = EncodeSignal(alone, format).size() - rest_bytes + 2;
      if (part_has_records && used + cost > max_bytes) {
        parts.push_back(rest);
        used = rest_bytes;
      }
      AddEntry(&parts.back(), name, *section, i);
      used += cost;
      part_has_records = true;
    }
  }
  return parts;
}

}  // namespace tessera
