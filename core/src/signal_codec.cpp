#include <string>

#include "tessera/cbor.h"
#include "tessera/signal.h"

namespace tessera {
namespace {

// A valid signal nests four levels (root > imp > slot > count); a little
// headroom lets a too-deep body fail with a schema problem that names the
// path rather than a bare depth error.
constexpr size_t kMaxSignalDepth = 16;
// Far above what the caps allow a valid signal, far below what a hostile
// 64 KiB body could otherwise make the decoder allocate.
constexpr size_t kMaxSignalItems = 16 * 1024;

}  // namespace

std::string EncodeSignal(const Value& signal, SignalFormat format) {
  return format == SignalFormat::kCbor ? EncodeCbor(signal) : signal.Dump();
}

Result<Value> DecodeSignal(std::string_view body, SignalFormat format) {
  if (body.size() > kMaxSignalBytes) {
    return Status::OutOfRange("signal: body of " + std::to_string(body.size()) +
                              " bytes exceeds the limit of " +
                              std::to_string(kMaxSignalBytes));
  }
  if (format == SignalFormat::kCbor) {
    CborDecodeOptions options;
    options.max_depth = kMaxSignalDepth;
    options.max_bytes = kMaxSignalBytes;
    options.max_items = kMaxSignalItems;
    return DecodeCbor(body, options);
  }
  JsonParseOptions options;
  options.max_depth = kMaxSignalDepth;
  options.max_bytes = kMaxSignalBytes;
  return ParseJson(body, options);
}

}  // namespace tessera
