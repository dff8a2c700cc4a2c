#include <cmath>
#include <string>
#include <utility>

#include "amount_sum.h"
#include "tessera/signal.h"

namespace tessera {

Status SignalAccumulator::Drop(const std::string& what) {
  ++dropped_;
  return Status::OutOfRange("signal: " + what + "; record dropped");
}

SignalAccumulator::EventAggregate* SignalAccumulator::FindOrAddEvent(
    std::string_view name) {
  for (EventAggregate& aggregate : events_) {
    if (aggregate.name == name) return &aggregate;
  }
  if (events_.size() >= kMaxSignalEventTypes) return nullptr;
  events_.push_back(EventAggregate{std::string(name)});
  return &events_.back();
}

Status SignalAccumulator::RecordEvent(std::string_view name, double value,
                                      int64_t ts_ms, int hour_of_week) {
  if (!IsSignalEventName(name)) {
    return Status::InvalidArgument(
        "signal: event name must be 1-64 chars of [a-z0-9_], got \"" +
        std::string(name.substr(0, 64)) + "\"");
  }
  if (!std::isfinite(value)) {
    return Status::InvalidArgument("signal: event value must be finite");
  }
  if (hour_of_week < -1 || hour_of_week >= kHoursPerWeek) {
    return Status::InvalidArgument(
        "signal: hour_of_week must be 0-167 or -1, got " +
        IntegerText(hour_of_week));
  }
  EventAggregate* aggregate = FindOrAddEvent(name);
  if (aggregate == nullptr) {
    return Drop("more than " + IntegerText(kMaxSignalEventTypes) +
                " event types");
  }
  // A sum that overflows would make the whole signal invalid; losing this
  // one record is the smaller harm.
  if (!std::isfinite(aggregate->sum + value)) {
    return Drop("sum of values for \"" + aggregate->name + "\" overflows");
  }
  ++aggregate->count;
  aggregate->sum = AddAmounts(aggregate->sum, value);
  if (hour_of_week >= 0) ++hours_[static_cast<size_t>(hour_of_week)];
  if (!has_first_ts_ || ts_ms < first_ts_ms_) first_ts_ms_ = ts_ms;
  has_first_ts_ = true;
  has_activity_ = true;
  return Status::Ok();
}

Status SignalAccumulator::RecordWindowCounts(std::string_view name,
                                             int64_t count_24h,
                                             int64_t count_7d,
                                             int64_t count_30d) {
  if (!IsSignalEventName(name)) {
    return Status::InvalidArgument(
        "signal: event name must be 1-64 chars of [a-z0-9_], got \"" +
        std::string(name.substr(0, 64)) + "\"");
  }
  if (count_24h < 0 || count_7d < 0 || count_30d < 0) {
    return Status::InvalidArgument("signal: window counts must be >= 0");
  }
  EventAggregate* aggregate = FindOrAddEvent(name);
  if (aggregate == nullptr) {
    return Drop("more than " + IntegerText(kMaxSignalEventTypes) +
                " event types");
  }
  aggregate->has_windows = true;
  aggregate->count_24h = count_24h;
  aggregate->count_7d = count_7d;
  aggregate->count_30d = count_30d;
  return Status::Ok();
}

Status SignalAccumulator::RecordExposure(std::string_view key,
                                         int variation_index,
                                         std::string_view variant_id) {
  if (!IsSignalLabel(key)) {
    return Status::InvalidArgument(
        "signal: experiment key must be 1-128 bytes of UTF-8 text without "
        "control characters or email addresses");
  }
  if (!variant_id.empty() && !IsSignalLabel(variant_id)) {
    return Status::InvalidArgument(
        "signal: variant id must be 1-128 bytes of UTF-8 text without "
        "control characters or email addresses");
  }
  if (variation_index < 0 || variation_index > kMaxSignalVariation) {
    return Status::InvalidArgument("signal: variation index must be 0-" +
                                   IntegerText(kMaxSignalVariation) + ", got " +
                                   IntegerText(variation_index));
  }
  for (const Exposure& exposure : exposures_) {
    if (exposure.key == key && exposure.variation == variation_index) {
      return Status::Ok();
    }
  }
  if (exposures_.size() >= kMaxSignalExposures) {
    return Drop("more than " + IntegerText(kMaxSignalExposures) +
                " experiment exposures");
  }
  exposures_.push_back(
      Exposure{std::string(key), variation_index, std::string(variant_id)});
  has_activity_ = true;
  return Status::Ok();
}

Status SignalAccumulator::CountSlotVariant(std::vector<SlotCounts>* slots,
                                           std::string_view slot,
                                           std::string_view variant) {
  if (!IsSignalLabel(slot) || !IsSignalLabel(variant)) {
    return Status::InvalidArgument(
        "signal: slot and variant must be 1-128 bytes of UTF-8 text without "
        "control characters or email addresses");
  }
  SlotCounts* counts = nullptr;
  for (SlotCounts& candidate : *slots) {
    if (candidate.slot == slot) counts = &candidate;
  }
  if (counts == nullptr) {
    if (slots->size() >= kMaxSignalSlots) {
      return Drop("more than " + IntegerText(kMaxSignalSlots) + " slots");
    }
    slots->push_back(SlotCounts{std::string(slot), {}});
    counts = &slots->back();
  }
  for (VariantCount& entry : counts->variants) {
    if (entry.variant == variant) {
      ++entry.count;
      has_activity_ = true;
      return Status::Ok();
    }
  }
  if (counts->variants.size() >= kMaxSignalVariantsPerSlot) {
    return Drop("more than " + IntegerText(kMaxSignalVariantsPerSlot) +
                " variants in slot \"" + counts->slot + "\"");
  }
  counts->variants.push_back(VariantCount{std::string(variant), 1});
  has_activity_ = true;
  return Status::Ok();
}

Status SignalAccumulator::RecordImpression(std::string_view slot,
                                           std::string_view variant) {
  return CountSlotVariant(&impressions_, slot, variant);
}

Status SignalAccumulator::RecordClick(std::string_view slot,
                                      std::string_view variant) {
  return CountSlotVariant(&clicks_, slot, variant);
}

bool SignalAccumulator::empty() const {
  return !has_activity_ && dropped_ == 0;
}

Value SignalAccumulator::Build(const SignalHeader& header,
                               int64_t now_ms) const {
  Value signal = Value::MakeObject();
  signal.set("v", Value(kSignalVersion));
  signal.set("id", Value(header.id));
  signal.set("site", Value(header.site));
  signal.set("vid", Value(header.visitor_id));
  signal.set("seq", Value(header.seq));
  const int64_t from =
      has_first_ts_ && first_ts_ms_ < now_ms ? first_ts_ms_ : now_ms;
  signal.set("from", Value(from));
  signal.set("to", Value(now_ms));
  signal.set("consent", header.consent);
  if (header.marketing) signal.set("mkt", Value(true));

  if (!events_.empty()) {
    Value agg = Value::MakeObject();
    for (const EventAggregate& aggregate : events_) {
      Value entry = Value::MakeObject();
      entry.set("n", Value(aggregate.count));
      if (aggregate.sum != 0) entry.set("sum", Value(aggregate.sum));
      if (aggregate.has_windows) {
        entry.set("n24h", Value(aggregate.count_24h));
        entry.set("n7d", Value(aggregate.count_7d));
        entry.set("n30d", Value(aggregate.count_30d));
      }
      agg.set(aggregate.name, std::move(entry));
    }
    signal.set("agg", std::move(agg));
  }
  // Header lists come from other modules; what would make the signal
  // invalid is left out and counted, like a record past a cap.
  int64_t dropped = dropped_;
  Value seg = Value::MakeArray();
  for (const std::string& id : header.segments) {
    bool keep = IsSignalLabel(id) && seg.size() < kMaxSignalSegments;
    for (const Value& kept : seg.as_array()) {
      if (kept.as_string() == id) keep = false;
    }
    if (keep) {
      seg.push_back(Value(id));
    } else {
      ++dropped;
    }
  }
  if (seg.size() > 0) signal.set("seg", std::move(seg));
  if (IsSignalLabel(header.cluster)) {
    signal.set("cl", Value(header.cluster));
  } else if (!header.cluster.empty()) {
    ++dropped;
  }
  if (!exposures_.empty()) {
    Value exp = Value::MakeArray();
    for (const Exposure& exposure : exposures_) {
      Value entry = Value::MakeObject();
      entry.set("key", Value(exposure.key));
      entry.set("var", Value(exposure.variation));
      if (!exposure.variant_id.empty()) {
        entry.set("variant", Value(exposure.variant_id));
      }
      exp.push_back(std::move(entry));
    }
    signal.set("exp", std::move(exp));
  }
  const std::pair<const char*, const std::vector<SlotCounts>*> slot_sections[] =
      {{"imp", &impressions_}, {"clk", &clicks_}};
  for (const auto& section : slot_sections) {
    if (section.second->empty()) continue;
    Value slots = Value::MakeObject();
    for (const SlotCounts& counts : *section.second) {
      Value variants = Value::MakeObject();
      for (const VariantCount& entry : counts.variants) {
        variants.set(entry.variant, Value(entry.count));
      }
      slots.set(counts.slot, std::move(variants));
    }
    signal.set(section.first, std::move(slots));
  }
  Value hours = Value::MakeObject();
  for (int hour = 0; hour < kHoursPerWeek; ++hour) {
    const int64_t count = hours_[static_cast<size_t>(hour)];
    if (count > 0) hours.set(IntegerText(hour), Value(count));
  }
  if (hours.size() > 0) signal.set("hours", std::move(hours));
  if (!header.context.is_null()) signal.set("ctx", header.context);
  if (dropped > 0) signal.set("drop", Value(dropped));
  return signal;
}

void SignalAccumulator::Reset() { *this = SignalAccumulator(); }

}  // namespace tessera
