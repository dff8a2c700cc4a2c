// Fuzzes NormalizeEvent with JSON documents {"name", "properties",
// "timestamp"}: it must never crash, and whatever it accepts must come back
// unchanged when normalized again (normalization is idempotent).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/event.h"

namespace {

constexpr int64_t kNow = 1709296200000;

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

void CheckIdempotent(const tessera::Event& first) {
  tessera::Result<tessera::Event> second =
      tessera::NormalizeEvent(first.name, first.properties,
                              tessera::Value(first.timestamp_ms), kNow + 1);
  Require(second.ok(), "a normalized event normalizes again");
  Require(second->name == first.name, "name is stable");
  Require(second->timestamp_ms == first.timestamp_ms, "timestamp is stable");
  Require(second->properties == first.properties, "properties are stable");
  Require(second->properties.Dump() == first.properties.Dump(),
          "serialized properties are stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // The raw bytes as a name: the snake_case conversion sees any byte.
  tessera::Result<std::string> name = tessera::NormalizeEventName(text);
  if (name.ok()) {
    tessera::Result<std::string> again = tessera::NormalizeEventName(*name);
    Require(again.ok() && *again == *name, "names are idempotent");
  }

  tessera::Result<tessera::Value> doc = tessera::ParseJson(text);
  if (!doc.ok()) return 0;
  const tessera::Value* name_value = doc->find("name");
  const tessera::Value* properties = doc->find("properties");
  const tessera::Value* timestamp = doc->find("timestamp");
  std::string event_name = name_value && name_value->is_string()
                               ? name_value->as_string()
                               : std::string("fuzz_event");
  tessera::Value none;
  tessera::Result<tessera::Event> event =
      tessera::NormalizeEvent(event_name, properties ? *properties : *doc,
                              timestamp ? *timestamp : none, kNow);
  if (event.ok()) {
    Require(event->properties.is_object(), "properties are an object");
    CheckIdempotent(*event);
  } else {
    Require(!event.status().message().empty(), "errors say something");
  }
  return 0;
}
